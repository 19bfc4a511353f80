package jsvalue

// The index: one pass over the document that checks it with the tokenizer,
// reports the first error as the JSON parser would, and records every
// token in a table of nodes, in document order. The reader (document.go)
// builds values from the nodes alone.

// node is one token of the document: a value, or an object member's key
// (the node before the member's value). An object or array has two nodes,
// its contents follow them:
//
//	{start: where it starts, end: the index of the node after its contents}
//	{start: its slot in doc.cs and doc.infos, end: its number of members or elements}
//
// A scalar has one, {start, end | flags<<flagShift}: where its text
// starts and ends, and its tokenFlags.
type node struct {
	start uint32
	end   uint32
}

// flagShift places a scalar's tokenFlags in node.end, above its offset:
// the document is shorter than 1<<flagShift bytes.
const flagShift = 30

// endOf returns where the text of scalar node nd ends.
func (nd node) endOf() uint32 { return nd.end & (1<<flagShift - 1) }

// flagsOf returns the tokenFlags of scalar node nd.
func (nd node) flagsOf() tokenFlags { return tokenFlags(nd.end >> flagShift) }

// frame is an object or array the index is inside: its first node, its
// slot, how many members or elements it has so far, and its keys.
type frame struct {
	node  uint32
	slot  uint32
	n     uint32
	isObj bool
	keys  dedup
}

// indexer is the state of one indexing pass. Its slices are pooled.
type indexer struct {
	src   string
	nodes []node
	// cs holds, for each container in document order, what the reader
	// needs beyond its node.
	cs    []containerInfo
	stack []frame
	// table finds duplicate keys in large objects (see dedup).
	table []uint32
}

// containerInfo is what the index learns about a container: where its
// text ends, the slot of the container holding it (noParent for the
// top-level value), and its flags.
type containerInfo struct {
	end    uint32
	parent uint32
	flags  uint32
}

// Container flags.
const (
	// rewritten: the text is not what AppendJSON writes for the
	// container, even without its whitespace.
	rewritten uint32 = 1 << iota
	// spaced: the text has whitespace between its tokens.
	spaced
	// duplicated: an object may have a key more than once (the same text
	// twice, or a key spelled with an escape AppendJSON does not write), so
	// it is built, keeping one member per key, before its members are read.
	duplicated
	// stale: a container inside this one has been read, and may have
	// changed since, so the text is no longer the container. Set by the
	// reader.
	stale
)

// noParent is the parent of the top-level container.
const noParent = ^uint32(0)

// run indexes the document, returning the first error.
func (x *indexer) run() *SyntaxError {
	src := x.src
	i := skipSpace(src, 0)
	key := false
	// top is the innermost container's frame, nil outside any.
	var top *frame
	for {
		if key {
			// A member's key is expected at i: check it, and the ':'
			// after it.
			key = false
			if i >= len(src) || src[i] != '"' {
				return errorAt(src, i, "expected string for object key")
			}
			// A plain key (see consumeString) needs no more. A plain
			// string right after its ':', the most common value, is read
			// with it (see plainMember).
			end, value := plainMember(src, i+1)
			fl := tokenFlags(0)
			if end < 0 {
				var err *SyntaxError
				if end, fl, err = consumeString(src, i); err != nil {
					return err
				}
			}
			x.nodes = append(x.nodes, node{start: uint32(i), end: uint32(end) | uint32(fl)<<flagShift})
			f := top
			// A key with an escape AppendJSON does not write marks its
			// object duplicated at once, which has every key compared
			// when it is read. Past bloomKeys members, the object is
			// checked when it ends (see hasDuplicateKey).
			if fl&flagRewrite != 0 || f.n < bloomKeys && f.keys.mayHave(bloomHash(src, i, end)) && x.hasKey(f, src[i+1:end-1]) {
				x.cs[f.slot].flags |= rewritten | duplicated
			}
			if value >= 0 {
				// The value needs no turn of the loop, nor, most often, the
				// ',' before the next key.
				x.nodes = append(x.nodes, node{start: uint32(end + 1), end: uint32(value)})
				i = value
				if i+1 < len(src) && src[i] == ',' && src[i+1] == '"' {
					f.n++
					i++
					key = true
					continue
				}
				goto ended
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
			if end := plainString(src, i+1); end >= 0 {
				x.nodes = append(x.nodes, node{start: uint32(i), end: uint32(end)})
				i = end
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
			top = &x.stack[len(x.stack)-1]
			j := i + 1
			if j < len(src) && src[j] <= ' ' {
				j = x.space(j)
			}
			if j < len(src) && (src[j] == '}' && c == '{' || src[j] == ']' && c == '[') {
				i = j + 1
				top = x.close(i)
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
	ended:
		for {
			if top == nil {
				if i = skipSpace(src, i); i < len(src) {
					return &SyntaxError{Offset: i, msg: "unexpected data after top-level value"}
				}
				return nil
			}
			f := top
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
					top = x.close(i)
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
				top = x.close(i)
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
func (x *indexer) scalar(start, end int, fl tokenFlags) {
	if fl&flagRewrite != 0 && len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= rewritten
	}
	x.nodes = append(x.nodes, node{start: uint32(start), end: uint32(end) | uint32(fl)<<flagShift})
}

// open records the container starting at i.
func (x *indexer) open(i int, isObj bool) {
	parent := noParent
	if len(x.stack) > 0 {
		parent = x.stack[len(x.stack)-1].slot
	}
	slot := uint32(len(x.cs))
	n := uint32(len(x.nodes))
	x.nodes = append(x.nodes, node{start: uint32(i)}, node{start: slot})
	x.cs = append(x.cs, containerInfo{parent: parent})
	x.stack = append(x.stack, frame{node: n, slot: slot, isObj: isObj})
}

// close completes the innermost container, which ends before end, and
// returns the frame of the container holding it, nil for the top-level
// value.
func (x *indexer) close(end int) *frame {
	f := &x.stack[len(x.stack)-1]
	x.nodes[f.node].end = uint32(len(x.nodes))
	x.nodes[f.node+1].end = f.n
	info := &x.cs[f.slot]
	info.end = uint32(end)
	if f.isObj && f.n > bloomKeys && info.flags&duplicated == 0 && x.hasDuplicateKey(f) {
		info.flags |= rewritten | duplicated
	}
	x.stack = x.stack[:len(x.stack)-1]
	if info.parent == noParent {
		return nil
	}
	x.cs[info.parent].flags |= info.flags & (rewritten | spaced)
	return &x.stack[len(x.stack)-1]
}

// space skips the whitespace at i, inside the innermost container, which
// AppendJSON would not write: the container is then copied without it.
func (x *indexer) space(i int) int {
	if len(x.stack) > 0 {
		x.cs[x.stack[len(x.stack)-1].slot].flags |= spaced
	}
	return skipSpace(x.src, i)
}
