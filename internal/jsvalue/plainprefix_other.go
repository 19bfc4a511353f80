//go:build !amd64 || purego

package jsvalue

// plainPrefix returns the index of the first byte of s at or after i that is
// not a plain string byte (see strPlain), or len(s), where 0 <= i: see
// plainPrefixWords.
func plainPrefix(s string, i int) int { return plainPrefixWords(s, i) }
