package jsvalue

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// AppendJSONBytes appends the text b as a JSON string literal, exactly as
// AppendJSONString(dst, string(b)) does, without copying b into a string
// first.
func AppendJSONBytes(dst, b []byte) []byte {
	if overlapsSpare(dst, b) {
		// Appending to dst would write over b while it is read.
		return AppendJSONString(dst, string(b))
	}
	// Safe: the string is a view of b that lives only for this call,
	// which reads it and keeps none of it (it appends copies of its
	// bytes to dst); nothing writes to b meanwhile, since b shares no
	// memory with the spare capacity of dst, the only memory written
	// before the appends allocate afresh.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if plainPrefix(s, 0) == len(s) {
		// Most texts need no escape: they are copied as they are.
		dst = append(dst, '"')
		dst = append(dst, b...)
		return append(dst, '"')
	}
	return AppendJSONString(dst, s)
}

// overlapsSpare reports whether b shares memory with the
// capacity of dst past its length.
func overlapsSpare(dst, b []byte) bool {
	if cap(dst) == len(dst) || len(b) == 0 {
		return false
	}
	spare := dst[len(dst):cap(dst)]
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(spare)))
	hi := lo + uintptr(len(spare))
	blo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return blo < hi && lo < blo+uintptr(len(b))
}

// AppendJSONBytesAt appends the text msg[start:end] as a JSON string
// literal, exactly as AppendJSONBytes(dst, msg[start:end]) does. It reads
// up to 7 bytes of msg past end, which it ignores, so that a text inside a
// larger message, such as a string in a protobuf message's wire bytes, is
// checked a word at a time to its last byte; and it may write up to 8
// bytes of the capacity of dst past the text it appends, so that a short
// text is copied as a word.
func AppendJSONBytesAt(dst, msg []byte, start, end int) []byte {
	n, l := end-start, len(dst)
	if uint(n) <= 8 {
		if start >= 0 && start <= len(msg)-8 && cap(dst)-l >= 10 {
			// A text of a word or less, with a word of msg to read and
			// room for one in dst: it is read and written as one.
			x := binary.LittleEndian.Uint64(msg[start:])
			// Only the low n bytes are the text's; a flag does not carry
			// downwards (see EscapedBytes).
			if EscapedBytes(x)&(1<<(8*uint(n))-1) == 0 {
				d := dst[l : l+10]
				d[0] = '"'
				binary.LittleEndian.PutUint64(d[1:], x)
				d[1+n] = '"'
				return dst[:l+2+n]
			}
		}
		return AppendJSONBytes(dst, msg[start:end])
	}
	b := msg[start:end]
	// The words that hold the text, two or more, the last one running
	// past its end by 8-last bytes.
	words, last := (n+7)&^7, (n-1)&7+1
	if len(msg)-start < words {
		// The text ends its message, or nearly.
		return AppendJSONBytes(dst, b)
	}
	w := msg[start : start+words]
	var escaped uint64
	for ; len(w) > 8; w = w[8:] {
		escaped |= EscapedBytes(binary.LittleEndian.Uint64(w))
	}
	escaped |= EscapedBytes(binary.LittleEndian.Uint64(w)) & (1<<(8*uint(last)) - 1)
	if escaped != 0 {
		return AppendJSONBytes(dst, b)
	}
	// Most texts need no escape: they are copied as they are. The copy
	// comes first and moves b as it was, even when b lies in the spare
	// capacity of dst.
	dst = slices.Grow(dst, n+2)[:l+n+2]
	copy(dst[l+1:], b)
	dst[l] = '"'
	dst[l+1+n] = '"'
	return dst
}

// EscapedBytes returns the high bit of each byte of the word x, read
// little-endian, that a JSON string does not hold as it is: a byte below
// 0x20, '"', '\\', or one that is not ASCII (which may need a check or an
// escape), as plainPrefix tells them. Borrows carry only upwards, from a
// flagged byte, so the lowest flag is exact and the flags of the low bytes
// of x do not depend on the bytes above them.
func EscapedBytes(x uint64) uint64 {
	return ((x - lsb*0x20) | ((x ^ lsb*'"') - lsb) | ((x ^ lsb*'\\') - lsb) | x) & msb
}
