package transform

import "testing"

func TestCheckConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dest *Destination
		want string // "" for valid
	}{
		{"valid", NewDestination(DestinationConfig{SiteID: "customerio1", APIKey: "customerio2"}), ""},
		{"missing siteID", NewDestination(DestinationConfig{APIKey: "customerio2"}), "siteID not found in Configs"},
		{"missing apiKey", NewDestination(DestinationConfig{SiteID: "customerio1"}), "apiKey not found in Configs"},
		{"siteID checked first", NewDestination(DestinationConfig{}), "siteID not found in Configs"},
		{"nil destination", nil, "siteID not found in Configs"},
		// With the raw configuration, a credential is missing when
		// JavaScript finds it falsy, not when its string is empty.
		{"raw: array credentials are present", rawDestination(t, `{"siteID":[""],"apiKey":[]}`), ""},
		{"raw: [] siteID is present", rawDestination(t, `{"siteID":[],"apiKey":"k"}`), ""},
		{"raw: zero siteID is missing", rawDestination(t, `{"siteID":0,"apiKey":"k"}`), "siteID not found in Configs"},
		{"raw: false apiKey is missing", rawDestination(t, `{"siteID":"s","apiKey":false}`), "apiKey not found in Configs"},
		{"raw: empty apiKey is missing", rawDestination(t, `{"siteID":"s","apiKey":""}`), "apiKey not found in Configs"},
		{"raw: no configuration", NewDestination(DestinationConfig{RawConfig: true}), "siteID not found in Configs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkConfig(tt.dest)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("checkConfig = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkConfig = nil, want %q", tt.want)
			}
			want := Error{StatusCode: 400, Message: tt.want, Category: CategoryDataValidation, Type: TypeConfiguration}
			if *err != want {
				t.Errorf("checkConfig = %+v, want %+v", *err, want)
			}
		})
	}
}

// rawDestination returns the destination of the raw configuration config,
// its credentials read as JavaScript's String() prints them.
func rawDestination(t *testing.T, config string) *Destination {
	t.Helper()
	cfg := mustParse(t, config)
	str := func(key string) string {
		if v := cfg.Get(key); v.Truthy() {
			return v.JSString()
		}
		return ""
	}
	return NewDestination(DestinationConfig{SiteID: str("siteID"), APIKey: str("apiKey"), Config: cfg, RawConfig: true})
}

func TestAPIHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dest *Destination
		want string
	}{
		{"US", NewDestination(DestinationConfig{}), "https://track.customer.io"},
		{"EU", NewDestination(DestinationConfig{EU: true}), "https://track-eu.customer.io"},
		{"nil", nil, "https://track.customer.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := orEmpty(tt.dest).host; got != tt.want {
				t.Errorf("host = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNewDestination checks what a destination computes once: the host
// and /api/v2/batch URL of its data centre and its Authorization value.
func TestNewDestination(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  DestinationConfig
		host string
	}{
		{"US", DestinationConfig{SiteID: "site", APIKey: "key"}, "https://track.customer.io"},
		{"EU", DestinationConfig{SiteID: "site", APIKey: "key", EU: true}, "https://track-eu.customer.io"},
		{"no credentials", DestinationConfig{}, "https://track.customer.io"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := NewDestination(tc.cfg)
			if d.host != tc.host || d.batchURL != tc.host+"/api/v2/batch" {
				t.Errorf("host %q, batch URL %q, want %q", d.host, d.batchURL, tc.host)
			}
			if want := basicAuth(tc.cfg.SiteID, tc.cfg.APIKey); d.auth != want {
				t.Errorf("auth %q, want %q", d.auth, want)
			}
			if d.Config() != tc.cfg {
				t.Errorf("config %+v, want %+v", d.Config(), tc.cfg)
			}
		})
	}
}
