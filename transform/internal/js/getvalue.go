package js

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// GetValue reads the dotted path from root as npm get-value does: the whole
// path as one key first, then segment by segment (see Lookup).
func GetValue(root jsvalue.Value, path string) jsvalue.Value {
	if v, ok := has(root, path); ok {
		return v
	}
	return Lookup(root, path)
}

// Lookup reads the dotted path from root the way the npm get-value package
// (used by upstream to read traits) does: segments split on '.', a trailing
// '\' joins a segment with the next, and a segment that is not a key is
// joined with the following ones until a key matches. Only objects and
// arrays are walked.
//
// The keys tried are slices of path, or of one copy of its rest when a
// backslash has joined segments, so a long path with many segments costs
// no allocation per key tried.
func Lookup(root jsvalue.Value, path string) jsvalue.Value {
	if !isContainer(root) {
		return jsvalue.Undefined()
	}
	var buf [16]int
	p := splitPath(path, buf[:0])
	segs := len(p.ends)
	target := root
	idx := 0
	for {
		start := p.start(idx)
		prop := p.seg(idx)
		// rest is what the joins below append to: path from start, or a
		// copy whose joined backslashes are dropped.
		rest, restEnd := path[start:], p.ends[idx]-start
		if prop != "" && prop[len(prop)-1] == '\\' {
			var b strings.Builder
			for prop != "" && prop[len(prop)-1] == '\\' {
				b.WriteString(prop[:len(prop)-1])
				b.WriteByte('.')
				idx++
				prop = ""
				if idx < segs {
					prop = p.seg(idx)
				}
			}
			b.WriteString(prop)
			restEnd = b.Len()
			if idx < segs {
				b.WriteString(path[p.ends[idx]:])
			}
			rest = b.String()
			prop = rest[:restEnd]
		}
		if v, ok := has(target, prop); ok {
			target = v
		} else {
			found := false
			for n := idx + 1; n < segs; n++ {
				prop = rest[:restEnd+p.ends[n]-p.ends[idx]]
				if v, ok := has(target, prop); ok {
					target = v
					idx = n
					found = true
					break
				}
			}
			if !found {
				return jsvalue.Undefined()
			}
		}
		idx++
		if idx >= segs || !isContainer(target) {
			break
		}
	}
	if idx == segs {
		return target
	}
	return jsvalue.Undefined()
}

// dottedPath is a path split on '.': segment i ends at ends[i], and starts
// just after ends[i-1].
type dottedPath struct {
	path string
	ends []int
}

// splitPath splits path, with ends appended to buf.
func splitPath(path string, buf []int) dottedPath {
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			buf = append(buf, i)
		}
	}
	return dottedPath{path: path, ends: append(buf, len(path))}
}

// start returns where segment i starts.
func (p dottedPath) start(i int) int {
	if i == 0 {
		return 0
	}
	return p.ends[i-1] + 1
}

// seg returns segment i.
func (p dottedPath) seg(i int) string { return p.path[p.start(i):p.ends[i]] }

// has reports whether key is an own key of an object, or an index or the
// length of an array (JavaScript's `key in target`, the keys objects
// inherit aside: deviation D5), and its value.
func has(target jsvalue.Value, key string) (jsvalue.Value, bool) {
	if key == "length" && target.IsArray() {
		return jsvalue.Int(int64(target.Len())), true
	}
	v := target.Get(key)
	return v, !v.IsUndefined()
}

// isContainer reports whether v is an object or an array.
func isContainer(v jsvalue.Value) bool {
	return v.IsObject() || v.IsArray()
}
