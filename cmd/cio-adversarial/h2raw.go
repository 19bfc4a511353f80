package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Conn is a bare HTTP/2 client connection for what a gRPC library never
// sends: messages cut short, streams reset as soon as they open. It obeys
// flow control and answers SETTINGS and PING, like any client.
type h2Conn struct {
	conn net.Conn
	addr string

	wmu    sync.Mutex // guards bw, fr writes and enc
	bw     *bufio.Writer
	fr     *http2.Framer
	enc    *hpack.Encoder
	encBuf bytes.Buffer

	mu       sync.Mutex
	cond     *sync.Cond
	connWin  int64
	initWin  int64
	streams  map[uint32]*h2Stream
	nextID   uint32
	goAway   bool
	readErr  error
	readDone chan struct{}
}

// h2Stream is what the server answered on one stream.
type h2Stream struct {
	win        int64
	grpcStatus int // -1 until a grpc-status is seen
	grpcMsg    string
	reset      bool
	answeredAt time.Time
}

// answered reports whether the server ended the stream.
func (s *h2Stream) answered() bool { return s.grpcStatus >= 0 || s.reset }

// dialH2 opens a connection to addr and sends the client preface.
func dialH2(addr string) (*h2Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c := &h2Conn{
		conn: conn, addr: addr, bw: bufio.NewWriterSize(conn, 64<<10),
		connWin: 65535, initWin: 65535, streams: map[uint32]*h2Stream{}, nextID: 1,
		readDone: make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	c.fr = http2.NewFramer(c.bw, bufio.NewReaderSize(conn, 64<<10))
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.fr.MaxHeaderListSize = 1 << 20
	c.enc = hpack.NewEncoder(&c.encBuf)
	c.wmu.Lock()
	_, err = c.bw.WriteString(http2.ClientPreface)
	if err == nil {
		err = c.fr.WriteSettings()
	}
	if err == nil {
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		conn.Close()
		return nil, err
	}
	go c.read()
	return c, nil
}

// close closes the connection and waits for its reader.
func (c *h2Conn) close() {
	c.conn.Close()
	<-c.readDone
}

// read handles the server's frames until the connection ends.
func (c *h2Conn) read() {
	defer close(c.readDone)
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				continue
			}
			c.mu.Lock()
			if v, ok := f.Value(http2.SettingInitialWindowSize); ok {
				delta := int64(v) - c.initWin
				c.initWin = int64(v)
				for _, s := range c.streams {
					s.win += delta
				}
				c.cond.Broadcast()
			}
			c.mu.Unlock()
			c.write(func() error { return c.fr.WriteSettingsAck() })
		case *http2.PingFrame:
			if !f.IsAck() {
				data := f.Data
				c.write(func() error { return c.fr.WritePing(true, data) })
			}
		case *http2.WindowUpdateFrame:
			c.mu.Lock()
			if f.StreamID == 0 {
				c.connWin += int64(f.Increment)
			} else if s := c.streams[f.StreamID]; s != nil {
				s.win += int64(f.Increment)
			}
			c.cond.Broadcast()
			c.mu.Unlock()
		case *http2.MetaHeadersFrame:
			c.mu.Lock()
			if s := c.streams[f.StreamID]; s != nil {
				if v := f.PseudoValue("status"); v != "" && v != "200" {
					s.grpcStatus = 2 // an HTTP error is UNKNOWN to gRPC
				}
				for _, hf := range f.RegularFields() {
					switch hf.Name {
					case "grpc-status":
						if n, err := strconv.Atoi(hf.Value); err == nil {
							s.grpcStatus = n
						}
					case "grpc-message":
						s.grpcMsg = hf.Value
					}
				}
				if s.answered() && s.answeredAt.IsZero() {
					s.answeredAt = time.Now()
				}
			}
			c.cond.Broadcast()
			c.mu.Unlock()
		case *http2.DataFrame:
			// Answers are small; give back what they take so that the
			// server is never held up by this client's windows.
			if n := len(f.Data()); n > 0 {
				id := f.StreamID
				c.write(func() error {
					if err := c.fr.WriteWindowUpdate(0, uint32(n)); err != nil {
						return err
					}
					return c.fr.WriteWindowUpdate(id, uint32(n))
				})
			}
		case *http2.RSTStreamFrame:
			c.mu.Lock()
			if s := c.streams[f.StreamID]; s != nil {
				s.reset = true
				if s.answeredAt.IsZero() {
					s.answeredAt = time.Now()
				}
			}
			c.cond.Broadcast()
			c.mu.Unlock()
		case *http2.GoAwayFrame:
			c.mu.Lock()
			c.goAway = true
			c.cond.Broadcast()
			c.mu.Unlock()
		}
	}
}

// write runs one framer write and flushes, under the write lock; errors end
// up as the reader's.
func (c *h2Conn) write(w func() error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := w(); err == nil {
		_ = c.bw.Flush()
	}
}

// openStream sends the HEADERS of a gRPC call to path, with the token when
// set, and returns the stream id. When flush is false the frame stays
// buffered (rapid reset batches its frames).
func (c *h2Conn) openStream(path, token string, endStream, flush bool) (uint32, error) {
	c.mu.Lock()
	id := c.nextID
	c.nextID += 2
	c.streams[id] = &h2Stream{win: c.initWin, grpcStatus: -1}
	c.mu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.encBuf.Reset()
	fields := []hpack.HeaderField{
		{Name: ":method", Value: "POST"},
		{Name: ":scheme", Value: "http"},
		{Name: ":path", Value: path},
		{Name: ":authority", Value: c.addr},
		{Name: "content-type", Value: "application/grpc"},
		{Name: "te", Value: "trailers"},
	}
	if token != "" {
		fields = append(fields, hpack.HeaderField{Name: "authorization", Value: "Bearer " + token})
	}
	for _, f := range fields {
		if err := c.enc.WriteField(f); err != nil {
			return 0, err
		}
	}
	err := c.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: id, BlockFragment: c.encBuf.Bytes(), EndHeaders: true, EndStream: endStream,
	})
	if err == nil && flush {
		err = c.bw.Flush()
	}
	return id, err
}

// resetStream sends RST_STREAM(CANCEL) for id, buffered unless flush.
func (c *h2Conn) resetStream(id uint32, flush bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.fr.WriteRSTStream(id, http2.ErrCodeCancel)
	if err == nil && flush {
		err = c.bw.Flush()
	}
	return err
}

// flush sends what is buffered.
func (c *h2Conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.bw.Flush()
}

// errStreamAnswered ends sendData when the server has already answered
// (or reset) the stream: it will read nothing more.
var errStreamAnswered = errors.New("stream answered before its data was sent")

// maxFrame is the largest DATA frame sent: HTTP/2's default
// SETTINGS_MAX_FRAME_SIZE.
const maxFrame = 16384

// sendData sends data on stream id as flow control allows, waiting for
// window updates until deadline.
func (c *h2Conn) sendData(id uint32, data []byte, endStream bool, deadline time.Time) error {
	stop := time.AfterFunc(time.Until(deadline), func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop.Stop()
	for len(data) > 0 || endStream {
		c.mu.Lock()
		s := c.streams[id]
		var n int64
		for {
			if c.readErr != nil {
				err := c.readErr
				c.mu.Unlock()
				return err
			}
			if s.answered() {
				c.mu.Unlock()
				return errStreamAnswered
			}
			if !time.Now().Before(deadline) {
				c.mu.Unlock()
				return fmt.Errorf("stream %d: flow control held %d bytes back", id, len(data))
			}
			n = min(int64(len(data)), c.connWin, s.win, maxFrame)
			if n > 0 || len(data) == 0 {
				break
			}
			c.cond.Wait()
		}
		c.connWin -= n
		s.win -= n
		c.mu.Unlock()
		chunk := data[:n]
		data = data[n:]
		last := endStream && len(data) == 0
		c.wmu.Lock()
		err := c.fr.WriteData(id, last, chunk)
		if err == nil {
			err = c.bw.Flush()
		}
		c.wmu.Unlock()
		if err != nil {
			return err
		}
		if last || len(data) == 0 {
			return nil
		}
	}
	return nil
}

// waitAnswer waits until the server answers stream id or deadline passes,
// and returns the stream's state.
func (c *h2Conn) waitAnswer(id uint32, deadline time.Time) h2Stream {
	stop := time.AfterFunc(time.Until(deadline), func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.streams[id]
	for !s.answered() && c.readErr == nil && time.Now().Before(deadline) {
		c.cond.Wait()
	}
	return *s
}

// tally counts the streams answered with each gRPC status ("reset" for a
// stream reset without one) and those still open.
func (c *h2Conn) tally(into map[string]int) (open int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.streams {
		switch {
		case s.grpcStatus >= 0:
			into[codeName(s.grpcStatus)]++
		case s.reset:
			into["reset"]++
		default:
			open++
		}
	}
	return open
}

// gotGoAway reports whether the server sent GOAWAY.
func (c *h2Conn) gotGoAway() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.goAway
}

// dropStreams forgets the state of streams the caller has no more use for,
// so that a flood of them costs the harness no memory.
func (c *h2Conn) dropStreams() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.streams)
}
