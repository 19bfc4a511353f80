//go:build !purego

package jsvalue

// plainPrefix returns the index of the first byte of s at or after i that is
// not a plain string byte (see strPlain), or len(s), where 0 <= i. It is
// written in assembly, sixteen bytes at a time (plainprefix_amd64.s), and
// checked against plainPrefixWords, the portable version, and against
// plainPrefixBytewise.
//
//go:noescape
func plainPrefix(s string, i int) int

// plainString returns the index after the '"' that ends the string whose
// text starts at i in s, when plainPrefix(s, i) is that quote, and -1
// otherwise (see plainStringWords), where 0 <= i. It is written in
// assembly, as plainPrefix is.
//
//go:noescape
func plainString(s string, i int) int

// plainMember returns plainString(s, i), for the key of an object member
// whose text starts at i, as key, and as value plainString of the string
// that follows it after a ':' with no space around, or -1 when none does
// (see plainMemberWords), where 0 <= i. It is written in assembly, as
// plainPrefix is.
//
//go:noescape
func plainMember(s string, i int) (key, value int)

// plainBytesAddr returns the address of the bytes plainPrefix compares
// with, which it reads as aligned operands.
func plainBytesAddr() uintptr
