package transform

import "testing"

// TestPathKeys checks which keys of the message and of its context may
// stand for a path upstream reads.
func TestPathKeys(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key           string
		root, context bool
	}{
		{"traits.email", true, true},
		{"context.traits", true, false},
		{"properties.action", true, false},
		{"user_properties.k", true, false},
		{"device.token", false, true},
		{"externalId.0.id", false, true},
		{"os.name", false, true},
		{"app.version", false, true},
		{"traits", false, false},
		{"traitsx.email", false, false},
		{"x.traits.email", false, false},
		{"messageId", false, false},
		{"a.b", false, false},
		{"", false, false},
		{"t", false, false},
	} {
		if got := rootPathKey(tt.key); got != tt.root {
			t.Errorf("rootPathKey(%q) = %v, want %v", tt.key, got, tt.root)
		}
		if got := contextPathKey(tt.key); got != tt.context {
			t.Errorf("contextPathKey(%q) = %v, want %v", tt.key, got, tt.context)
		}
	}
}
