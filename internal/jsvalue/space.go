package jsvalue

// IsSpace reports whether r is JavaScript WhiteSpace or LineTerminator, the
// characters String.prototype.trim and Number() strip: U+FEFF is one,
// U+0085 is not, unlike unicode.IsSpace.
func IsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// TrimSpace returns s without the JavaScript whitespace at both ends, as
// String.prototype.trim does.
func TrimSpace(s string) string {
	for s != "" {
		r, size := DecodeRune(s)
		if !IsSpace(r) {
			break
		}
		s = s[size:]
	}
	for s != "" {
		r, size := DecodeLastRune(s)
		if !IsSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}
