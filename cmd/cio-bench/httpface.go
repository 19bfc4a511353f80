package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/eventmix"
	"github.com/cio-transformer/cio-transformer/internal/procstat"
)

// httpResult is what a run of the HTTP face measured: rudder-server's
// router transform, plain JSON over HTTP/1.1, as rudder-server calls it.
type httpResult struct {
	Machine machineInfo `json:"machine"`
	// Gzip is set when the clients asked for gzip answers, as
	// rudder-server does.
	Gzip bool `json:"gzip"`
	// Compacted is set when the requests were in the compacted format,
	// each destination once, as rudder-server sends them to a
	// transformer that offers it.
	Compacted bool `json:"compacted"`
	// Clients is how many clients posted at once, each a router request
	// of Batch jobs after the last was answered.
	Clients int     `json:"clients"`
	Batch   int     `json:"batch"`
	Seconds float64 `json:"seconds"`
	Events  int64   `json:"events"`
	// ServerCPUSeconds is the server's CPU time over the measured time.
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	PeakRSSBytes     int64   `json:"peak_rss_bytes"`
	// FloorSeconds is the floor's CPU seconds per event (see floor),
	// measured in the same run.
	FloorSeconds float64 `json:"floor_seconds_per_event"`
	// Line is the summary line cio-bench printed.
	Line string `json:"line"`
}

// workload names the run: router, with -compacted for compacted
// requests and -gzip for gzip answers.
func (r *httpResult) workload() string {
	w := "router"
	if r.Compacted {
		w += "-compacted"
	}
	if r.Gzip {
		w += "-gzip"
	}
	return w
}

// format names the requests' format.
func (r *httpResult) format() string {
	if r.Compacted {
		return "compacted"
	}
	return "plain"
}

// answers names the answers' encoding.
func (r *httpResult) answers() string {
	if r.Gzip {
		return "gzip"
	}
	return "plain"
}

// serverCPUPerEvent returns the server's CPU seconds per event.
func (r *httpResult) serverCPUPerEvent() float64 {
	if r.Events == 0 {
		return 0
	}
	return r.ServerCPUSeconds / float64(r.Events)
}

// httpClientsPerStream is how many HTTP clients stand for one stream of
// the comparison: a router request is answered whole before the next is
// sent, where a stream keeps --window request messages in flight.
const httpClientsPerStream = 2

// httpFloorTrials is how many trials of the floor a run of the HTTP face
// takes before its load and after it.
const httpFloorTrials = 5

// httpFace posts router requests of the event mix, f.batch jobs each, to
// the HTTP face of a server child from 2 × f.streams clients at once, and
// measures the server's CPU per event over f.duration after f.warmup,
// with the floor measured before and after (its median).
func httpFace(ctx context.Context, f *benchFlags, stdout, stderr io.Writer) (*httpResult, error) {
	bodies, events, err := routerBodies(f.seed, f.events, f.batch, f.httpCompacted)
	if err != nil {
		return nil, err
	}
	c, err := startChild(kindHTTP, childOptions{profiles: f.cpuProfileDir != "", goMemLimit: f.goMemLimit}, stderr)
	if err != nil {
		return nil, err
	}
	defer func() { _ = c.stop() }()
	fl := floor{events: events}
	for range httpFloorTrials {
		fl.trial()
	}
	res := &httpResult{Machine: machine(), Gzip: f.httpGzip, Compacted: f.httpCompacted, Clients: httpClientsPerStream * f.streams, Batch: f.batch}
	fmt.Fprintf(stdout, "http: %d clients posting router requests of %d jobs (HTTP/1.1, %s JSON, %s answers) for %s after %s of warm-up\n",
		res.Clients, f.batch, res.format(), res.answers(), f.duration, f.warmup)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: res.Clients, DisableCompression: !res.Gzip}}
	defer client.CloseIdleConnections()
	var answered atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, res.Clients)
	url := "http://" + c.addr + "/routerTransform"
	for i := range res.Clients {
		wg.Go(func() {
			for k := i; ctx.Err() == nil; k++ {
				if err := postRouter(ctx, client, url, bodies[k%len(bodies)], res); err != nil {
					if ctx.Err() == nil {
						errs <- err
						cancel()
					}
					return
				}
				answered.Add(int64(f.batch))
			}
		})
	}
	stop := func() error {
		cancel()
		wg.Wait()
		select {
		case err := <-errs:
			return err
		default:
			return nil
		}
	}
	sleep := func(d time.Duration) bool {
		select {
		case <-time.After(d):
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !sleep(f.warmup) {
		return nil, errors.Join(stop(), errors.New("stopped during the warm-up"))
	}
	if err := procstat.ResetPeak(c.pid()); err != nil {
		return nil, errors.Join(stop(), err)
	}
	stopProfile, err := c.startProfile(f.profilePath(kindHTTP, res.workload(), 1))
	if err != nil {
		return nil, errors.Join(stop(), err)
	}
	cpu0, err0 := procstat.CPU(c.pid())
	n0, start := answered.Load(), time.Now()
	if !sleep(f.duration) {
		_ = stopProfile()
		return nil, errors.Join(stop(), errors.New("stopped during the measured time"))
	}
	cpu1, err1 := procstat.CPU(c.pid())
	n1, elapsed := answered.Load(), time.Since(start)
	mem, err2 := procstat.ReadMemory(c.pid())
	err3 := stopProfile()
	if err := errors.Join(stop(), err0, err1, err2, err3); err != nil {
		return nil, err
	}
	for range httpFloorTrials {
		fl.trial()
	}
	res.Seconds, res.Events = elapsed.Seconds(), n1-n0
	res.ServerCPUSeconds = (cpu1 - cpu0).Seconds()
	res.PeakRSSBytes = mem.Peak
	res.FloorSeconds = fl.secondsPerEvent()
	res.Machine.LoadEnd = loadAverage()
	if res.Events == 0 {
		return nil, errors.New("no router request was answered within the measured time")
	}
	res.Line = fmt.Sprintf("http %s events/s=%.0f server_cpu_us_per_event=%.2f floor_us=%.2f multiple=%.2f peak_rss_mb=%s",
		res.workload(), float64(res.Events)/res.Seconds, res.serverCPUPerEvent()*1e6, res.FloorSeconds*1e6, res.serverCPUPerEvent()/res.FloorSeconds, megabytes(res.PeakRSSBytes))
	fmt.Fprintln(stdout, res.Line)
	return res, nil
}

// postRouter posts one router request, in the format of run, and checks
// that it is answered 200, gzip-compressed when run asks for it as
// rudder-server does.
func postRouter(ctx context.Context, client *http.Client, url string, body []byte, run *httpResult) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if run.Compacted {
		req.Header.Set("X-Content-Format", "json+compactedv1")
	}
	if run.Gzip {
		// The client's transport adds Accept-Encoding: gzip and decodes
		// the answer, as rudder-server's does.
		req.Header.Set("X-Feature-Gzip-Support", "?1")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("router transform answered %d", resp.StatusCode)
	}
	if run.Gzip && !resp.Uncompressed {
		return errors.New("router transform answered without gzip")
	}
	return nil
}

// routerBodies returns router request bodies of batch jobs each, of the
// event mix of seed (n events, rounded up to whole bodies), with the
// metadata and destination of the gRPC workloads (jobMetadata,
// benchDestination), and the events' bytes for the floor. A compacted
// body holds the destination once, under the destinationId of the jobs'
// metadata, rather than with every job.
func routerBodies(seed uint64, n, batch int, compacted bool) (bodies, events [][]byte, err error) {
	if batch <= 0 {
		return nil, nil, fmt.Errorf("batch must be positive, got %d", batch)
	}
	n = (n + batch - 1) / batch * batch
	mix := eventmix.Generate(seed, n)
	d := benchDestination()
	dest, err := json.Marshal(map[string]any{"ID": d.GetId(), "Config": map[string]any{"siteID": d.GetSiteId(), "apiKey": d.GetApiKey()}})
	if err != nil {
		return nil, nil, err
	}
	for start := 0; start < n; start += batch {
		var b bytes.Buffer
		b.WriteString(`{"destType":"customerio","input":[`)
		for i := start; i < start+batch; i++ {
			if i > start {
				b.WriteByte(',')
			}
			meta, err := jobMetadata(i)
			if err != nil {
				return nil, nil, err
			}
			fields := map[string]any{"message": json.RawMessage(mix[i].JSON), "metadata": meta.AsMap()}
			if !compacted {
				fields["destination"] = json.RawMessage(dest)
			}
			job, err := json.Marshal(fields)
			if err != nil {
				return nil, nil, err
			}
			b.Write(job)
			events = append(events, mix[i].JSON)
		}
		b.WriteString(`]`)
		if compacted {
			meta, err := jobMetadata(start)
			if err != nil {
				return nil, nil, err
			}
			dests, err := json.Marshal(map[string]json.RawMessage{meta.GetFields()["destinationId"].GetStringValue(): dest})
			if err != nil {
				return nil, nil, err
			}
			b.WriteString(`,"destinations":`)
			b.Write(dests)
		}
		b.WriteString(`}`)
		bodies = append(bodies, b.Bytes())
	}
	return bodies, events, nil
}
