package jsvalue

import (
	"slices"
	"strings"
	"testing"
)

// refIndexer is the index in its plainest form, each token checked by the
// tokenizer's functions and every object's keys kept in a map: the oracle
// the index is checked against (TestIndexMatchesReference, FuzzIndex). Its
// nodes, container infos and error must be the index's exactly.
type refIndexer struct {
	src   string
	nodes []node
	cs    []containerInfo
	stack []refFrame
}

// refFrame is frame with the keys of an object in a map.
type refFrame struct {
	node  uint32
	slot  uint32
	n     uint32
	isObj bool
	keys  map[string]bool
}

// checkIndex indexes data with the index and with refIndexer, and fails t
// when they differ.
func checkIndex(t *testing.T, data string) {
	t.Helper()
	x := &indexer{src: data}
	err := x.run()
	r := &refIndexer{src: data}
	want := r.run()
	if (err == nil) != (want == nil) || err != nil && *err != *want {
		t.Fatalf("index of %q: error %v, want %v", data, err, want)
	}
	if err != nil {
		return
	}
	if !slices.Equal(x.nodes, r.nodes) {
		t.Fatalf("index of %q: nodes\n%v\nwant\n%v", data, x.nodes, r.nodes)
	}
	if !slices.Equal(x.cs, r.cs) {
		t.Fatalf("index of %q: containers\n%v\nwant\n%v", data, x.cs, r.cs)
	}
}

// TestIndexMatchesReference checks the index against refIndexer on the
// parse tests' documents and on every prefix of some of them, so that
// each way the text can end early is met at each token.
func TestIndexMatchesReference(t *testing.T) {
	t.Parallel()
	docs := []string{
		benchEvent, manyKeys(40), manyKeys(20),
		`{"a":1,"a":2,"b":{"a":[1,2,{"a":null}]}}`, `[1,[2,[3,[4]]]]`, `{"":{}}`,
		`{"\ud800":1,"\udc00":2,"\ufffd":3}`, `{"\ufffd":0,"\ud800":0,"\ufffd":1}`,
		`{ "a" : "b" , "c":"d\n" ,"abcdefgh":"abcdefghijklmnopq", "abcdefgi":1,"abcdefgh":[]}`,
		`{"abcdefghijklmnop":1,"abcdefghijklmnoq":2,"abcdefghijklmnop":3}`,
		`{"a\"b":1,"a\"b":2}`, `{"k\/":1}`, "{\"\xff\":1,\"\xfe\":2,\"\xff\":3}",
		`["","a","ab","abcdefg","abcdefgh","abcdefghi","abcdefghijklmnop","abcdefghijklmnopq"]`,
		`[1,]`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1,}`, `{,}`, `{"a"}`, `[01]`, `1.`, `-`, `"\u12`, "\"a\nb\"",
		` [ 1 , 2 ] `, "\xef\xbb\xbf1", `{"a":tru}`, `{"a":nul}`, `[fals]`, `{"a":"b"}x`, `{"a":{"b":[]}}`,
	}
	for _, d := range docs {
		for n := 0; n <= len(d); n++ {
			checkIndex(t, d[:n])
			checkIndex(t, d[:n]+strings.Repeat(" ", 20))
		}
	}
}

// FuzzIndex checks the index against refIndexer.
func FuzzIndex(f *testing.F) {
	for _, s := range []string{
		benchEvent, manyKeys(40), `{"a":1,"a":2,"b":{"a":[1,2,{"a":null}]}}`,
		`{"abcdefgh":1,"abcdefgi":{"abcdefgh":2,"x":"\u0001"},"abcdefgh":3}`,
		`[1,]`, `{"a" 1}`, `"\u12`, "\"a\nb\"", ` [ 1 , 2 ] `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		checkIndex(t, data)
	})
}

// run indexes the document, returning the first error.
func (x *refIndexer) run() *SyntaxError {
	src := x.src
	i := skipSpace(src, 0)
	key := false
	for {
		if key {
			// A member's key is expected at i: check it, and the ':'
			// after it.
			key = false
			if i >= len(src) || src[i] != '"' {
				return errorAt(src, i, "expected string for object key")
			}
			// A plain key (see consumeString) needs no more.
			end, fl := plainPrefix(src, i+1)+1, tokenFlags(0)
			if end > len(src) || src[end-1] != '"' {
				var err *SyntaxError
				if end, fl, err = consumeString(src, i); err != nil {
					return err
				}
			}
			x.nodes = append(x.nodes, node{start: uint32(i), end: uint32(end) | uint32(fl)<<flagShift})
			f := &x.stack[len(x.stack)-1]
			if f.keys == nil {
				f.keys = map[string]bool{}
			}
			dupKey := f.keys[src[i+1:end-1]]
			f.keys[src[i+1:end-1]] = true
			// A key with an escape AppendJSON does not write marks its
			// object duplicated at once, which has every key compared
			// when it is read. Past bloomKeys members, the object is
			// checked when it ends (see hasDuplicateKey).
			if fl&flagRewrite != 0 || dupKey {
				x.cs[f.slot].flags |= rewritten | duplicated
			}
			if end+1 < len(src) && src[end] == ':' && src[end+1] > ' ' {
				i = end + 1
			} else {
				i = end
				if i < len(src) && src[i] <= ' ' {
					i = x.space(i)
				}
				if i >= len(src) || src[i] != ':' {
					return errorAt(src, i, "expected ':' after object key")
				}
				i++
				if i < len(src) && src[i] <= ' ' {
					i = x.space(i)
				}
			}
		}
		// A value is expected at i.
		if i >= len(src) {
			return errorAt(src, i, "")
		}
		switch c := src[i]; c {
		case '"':
			// A plain string (see consumeString) needs no more.
			if end := plainPrefix(src, i+1); end < len(src) && src[end] == '"' {
				x.nodes = append(x.nodes, node{start: uint32(i), end: uint32(end + 1)})
				i = end + 1
				break
			}
			end, fl, err := consumeString(src, i)
			if err != nil {
				return err
			}
			x.scalar(i, end, fl)
			i = end
		case '{', '[':
			if len(x.stack) >= MaxDepth {
				return &SyntaxError{Offset: i, msg: "nesting too deep"}
			}
			x.open(i, c == '{')
			j := i + 1
			if j < len(src) && src[j] <= ' ' {
				j = x.space(j)
			}
			if j < len(src) && (src[j] == '}' && c == '{' || src[j] == ']' && c == '[') {
				i = j + 1
				x.close(i)
				break
			}
			if c == '[' {
				i = j
				continue
			}
			i, key = j, true
			continue
		case 't':
			end, err := consumeLiteral(src, i, "true")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		case 'f':
			end, err := consumeLiteral(src, i, "false")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		case 'n':
			end, err := consumeLiteral(src, i, "null")
			if err != nil {
				return err
			}
			x.scalar(i, end, 0)
			i = end
		default:
			if c != '-' && (c < '0' || c > '9') {
				return &SyntaxError{Offset: i, msg: "invalid character looking for beginning of value"}
			}
			end, fl, err := consumeNumber(src, i)
			if err != nil {
				return err
			}
			x.scalar(i, end, fl)
			i = end
		}
		// A value ended before i: close the containers it ends, then
		// move to the next member or element.
		for {
			if len(x.stack) == 0 {
				if i = skipSpace(src, i); i < len(src) {
					return &SyntaxError{Offset: i, msg: "unexpected data after top-level value"}
				}
				return nil
			}
			f := &x.stack[len(x.stack)-1]
			f.n++
			if i < len(src) && src[i] <= ' ' {
				i = x.space(i)
			}
			if i >= len(src) {
				return errorAt(src, i, "")
			}
			c := src[i]
			i++
			if f.isObj {
				if c == '}' {
					x.close(i)
					continue
				}
				if c != ',' {
					return &SyntaxError{Offset: i - 1, msg: "expected ',' or '}' after object member"}
				}
				if i < len(src) && src[i] <= ' ' {
					i = x.space(i)
				}
				key = true
				break
			}
			if c == ']' {
				x.close(i)
				continue
			}
			if c != ',' {
				return &SyntaxError{Offset: i - 1, msg: "expected ',' or ']' after array element"}
			}
			if i < len(src) && src[i] <= ' ' {
				i = x.space(i)
			}
			break
		}
	}
}

// scalar records a string, number or literal token.
func (x *refIndexer) scalar(start, end int, fl tokenFlags) {
	if fl&flagRewrite != 0 && len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= rewritten
	}
	x.nodes = append(x.nodes, node{start: uint32(start), end: uint32(end) | uint32(fl)<<flagShift})
}

// open records the container starting at i.
func (x *refIndexer) open(i int, isObj bool) {
	parent := noParent
	if len(x.stack) > 0 {
		parent = x.stack[len(x.stack)-1].slot
	}
	slot := uint32(len(x.cs))
	n := uint32(len(x.nodes))
	x.nodes = append(x.nodes, node{start: uint32(i)}, node{start: slot})
	x.cs = append(x.cs, containerInfo{parent: parent})
	x.stack = append(x.stack, refFrame{node: n, slot: slot, isObj: isObj})
}

// close completes the innermost container, which ends before end.
func (x *refIndexer) close(end int) {
	f := &x.stack[len(x.stack)-1]
	x.nodes[f.node].end = uint32(len(x.nodes))
	x.nodes[f.node+1].end = f.n
	info := &x.cs[f.slot]
	info.end = uint32(end)
	x.stack = x.stack[:len(x.stack)-1]
	if info.parent != noParent {
		x.cs[info.parent].flags |= info.flags & (rewritten | spaced)
	}
}

// space skips the whitespace at i, inside the innermost container, which
// AppendJSON would not write: the container is then copied without it.
func (x *refIndexer) space(i int) int {
	if len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= spaced
	}
	return skipSpace(x.src, i)
}
