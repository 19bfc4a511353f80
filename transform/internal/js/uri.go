package js

// uriUnreserved marks the bytes JavaScript's encodeURIComponent leaves as
// they are: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
var uriUnreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
		t[c+'a'-'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-_.!~*'()" {
		t[c] = true
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// EncodeURIComponent encodes s as JavaScript's encodeURIComponent does:
// every byte of its UTF-8 form other than A-Z a-z 0-9 - _ . ! ~ * ' ( ) is
// percent-encoded with uppercase hex. Upstream encodes every string id this
// way, not only ids that contain "/"; Go's url.PathEscape and QueryEscape
// keep a different set and do not match.
//
// s is returned as is, without allocating, when nothing needs encoding.
func EncodeURIComponent(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !uriUnreserved[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return string(AppendURIComponent(make([]byte, 0, len(s)+2*n), s))
}

// uriKept is uriUnreserved as 1 and 0, so that the marks of several bytes
// combine with & in one test.
var uriKept = func() (t [256]uint8) {
	for c, kept := range uriUnreserved {
		if kept {
			t[c] = 1
		}
	}
	return t
}()

// AppendURIComponent appends encodeURIComponent(s) to dst.
func AppendURIComponent(dst []byte, s string) []byte {
	start := 0
	for i := 0; ; i++ {
		i = keptPrefix(s, i)
		if i >= len(s) {
			break
		}
		c := s[i]
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// keptPrefix returns the index of the first byte of s from i on that
// encodeURIComponent encodes, or len(s): eight bytes at a time while all
// eight are kept, then byte by byte.
func keptPrefix(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		if uriKept[b[0]]&uriKept[b[1]]&uriKept[b[2]]&uriKept[b[3]]&
			uriKept[b[4]]&uriKept[b[5]]&uriKept[b[6]]&uriKept[b[7]] == 0 {
			break
		}
	}
	for i < len(s) && uriUnreserved[s[i]] {
		i++
	}
	return i
}
