//go:build !purego

#include "textflag.h"

// SPECIAL sets DX to a bit per byte of X0, the lowest for its first
// byte, set when the byte needs attention in a string: it equals '"' or
// '\\', or, read as a signed byte, it is below 0x20, a control character
// or a byte of a non-ASCII character, which is negative. It compares with
// plainBytes in memory, which spares loading it into registers on each
// call, most of which check one block: an SSE2 operand in memory must be
// 16-byte aligned, as the linker aligns plainBytes (TestPlainBytesAligned).
#define SPECIAL \
	MOVOU X0, X1; \
	PCMPEQB plainBytes<>+0(SB), X1; \
	MOVOU X0, X2; \
	PCMPEQB plainBytes<>+16(SB), X2; \
	MOVOU plainBytes<>+32(SB), X3; \
	PCMPGTB X0, X3; \
	POR X1, X3; \
	POR X2, X3; \
	PMOVMSKB X3, DX

// CLOSED follows scanPlain for plainString: when the byte that stopped
// the scan, at AX, lies in s (length BX, base SI) and is '"', AX moves past
// it; otherwise it jumps to none.
#define CLOSED(none) \
	CMPQ AX, BX; \
	JGE none; \
	CMPB (SI)(AX*1), $0x22; \
	JNE none; \
	INCQ AX

// plainBytes holds the bytes SPECIAL compares with, sixteen of each.
DATA plainBytes<>+0(SB)/8, $0x2222222222222222
DATA plainBytes<>+8(SB)/8, $0x2222222222222222
DATA plainBytes<>+16(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA plainBytes<>+24(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA plainBytes<>+32(SB)/8, $0x2020202020202020
DATA plainBytes<>+40(SB)/8, $0x2020202020202020
GLOBL plainBytes<>(SB), RODATA|NOPTR, $48

// func plainPrefix(s string, i int) int
//
// Sixteen bytes at a time with SSE2, which every amd64 processor has.
//
// The last bytes of s, fewer than sixteen, are read with one 16-byte load
// that must not touch an unmapped page: from s+i when those sixteen bytes
// lie in one page, as s+i does (the bytes past the end of s are then
// ignored), and otherwise the sixteen bytes that end where s ends, which
// lie in the page of s+i, a page that holds s+i to its end, and the next
// one when s reaches it (the bytes before s+i are then ignored). A page
// is 4 KB or more. TestPlainPrefixStaysInString checks both against
// unmapped pages on either side of s.
TEXT ·plainPrefix(SB), NOSPLIT, $0-32
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVQ i+16(FP), AX
	CALL scanPlain<>(SB)
	MOVQ AX, ret+24(FP)
	RET

// func plainString(s string, i int) int
//
// plainPrefix, for a string whose text starts at i: the index after the
// '"' that ends it when every byte before that is plain, and -1 when
// another byte, or the end of s, comes first. The index checks most
// strings of a document with it, and the quote with the bytes before it.
TEXT ·plainString(SB), NOSPLIT, $0-32
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVQ i+16(FP), AX
	CALL scanPlain<>(SB)
	CLOSED(notplain)
	MOVQ AX, ret+24(FP)
	RET

notplain:
	MOVQ $-1, ret+24(FP)
	RET

// func plainMember(s string, i int) (key, value int)
//
// plainString twice, for an object member whose key's text starts at i:
// key is plainString(s, i), and value, when s holds ':' and '"' right
// after that key, plainString of the string that quote starts, and -1
// otherwise. Most members of events are a plain key and a plain string.
TEXT ·plainMember(SB), NOSPLIT, $0-40
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), BX
	MOVQ i+16(FP), AX
	CALL scanPlain<>(SB)
	CLOSED(nokey)
	MOVQ AX, key+24(FP)
	LEAQ 1(AX), CX
	CMPQ CX, BX
	JGE novalue
	CMPB (SI)(AX*1), $0x3a
	JNE novalue
	CMPB (SI)(CX*1), $0x22
	JNE novalue
	ADDQ $2, AX
	CALL scanPlain<>(SB)
	CLOSED(novalue)
	MOVQ AX, value+32(FP)
	RET

nokey:
	MOVQ $-1, key+24(FP)

novalue:
	MOVQ $-1, value+32(FP)
	RET

// scanPlain is plainPrefix on registers: SI and BX hold the base and
// length of s and AX holds i, and it leaves plainPrefix(s, i) in AX. It
// changes CX, DX, DI, R8 and X0 to X3. plainPrefix, plainString and
// plainMember share it.
TEXT scanPlain<>(SB), NOSPLIT|NOFRAME, $0-0
loop:
	LEAQ 16(AX), CX
	CMPQ CX, BX
	JGT tail
	MOVOU (SI)(AX*1), X0
	SPECIAL
	TESTL DX, DX
	JNZ found
	ADDQ $16, AX
	JMP loop

tail:
	MOVQ BX, CX
	SUBQ AX, CX // CX = the bytes of s from i
	TESTQ CX, CX
	JLE end
	LEAQ (SI)(AX*1), DI
	MOVQ DI, DX
	ANDQ $0xfff, DX
	CMPQ DX, $0xff0
	JGT backwards
	MOVOU (DI), X0
	SPECIAL
	// Keep the bits of the CX bytes of s.
	MOVL $1, R8
	SHLL CX, R8
	DECL R8
	ANDL R8, DX
	JNZ found
	MOVQ BX, AX
	RET

backwards:
	MOVOU -16(DI)(CX*1), X0
	SPECIAL
	// Drop the bits of the 16-CX bytes before s+i.
	NEGQ CX
	ADDQ $16, CX
	SHRL CX, DX
	TESTL DX, DX
	JNZ found
	MOVQ BX, AX
	RET

found:
	BSFL DX, DX
	ADDQ DX, AX

end:
	RET

// func plainBytesAddr() uintptr
//
// The address of plainBytes, for TestPlainBytesAligned.
TEXT ·plainBytesAddr(SB), NOSPLIT, $0-8
	LEAQ plainBytes<>(SB), AX
	MOVQ AX, ret+0(FP)
	RET
