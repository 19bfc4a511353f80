package jsvalue

import (
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// The tokenizer: the only code in the package that knows how JSON writes
// strings, numbers, literals and whitespace. Each consume function checks
// one token, says where it ends and reports flags about its text; the index
// (index.go) calls them once per token, and the reader (document.go) only
// calls decodeString, which walks a string the tokenizer has checked.

// tokenFlags describe the text of a string or number token.
type tokenFlags uint32

const (
	// flagDecode is set on a string that is not a plain slice of its text:
	// it has an escape or an invalid UTF-8 byte.
	flagDecode tokenFlags = 1 << iota
	// flagRewrite is set on a token whose text is not what AppendJSON
	// writes for its value (a number not as JavaScript prints it, an
	// escape JSON.stringify does not write, invalid UTF-8), so that its
	// container cannot be copied verbatim.
	flagRewrite
)

// SyntaxError is the error Parse returns for text that is not one JSON value.
// Its message never quotes the input.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	msg    string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string {
	return "jsvalue: " + e.msg + " at offset " + strconv.Itoa(e.Offset)
}

// msgEOF is the message of every error found at the end of the input.
const msgEOF = "unexpected end of JSON input"

// errorAt returns the error msg at offset i, or the end-of-input error when
// i is past the text.
func errorAt(src string, i int, msg string) *SyntaxError {
	if i >= len(src) {
		return &SyntaxError{Offset: len(src), msg: msgEOF}
	}
	return &SyntaxError{Offset: i, msg: msg}
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-whitespace byte at or after
// i, or len(s).
func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// consumeLiteral checks the literal word at i.
func consumeLiteral(src string, i int, word string) (int, *SyntaxError) {
	for k := 0; k < len(word); k++ {
		if i+k >= len(src) || src[i+k] != word[k] {
			return 0, errorAt(src, i+k, "invalid literal")
		}
	}
	return i + len(word), nil
}

// consumeNumber checks the number at i (a '-' or a digit) and returns the
// index after it, with flagRewrite when JavaScript prints it otherwise. The
// integers and decimals of events are told plain from what the scan saw
// (see plainFraction), without a second look at their text.
func consumeNumber(src string, i int) (int, tokenFlags, *SyntaxError) {
	start := i
	if src[i] == '-' {
		i++
	}
	digits := i
	switch {
	case i >= len(src):
		return 0, 0, errorAt(src, i, "")
	case src[i] == '0':
		i++
	case src[i] >= '1' && src[i] <= '9':
		i++
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	default:
		return 0, 0, &SyntaxError{Offset: i, msg: "invalid number"}
	}
	intDigits, frac := i-digits, ""
	if i < len(src) && src[i] == '.' {
		i++
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			return 0, 0, errorAt(src, i, "invalid number: expected digit after '.'")
		}
		frac = src[d:i]
	}
	exp := false
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		exp = true
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		d := i
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		if i == d {
			return 0, 0, errorAt(src, i, "invalid number: expected digit in exponent")
		}
	}
	if !exp {
		// A plain integer (see isPlainInteger): at most 15 digits, and no
		// leading zero or negative zero. A plain decimal: see
		// plainFraction.
		zero := src[digits] == '0'
		if frac == "" && intDigits <= maxExactDigits && (!zero || digits == start) ||
			frac != "" && plainFraction(intDigits, zero, frac) {
			return i, 0, nil
		}
	}
	if text := src[start:i]; canonicalNumber(text) == text {
		return i, 0, nil
	}
	return i, flagRewrite, nil
}

// consumeString checks the string at i (a '"') and returns the index after
// its closing quote and its flags. A string that plainPrefix reads to its
// closing quote is plain, with no flags: the index checks for that first,
// as most keys and values of events are.
func consumeString(src string, i int) (int, tokenFlags, *SyntaxError) {
	var fl tokenFlags
	i++
	for {
		i = plainPrefix(src, i)
		if i >= len(src) {
			return 0, 0, errorAt(src, i, "")
		}
		switch c := src[i]; {
		case c == '"':
			return i + 1, fl, nil
		case c == '\\':
			fl |= flagDecode
			if i+1 >= len(src) {
				return 0, 0, errorAt(src, i+1, "")
			}
			switch src[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i += 2
			case '/':
				fl |= flagRewrite
				i += 2
			case 'u':
				if _, err := hex4(src, i+2); err != nil {
					return 0, 0, err
				}
				if !canonicalEscape(src[i+2 : i+6]) {
					fl |= flagRewrite
				}
				i += 6
			default:
				return 0, 0, &SyntaxError{Offset: i, msg: "invalid escape in string"}
			}
		case c < 0x20:
			return 0, 0, &SyntaxError{Offset: i, msg: "invalid control character in string"}
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && size == 1 {
				fl |= flagDecode | flagRewrite
			}
			i += size
		}
	}
}

// hex4 reads the four hex digits of a \u escape at i.
func hex4(src string, i int) (rune, *SyntaxError) {
	if i+4 > len(src) {
		return 0, &SyntaxError{Offset: len(src), msg: msgEOF}
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := src[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, &SyntaxError{Offset: j, msg: "invalid \\u escape in string"}
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// canonicalEscape reports whether \u followed by the hex digits h is how
// AppendJSONString escapes a character: lowercase, and only for control
// characters without a short escape.
func canonicalEscape(h string) bool {
	if h[0] != '0' || h[1] != '0' || (h[2] != '0' && h[2] != '1') {
		return false
	}
	c := h[3]
	if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
		return false
	}
	if h[2] == '0' {
		switch c {
		case '8', '9', 'a', 'c', 'd': // \b \t \n \f \r
			return false
		}
	}
	return true
}

// decodeString appends the value of the checked string token s, quotes
// excluded, to dst: escapes decoded, a surrogate pair of escapes joined, a
// lone surrogate kept (see DecodeRune), each invalid UTF-8 byte as U+FFFD.
func decodeString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		j := plainPrefix(s, i)
		dst = append(dst, s[i:j]...)
		if i = j; i >= len(s) {
			break
		}
		c := s[i]
		if c != '\\' {
			// Non-ASCII: the checked text holds no control character.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\uFFFD"...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch esc := s[i+1]; esc {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, _ := hex4(s, i+2)
			i += 6
			if r >= 0xD800 && r < 0xDC00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if lo, _ := hex4(s, i+2); lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
			}
			// A lone surrogate stays one, as in a JavaScript string.
			dst = AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, esc)
		}
		i += 2
	}
	return dst
}

// strPlain marks the bytes a string can hold with no further attention:
// printable ASCII other than '"' and '\\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainPrefixWords is plainPrefix in Go, for every architecture: it
// checks eight bytes at a time, as event strings are mostly ASCII, and a
// word-wide check is several times faster than a byte table. On amd64,
// plainPrefix checks sixteen at a time in assembly, unless the package is
// built with the purego tag.
func plainPrefixWords(s string, i int) int {
	for i+8 <= len(s) {
		// The lowest byte EscapedBytes flags is exact.
		if m := EscapedBytes(word(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(s) && strPlain[s[i]] {
		i++
	}
	return i
}

// plainStringWords is plainString in Go: the index after the '"' that
// ends the string whose text starts at i in s, when plainPrefix(s, i) is
// that quote, and -1 otherwise.
func plainStringWords(s string, i int) int {
	if j := plainPrefixWords(s, i); j < len(s) && s[j] == '"' {
		return j + 1
	}
	return -1
}

// plainMemberWords is plainMember in Go: plainString(s, i), for the key
// of an object member whose text starts at i, and plainString of the
// string that follows it after a ':' with no space around, or -1 when
// none does.
func plainMemberWords(s string, i int) (key, value int) {
	key = plainStringWords(s, i)
	if key >= 0 && key+1 < len(s) && s[key] == ':' && s[key+1] == '"' {
		return key, plainStringWords(s, key+2)
	}
	return key, -1
}
