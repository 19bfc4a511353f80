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
