package js

import (
	"strings"
	"unicode"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// ToLowerCase lowercases s as String.prototype.toLowerCase does for the strings
// that can matter here: ASCII fast, U+0130 (İ) to "i̇", which Go's ToLower
// maps to a bare "i", and a final capital sigma to "ς" (Unicode's
// Final_Sigma condition), which Go's ToLower maps to "σ".
func ToLowerCase(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return toLowerCaseUnicode(s)
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if upper {
		return strings.ToLower(s)
	}
	return s
}

// toLowerCaseUnicode lowercases non-ASCII s. Lone surrogates stay as they are,
// as toLowerCase leaves them; Go's ToLower would turn each of their bytes
// into U+FFFD.
func toLowerCaseUnicode(s string) string {
	if !jsvalue.HasLoneSurrogate(s) {
		return toLowerCaseValid(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	start := 0
	for i := 0; i < len(s); {
		r, size := jsvalue.DecodeRune(s[i:])
		if jsvalue.IsSurrogate(r) {
			b.WriteString(toLowerCaseValid(s[start:i]))
			b.WriteString(s[i : i+size])
			start = i + size
		}
		i += size
	}
	b.WriteString(toLowerCaseValid(s[start:]))
	return b.String()
}

// capitalSigma is U+03A3, whose lowercase depends on where it stands.
const capitalSigma = '\u03a3'

// toLowerCaseValid lowercases s, which has no lone surrogate.
func toLowerCaseValid(s string) string {
	if !strings.ContainsRune(s, capitalSigma) {
		return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == capitalSigma && finalSigma(rs, i):
			b.WriteRune('\u03c2')
		case r == '\u0130':
			b.WriteString("i\u0307")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the sigma at rs[i] ends a word, by Unicode's
// Final_Sigma condition: a cased letter before it and none after it,
// skipping case-ignorable characters both ways.
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && caseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !cased(rs[j]) {
		return false
	}
	k := i + 1
	for k < len(rs) && caseIgnorable(rs[k]) {
		k++
	}
	return k == len(rs) || !cased(rs[k])
}

// cased reports Unicode's Cased property.
func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.In(r, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// wordBreakMid are the characters of Word_Break MidLetter, MidNumLet and
// Single_Quote, which Unicode's Case_Ignorable includes.
const wordBreakMid = "'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a"

// caseIgnorable reports Unicode's Case_Ignorable property.
func caseIgnorable(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) || strings.ContainsRune(wordBreakMid, r)
}
