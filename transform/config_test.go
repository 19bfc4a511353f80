package transform

import "testing"

func TestCheckConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dest *Destination
		want string // "" for valid
	}{
		{"valid", &Destination{SiteID: "customerio1", APIKey: "customerio2"}, ""},
		{"missing siteID", &Destination{APIKey: "customerio2"}, "siteID not found in Configs"},
		{"missing apiKey", &Destination{SiteID: "customerio1"}, "apiKey not found in Configs"},
		{"siteID checked first", &Destination{}, "siteID not found in Configs"},
		{"nil destination", nil, "siteID not found in Configs"},
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

func TestAPIHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dest *Destination
		want string
	}{
		{"US", &Destination{}, "https://track.customer.io"},
		{"EU", &Destination{EU: true}, "https://track-eu.customer.io"},
		{"nil", nil, "https://track.customer.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := apiHost(tt.dest); got != tt.want {
				t.Errorf("apiHost = %q, want %q", got, tt.want)
			}
		})
	}
}
