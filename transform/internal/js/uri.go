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

// AppendURIComponent appends encodeURIComponent(s) to dst.
func AppendURIComponent(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriUnreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
		start = i + 1
	}
	return append(dst, s[start:]...)
}
