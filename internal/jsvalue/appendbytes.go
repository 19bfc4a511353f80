package jsvalue

import "unsafe"

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
