package jsvalue

import (
	"bytes"
	"strings"
	"testing"
)

// jsonBytesCases are texts that take each of the escaping's paths.
var jsonBytesCases = []string{
	"", "abc", `a"b\c`, "\b\f\n\r\t", "\x00\x0b\x1b\x7f", "a/b", "日本", "\u2028\u2029",
	"\xc3", "\xed\xa0\x80", "x\xed\xbf\xbfy", "\xed\xa0\x80\xed\xb0\x80", "\xff\xfe",
	strings.Repeat("plain text, eight bytes and more ", 5) + "\"",
	strings.Repeat("é", 40), "0123456\n89abcdef\\",
}

func TestAppendJSONBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", `""`},
		{"plain", "abc", `"abc"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"controls", "\b\x00\x1b", `"\b\u0000\u001b"`},
		{"non-ASCII", "日本", `"日本"`},
		{"invalid UTF-8", "\xc3", "\"\uFFFD\""},
		{"lone surrogate", "\xed\xa0\x80", `"\ud800"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := AppendJSONBytes([]byte("x"), []byte(tt.in)); string(got) != "x"+tt.want {
				t.Errorf("AppendJSONBytes(%q) = %s, want x%s", tt.in, got, tt.want)
			}
		})
	}
}

// TestAppendJSONBytesLikeString checks that AppendJSONBytes writes what
// AppendJSONString writes, leaves b as it was, and shares no memory with
// b in what it returns.
func TestAppendJSONBytesLikeString(t *testing.T) {
	t.Parallel()
	for _, s := range jsonBytesCases {
		for _, dst := range [][]byte{nil, []byte("[1,"), make([]byte, 2, 1024)} {
			want := AppendJSONString(bytes.Clone(dst), s)
			b := []byte(s)
			got := AppendJSONBytes(bytes.Clone(dst), b)
			if !bytes.Equal(got, want) {
				t.Errorf("AppendJSONBytes(%q) = %q, want %q", s, got, want)
			}
			if string(b) != s {
				t.Errorf("AppendJSONBytes changed its input %q to %q", s, b)
			}
			if len(b) > 0 {
				b[0] ^= 0xff
				if !bytes.Equal(got, want) {
					t.Errorf("the text of %q changes with its input", s)
				}
			}
		}
	}
}

// TestAppendJSONBytesOverlap checks the one case where reading b in place
// would be unsafe: b lies in the capacity of dst that the appends write
// to. The text is then what a copy of b gives.
func TestAppendJSONBytesOverlap(t *testing.T) {
	t.Parallel()
	for _, s := range jsonBytesCases {
		if s == "" {
			continue
		}
		buf := make([]byte, 4, 4+len(s)+16)
		copy(buf, "abcd")
		for _, at := range []int{4, 5, 6} {
			b := append(buf[:at], s...)[at:]
			want := AppendJSONString(bytes.Clone(buf[:4]), s)
			if got := AppendJSONBytes(buf[:4], b); !bytes.Equal(got, want) {
				t.Errorf("AppendJSONBytes(%q) written over its input at %d = %q, want %q", s, at, got, want)
			}
		}
	}
	dst := make([]byte, 0, 16)
	if !overlapsSpare(dst, dst[:1]) || overlapsSpare(dst[:4], dst[:4]) || overlapsSpare(dst[:4:4], dst[4:8]) || overlapsSpare(dst[:4], []byte("x")) {
		t.Error("overlapsSpare misplaces b")
	}
}

func FuzzAppendJSONBytes(f *testing.F) {
	for _, s := range jsonBytesCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		if got, want := AppendJSONBytes(nil, b), AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONBytes(%q) = %q, want %q", s, got, want)
		}
	})
}

func BenchmarkAppendJSONBytes(b *testing.B) {
	texts := [][]byte{[]byte("user-1@example.com"), []byte("Mozilla/5.0 (X11; Linux x86_64)"), []byte("naïve \"quoted\"")}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			dst = AppendJSONBytes(dst[:0], t)
		}
	}
}

// TestAppendJSONBytesAt checks AppendJSONBytesAt against AppendJSONBytes
// over every byte at every place of short texts, for texts at several
// places of their message and followed by 0 to 8 bytes of its own, which
// the word it reads past the text's end takes in: texts shorter than a
// word, one word long and more, written to a dst with room for a word and
// one without.
func TestAppendJSONBytesAt(t *testing.T) {
	t.Parallel()
	roomy := make([]byte, 3, 64)
	copy(roomy, "[1,")
	var msg []byte
	for n := range 18 {
		for _, lead := range []int{0, 5} {
			for tail := range 9 {
				for _, junk := range []byte{0, '\\', 0xe9, 'z'} {
					for pos := -1; pos < n; pos++ {
						for c := range 256 {
							if pos < 0 && c > 0 {
								break
							}
							msg = append(msg[:0], bytes.Repeat([]byte{'"'}, lead)...)
							msg = append(msg, bytes.Repeat([]byte{'x'}, n)...)
							if pos >= 0 {
								msg[lead+pos] = byte(c)
							}
							msg = append(msg, bytes.Repeat([]byte{junk}, tail)...)
							want := AppendJSONBytes([]byte("[1,"), msg[lead:lead+n])
							if got := AppendJSONBytesAt([]byte("[1,"), msg, lead, lead+n); !bytes.Equal(got, want) {
								t.Fatalf("AppendJSONBytesAt(%q, %d, %d) = %q, want %q", msg, lead, lead+n, got, want)
							}
							if got := AppendJSONBytesAt(roomy, msg, lead, lead+n); !bytes.Equal(got, want) {
								t.Fatalf("AppendJSONBytesAt(%q, %d, %d) with room = %q, want %q", msg, lead, lead+n, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestAppendJSONBytesAtCases checks AppendJSONBytesAt on the texts of
// every escaping path, inside a message and ending it, and written to a
// dst whose spare capacity holds the text.
func TestAppendJSONBytesAtCases(t *testing.T) {
	t.Parallel()
	for _, s := range jsonBytesCases {
		for _, tail := range []string{"", "\x12\x05", "\"\"\"\"\"\"\"\"\""} {
			msg := []byte("\x1a" + s + tail)
			want := AppendJSONString([]byte("x"), s)
			if got := AppendJSONBytesAt([]byte("x"), msg, 1, 1+len(s)); !bytes.Equal(got, want) {
				t.Errorf("AppendJSONBytesAt(%q) = %q, want %q", msg, got, want)
			}
		}
		if s == "" {
			continue
		}
		buf := make([]byte, 4, 4+len(s)+16)
		copy(buf, "abcd")
		for _, at := range []int{4, 5, 6} {
			msg := append(buf[:at], s...)
			want := AppendJSONString(bytes.Clone(buf[:4]), s)
			if got := AppendJSONBytesAt(buf[:4], msg, at, at+len(s)); !bytes.Equal(got, want) {
				t.Errorf("AppendJSONBytesAt(%q) written over its input at %d = %q, want %q", s, at, got, want)
			}
		}
	}
}

// TestAppendJSONBytesAtSpare checks that AppendJSONBytesAt writes no more
// than 8 bytes of the capacity of dst past the text it appends.
func TestAppendJSONBytesAtSpare(t *testing.T) {
	t.Parallel()
	msg := []byte("\x0a\x05plain\x12\x04a\"bc\x1a\x00\x22\x0blonger text\x08\x01")
	for _, s := range [][2]int{{2, 7}, {9, 13}, {15, 15}, {17, 28}} {
		buf := bytes.Repeat([]byte{0xee}, 64)
		got := AppendJSONBytesAt(buf[:3], msg, s[0], s[1])
		want := AppendJSONBytes(nil, msg[s[0]:s[1]])
		if !bytes.Equal(got[3:], want) {
			t.Errorf("AppendJSONBytesAt(%q) = %q, want %q", msg[s[0]:s[1]], got[3:], want)
		}
		for i := 3 + len(want) + 8; i < len(buf); i++ {
			if buf[i] != 0xee {
				t.Errorf("AppendJSONBytesAt(%q) wrote byte %d of dst, %d past its text", msg[s[0]:s[1]], i, i-3-len(want))
			}
		}
	}
}

func FuzzAppendJSONBytesAt(f *testing.F) {
	for _, s := range jsonBytesCases {
		f.Add([]byte("\x0a"+s+"\x12\x02\x08\x01"), 1, 1+len(s))
		f.Add([]byte(s), 0, len(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte, start, end int) {
		if start < 0 || end > len(msg) || start > end {
			return
		}
		want := AppendJSONBytes(nil, msg[start:end])
		if got := AppendJSONBytesAt(nil, msg, start, end); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONBytesAt(%q, %d, %d) = %q, want %q", msg, start, end, got, want)
		}
		if got := AppendJSONBytesAt(make([]byte, 0, len(want)+8), msg, start, end); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONBytesAt(%q, %d, %d) with room = %q, want %q", msg, start, end, got, want)
		}
	})
}

func BenchmarkAppendJSONBytesAt(b *testing.B) {
	// Texts as a protobuf message holds them: a tag and length before
	// each.
	var msg []byte
	var spans [][2]int
	for _, t := range []string{"user-1@example.com", "Mozilla/5.0 (X11; Linux x86_64)", "naïve \"quoted\"", "plan", "id"} {
		msg = append(msg, 0x1a, byte(len(t)))
		spans = append(spans, [2]int{len(msg), len(msg) + len(t)})
		msg = append(msg, t...)
	}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = dst[:0]
		for _, s := range spans {
			dst = AppendJSONBytesAt(dst, msg, s[0], s[1])
		}
	}
}
