package js

import (
	"net/url"
	"testing"
)

func TestEncodeURIComponent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain id", "user-1", "user-1"},
		{"unreserved marks", "-_.!~*'()", "-_.!~*'()"},
		{"letters and digits", "AZaz09", "AZaz09"},
		{"email", "test@gmail.com", "test%40gmail.com"},
		{"slash", "a/b", "a%2Fb"},
		{"plus and space", "plus+and space", "plus%2Band%20space"},
		{"query marks", "?#&=", "%3F%23%26%3D"},
		{"dollar comma semicolon colon", "$,;:", "%24%2C%3B%3A"},
		{"brackets", "[]", "%5B%5D"},
		{"percent", "100%", "100%25"},
		{"quote and angle brackets", `"<>`, "%22%3C%3E"},
		{"backslash caret backtick braces pipe", "\\^`{|}", "%5C%5E%60%7B%7C%7D"},
		{"control characters", "\x00\t\n\x7f", "%00%09%0A%7F"},
		{"two-byte", "é", "%C3%A9"},
		{"three-byte", "€uro", "%E2%82%ACuro"},
		{"four-byte", "emoji😀id", "emoji%F0%9F%98%80id"},
		{"cjk", "用户42", "%E7%94%A8%E6%88%B742"},
		{"mixed", "hash#tag/x y", "hash%23tag%2Fx%20y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := EncodeURIComponent(tt.in)
			if got != tt.want {
				t.Errorf("EncodeURIComponent(%q) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := url.PathUnescape(got)
			if err != nil || back != tt.in {
				t.Errorf("PathUnescape(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

// TestEncodeURIComponentAllocs checks that an id needing no encoding is
// returned without allocating. Not parallel: AllocsPerRun counts every
// allocation of the process.
func TestEncodeURIComponentAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = EncodeURIComponent("user-1234_abc.DEF") }); n != 0 {
		t.Errorf("encodeURIComponent of an unreserved id allocated %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = EncodeURIComponent("a@b.com") }); n != 1 {
		t.Errorf("encodeURIComponent of an email allocated %v times, want 1", n)
	}
}

func BenchmarkEncodeURIComponent(b *testing.B) {
	for _, in := range []string{"user-1234_abc.DEF", "jane.doe@example.com"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeURIComponent(in)
			}
		})
	}
}

// TestAppendURIComponentBlocks checks the encoding of strings whose bytes
// are read eight at a time against the encoding byte by byte, with a byte
// to encode at every position of a block and across blocks.
func TestAppendURIComponentBlocks(t *testing.T) {
	t.Parallel()
	byByte := func(s string) string {
		var dst []byte
		for i := 0; i < len(s); i++ {
			if c := s[i]; uriUnreserved[c] {
				dst = append(dst, c)
			} else {
				dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
			}
		}
		return string(dst)
	}
	const plain = "abcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()ABC"
	for n := 0; n <= len(plain); n++ {
		for at := 0; at <= n; at++ {
			for _, mark := range []string{"", "@", "/", " ", "é", "\xff", "%"} {
				s := plain[:at] + mark + plain[at:n]
				if got, want := string(AppendURIComponent([]byte("x"), s)), "x"+byByte(s); got != want {
					t.Fatalf("AppendURIComponent(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}
