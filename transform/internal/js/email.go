package js

import (
	"strings"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// Limits of validator.js isEmail with its default options.
const (
	// emailMaxLength is the longest address, in UTF-16 code units.
	emailMaxLength = 254
	// emailMaxLocalBytes is the longest local part, in UTF-8 bytes.
	emailMaxLocalBytes = 64
	// emailMaxDomainBytes is the longest domain, in UTF-8 bytes.
	emailMaxDomainBytes = 254
	// fqdnMaxLabel is the longest domain label, in UTF-16 code units.
	fqdnMaxLabel = 63
)

// IsEmail reports whether validator.js (13.x) isEmail(s) holds with its
// default options. Upstream uses it to choose between the "email" and "id"
// identifiers of alias and group requests, so the exact answer matters.
//
// With the defaults: no display name; at most 254 UTF-16 code units; the
// address is split at its last "@"; a local part of at most 64 bytes and a
// domain of at most 254 bytes; the domain must be a fully qualified domain
// name with a TLD (no IP address, no trailing dot, no underscore); the local
// part is either quoted ("...") or dot-separated atoms, where non-ASCII
// characters are allowed. validator's regular expressions work on UTF-16
// code units, and their non-ASCII ranges leave out the surrogates, so a
// character outside the BMP (an emoji) fails them, except in non-TLD domain
// labels whose range is \u00a1-\uffff.
func IsEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		// The whole string is then the domain and the local part is empty,
		// which no local-part pattern accepts.
		return false
	}
	if len(s) > emailMaxLength && jsvalue.UTF16Len(s) > emailMaxLength {
		return false
	}
	user, domain := s[:at], s[at+1:]
	if len(user) > emailMaxLocalBytes || len(domain) > emailMaxDomainBytes {
		return false
	}
	if !isFQDN(domain) {
		return false
	}
	if len(user) > 0 && user[0] == '"' && user[len(user)-1] == '"' {
		// A lone `"` is both the first and the last character: validator
		// then tests the empty string, which its pattern accepts.
		inner := ""
		if len(user) > 1 {
			inner = user[1 : len(user)-1]
		}
		return isQuotedLocalPart(inner)
	}
	for {
		dot := strings.IndexByte(user, '.')
		atom := user
		if dot >= 0 {
			atom = user[:dot]
		}
		if !isLocalAtom(atom) {
			return false
		}
		if dot < 0 {
			return true
		}
		user = user[dot+1:]
	}
}

// IsEmailThrows reports whether validator.js isEmail(s) throws rather than
// answers. After the length check it measures the local part and then the
// domain with isByteLength, which calls encodeURI; encodeURI throws
// URIError ("URI malformed") on a lone surrogate. The local part is what
// precedes the last "@" ("" without one), the domain what follows it (all
// of s without one); a local part over 64 bytes answers false before the
// domain is measured.
func IsEmailThrows(s string) bool {
	if !jsvalue.HasLoneSurrogate(s) || jsvalue.UTF16Len(s) > emailMaxLength {
		return false
	}
	user, domain := "", s
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		user, domain = s[:at], s[at+1:]
	}
	if jsvalue.HasLoneSurrogate(user) {
		return true
	}
	return len(user) <= emailMaxLocalBytes && jsvalue.HasLoneSurrogate(domain)
}

// emailAtext marks the ASCII characters of validator's emailUserUtf8Part
// besides letters and digits.
var emailAtext = func() (t [utf8.RuneSelf]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-/=?^_`{|}~" {
		t[c] = true
	}
	return t
}()

// inUTF8LocalRange reports whether r is in the non-ASCII ranges validator's
// local-part patterns allow after \u00A0 or \u00A1: \u00A1-\uD7FF,
// \uF900-\uFDCF and \uFDF0-\uFFEF. U+FFFD is outside them.
func inUTF8LocalRange(r rune) bool {
	return (r >= 0xA1 && r <= 0xD7FF) || (r >= 0xF900 && r <= 0xFDCF) || (r >= 0xFDF0 && r <= 0xFFEF)
}

// isLocalAtom reports whether atom matches validator's emailUserUtf8Part,
// /^[a-z\d!#\$%&'\*\+\-\/=\?\^_`{\|}~\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+$/i.
func isLocalAtom(atom string) bool {
	if atom == "" {
		return false
	}
	for i := 0; i < len(atom); {
		c := atom[i]
		if c < utf8.RuneSelf {
			if !emailAtext[c] {
				return false
			}
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(atom[i:])
		if !inUTF8LocalRange(r) {
			return false
		}
		i += size
	}
	return true
}

// isQuotedLocalPart reports whether the text between the quotes matches
// validator's quotedEmailUserUtf8:
//
//	/^([\s\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]|
//	  (\\[\x01-\x09\x0b\x0c\x0d-\x7f\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]))*$/i
//
// A backslash is outside the first class, so it always starts an escape and
// the pattern matches by a single left-to-right scan. In ASCII the first
// class is \x01-\x7f without `"` and `\` (\s supplies \t \n \r and space),
// and an escape takes anything in \x01-\x7f but \n. Beyond ASCII both take
// \u00A0 and the local-part ranges; \s adds nothing outside them.
func isQuotedLocalPart(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		escaped := false
		if c == '\\' {
			escaped = true
			i++
			if i == len(s) {
				return false
			}
			c = s[i]
		}
		if c < utf8.RuneSelf {
			switch {
			case c == 0:
				return false
			case escaped && c == '\n':
				return false
			case !escaped && c == '"':
				return false
			}
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(s[i:])
		if r != 0xA0 && !inUTF8LocalRange(r) {
			return false
		}
		i += size
	}
	return true
}

// isFQDN reports whether validator.js isFQDN(domain) holds with the options
// IsEmail passes by default: require_tld, no underscores, no trailing dot,
// no numeric TLD, no wildcard, labels of at most 63 UTF-16 code units.
func isFQDN(domain string) bool {
	last := strings.LastIndexByte(domain, '.')
	if last < 0 {
		return false
	}
	if !isTLD(domain[last+1:]) {
		return false
	}
	for {
		dot := strings.IndexByte(domain, '.')
		label := domain
		if dot >= 0 {
			label = domain[:dot]
		}
		if !isDomainLabel(label) {
			return false
		}
		if dot < 0 {
			return true
		}
		domain = domain[dot+1:]
	}
}

// isTLD reports whether tld passes validator's TLD checks:
// /^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})$/i
// and no \s. A character outside the BMP is two surrogate code units, which
// the first alternative does not take.
func isTLD(tld string) bool {
	if len(tld) >= 4 && (tld[0] == 'x' || tld[0] == 'X') && (tld[1] == 'n' || tld[1] == 'N') && isPunycodeTail(tld[2:]) {
		return true
	}
	n := 0
	for i := 0; i < len(tld); {
		c := tld[i]
		if c < utf8.RuneSelf {
			if !isASCIILetter(c) {
				return false
			}
			n++
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(tld[i:])
		if !isTLDRune(r) {
			return false
		}
		n++
		i += size
	}
	return n >= 2
}

// isTLDRune reports whether non-ASCII r is in the TLD class and is not
// JavaScript whitespace (\s), which validator tests separately.
func isTLDRune(r rune) bool {
	if !inUTF8LocalRange(r) || r == 0xA9 {
		return false
	}
	switch {
	case r == 0x1680, r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029,
		r == 0x202F, r == 0x205F, r == 0x3000, r == 0xFEFF:
		return false
	}
	return true
}

// isPunycodeTail reports whether s matches [a-z0-9-]{2,} case-insensitively.
func isPunycodeTail(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// isDomainLabel reports whether label passes validator's per-label checks:
// at most 63 UTF-16 code units, /^[a-z_\u00a1-\uffff0-9-]+$/i (surrogates
// included, so any character outside the BMP), no full-width character
// \uff01-\uff5e, no leading or trailing hyphen, no underscore.
func isDomainLabel(label string) bool {
	if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	n := 0
	for i := 0; i < len(label); {
		c := label[i]
		if c < utf8.RuneSelf {
			if !isASCIILetter(c) && (c < '0' || c > '9') && c != '-' {
				return false
			}
			n++
			i++
			continue
		}
		r, size := jsvalue.DecodeRune(label[i:])
		switch {
		case r < 0xA1:
			return false
		case r >= 0xFF01 && r <= 0xFF5E:
			return false
		case r > 0xFFFF:
			n += 2
		default:
			n++
		}
		i += size
	}
	return n <= fqdnMaxLabel
}
