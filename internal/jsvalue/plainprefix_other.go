//go:build !amd64 || purego

package jsvalue

// plainPrefix returns the index of the first byte of s at or after i that is
// not a plain string byte (see strPlain), or len(s), where 0 <= i: see
// plainPrefixWords.
func plainPrefix(s string, i int) int { return plainPrefixWords(s, i) }

// plainString returns the index after the '"' that ends the string whose
// text starts at i in s, when plainPrefix(s, i) is that quote, and -1
// otherwise, where 0 <= i: see plainStringWords.
func plainString(s string, i int) int { return plainStringWords(s, i) }

// plainMember returns plainString(s, i), for the key of an object member
// whose text starts at i, as key, and as value plainString of the string
// that follows it after a ':' with no space around, or -1 when none does,
// where 0 <= i: see plainMemberWords.
func plainMember(s string, i int) (key, value int) { return plainMemberWords(s, i) }
