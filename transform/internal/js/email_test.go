package js

import (
	"strings"
	"testing"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func TestIsEmail(t *testing.T) {
	t.Parallel()
	x := strings.Repeat
	tests := []struct {
		name string
		in   string
		want bool
	}{
		// The outline of validator.js isEmail with its defaults.
		{"two-letter TLD", "a@b.co", true},
		{"no TLD", "a@b", false},
		{"one-letter TLD", "a@b.c", false},
		{"plain", "jane.doe46@example.com", true},
		{"plus tag", "x+promo180@ex.de", true},
		{"underscore in local part", "a_b592@mail.co.uk", true},
		{"subdomain", "ops483@sub.dom.org", true},
		{"leading space", " a@b.com", false},
		{"trailing space", "a@b.com ", false},
		{"trailing dot", "a@b.com.", false},
		{"double at", "a@@b.com", false},
		{"IP domain", "a@127.0.0.1", false},
		{"bracketed IP domain", "a@[127.0.0.1]", false},
		{"display name", "Name <a@b.com>", false},
		{"no at", "noat", false},
		{"empty", "", false},
		{"only at", "@", false},
		{"empty local part", "@b.com", false},
		{"empty domain", "a@", false},
		{"numeric TLD", "user@1", false},
		{"at in local part", "a@b@x.io", false},

		// Quoted local parts.
		{"quoted with space", `"q uoted"@x.io`, true},
		{"empty quotes", `""@x.io`, true},
		{"lone quote", `"@x.io`, true},
		{"escaped quote", `"a\"b"@x.io`, true},
		{"escaped backslash", `"a\\"@x.io`, true},
		{"escape swallowing closing quote", `"a\"@x.io`, false},
		{"quoted at", `"a@b"@x.io`, true},
		{"quoted newline", "\"a\nb\"@x.io", true},
		{"escaped newline", "\"a\\\nb\"@x.io", false},
		{"quoted NUL", "\"\x00\"@x.io", false},
		{"quoted C1 control", "\"\u0085\"@x.io", false},
		{"quoted emoji", `"😀"@x.io`, false},
		{"quoted no-break space", "\"\u00a0\"@x.io", true},

		// Unquoted local parts.
		{"double dot", "a..b@x.io", false},
		{"leading dot", ".a@x.io", false},
		{"trailing dot in local part", "a.@x.io", false},
		{"utf8 local part", "üñî@x.io", true},
		{"cjk address", "用户@例子.中国", true},
		{"emoji local part", "😀@x.io", false},
		{"no-break space local part", "\u00a0a@x.io", false},
		{"inverted exclamation", "a\u00a1@x.io", true},
		{"all atext marks", "!#$%&'*+-/=?^_`{|}~@x.io", true},
		{"parentheses", "a(b)@x.io", false},
		{"inner space", "a b@x.io", false},
		{"64-byte local part", x("x", 64) + "@x.io", true},
		{"65-byte local part", x("x", 65) + "@x.io", false},
		{"64 bytes of two-byte chars", x("é", 32) + "@x.io", true},
		{"66 bytes of two-byte chars", x("é", 33) + "@x.io", false},

		// Domains (validator isFQDN).
		{"digits in labels", "user@1.2.3.4.com", true},
		{"digit in TLD", "a@b.c1", false},
		{"all-digit TLD", "a@b.123", false},
		{"punycode TLD", "a@b.xn--p1ai", true},
		{"upper-case punycode TLD", "a@b.XN--P1AI", true},
		{"short punycode TLD", "a@b.xn--", false},
		{"cyrillic TLD", "a@b.рф", true},
		{"copyright sign in TLD", "a@b.a\u00a9", false},
		{"diaeresis TLD", "a@b.\u00a8\u00a8", true},
		{"ideographic space in TLD", "a@b.a\u3000b", false},
		{"full-width TLD", "a@b.\uff21\uff21", false},
		{"full-width label", "a@\uff21.com", false},
		{"emoji label", "a@😀.com", true},
		{"emoji TLD", "a@b.😀😀", false},
		{"leading hyphen", "a@-b.com", false},
		{"trailing hyphen", "a@b-.com", false},
		{"underscore in domain", "a@b_c.com", false},
		{"empty label", "a@b..com", false},
		{"leading dot in domain", "a@.b.com", false},
		{"no-break space label", "a@\u00a0.com", false},
		{"inverted exclamation label", "a@\u00a1.com", true},
		{"upper case", "a@B.COM", true},
		{"63-char label", "a@" + x("x", 63) + ".com", true},
		{"64-char label", "a@" + x("x", 64) + ".com", false},
		{"62 code units of emoji", "a@" + x("😀", 31) + ".com", true},
		{"64 code units of emoji", "a@" + x("😀", 32) + ".com", false},
		{"254 characters", x("x", 62) + "@" + x("y", 63) + "." + x("z", 63) + "." + x("w", 59) + ".com", true},
		{"255 characters", x("x", 63) + "@" + x("y", 63) + "." + x("z", 63) + "." + x("w", 59) + ".com", false},
		{"domain over 254 bytes", x("é", 32) + "@" + x("é", 60) + "." + x("é", 60) + "." + x("é", 60) + ".com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsEmail(tt.in); got != tt.want {
				t.Errorf("IsEmail(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkIsEmail(b *testing.B) {
	for _, in := range []string{"jane.doe46@example.com", "07fb4dad-e381-4a66-77cb-80f4df28373d"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = IsEmail(in)
			}
		})
	}
}

func TestEmailThrows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"no surrogate", "a@b.co", false},
		{"surrogate in the local part", "a" + hiD83D + "@b.co", true},
		{"surrogate in the domain", "a@b" + loDC00 + ".co", true},
		{"no @: the whole string is the domain", "x" + loDC00, true},
		{"surrogate before the last @", "a" + loDC00 + "@b@c.co", true},
		{"local part over 64 bytes answers first", strings.Repeat("l", 65) + "@b" + hiD83D + ".co", false},
		{"local part of 64 bytes", strings.Repeat("l", 64) + "@b" + hiD83D + ".co", true},
		{"over 254 code units answers first", strings.Repeat("x", 254) + hiD83D, false},
		{"254 code units", strings.Repeat("x", 253) + hiD83D, true},
		{"a pair is no lone surrogate", "a😀@b.co", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsEmailThrows(tt.in); got != tt.want {
				t.Errorf("emailThrows = %v, want %v", got, tt.want)
			}
			// Where isEmail answers rather than throws, a lone surrogate
			// makes it false.
			if !tt.want && jsvalue.HasLoneSurrogate(tt.in) && IsEmail(tt.in) {
				t.Error("isEmail holds for a lone surrogate")
			}
		})
	}
}
