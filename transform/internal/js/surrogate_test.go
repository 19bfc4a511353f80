package js

// JavaScript strings may hold lone UTF-16 surrogates, which a Go string
// holds as the three bytes ED A0..BF 80..BF of their code point (see
// jsvalue.DecodeRune); these constants name a few.
const (
	hiD83D = "\xed\xa0\xbd" // \ud83d, the high half of U+1F600
	loDC00 = "\xed\xb0\x80" // \udc00
)
