package transform

import "github.com/cio-transformer/cio-transformer/internal/jsvalue"

// DestinationConfig is one Customer.io destination's configuration, as the
// transformer reads it.
type DestinationConfig struct {
	// ID identifies the destination to the caller; the mapping never reads it.
	ID string
	// SiteID is the Track API site id, the Basic-auth user name, as
	// JavaScript's String() prints it. Empty means missing, unless Config
	// holds the raw configuration: then a value JavaScript finds truthy is
	// present even when its string is empty (an array such as []).
	SiteID string
	// APIKey is the Track API key, the Basic-auth password, read as SiteID
	// is.
	APIKey string
	// EU selects the EU data centre (track-eu.customer.io).
	EU bool
	// DeviceTokenEventName is an extra event name that registers a device, in
	// addition to the Application Installed/Opened/Uninstalled events. Empty
	// means unset.
	DeviceTokenEventName string
	// Config is the destination's raw RudderStack configuration object,
	// when the caller has it (undefined otherwise). API mode v2 then checks
	// it as upstream's input schema does, which tells an empty credential
	// from a missing or mistyped one; the typed fields above still drive
	// the mapping.
	Config jsvalue.Value
	// RawConfig reports that Config is the caller's raw configuration even
	// when it is undefined: the destination had no Config, which API mode
	// v2 reports as upstream's schema does ("destination.Config:
	// Required") rather than naming each credential.
	RawConfig bool
}

// Destination is a destination ready to map events for: its
// configuration, and what every request to it carries, the Track API host
// of its data centre and its Authorization header, computed once by
// NewDestination. It is never modified afterwards, so that any number of
// goroutines may share it. A nil *Destination reads as one with an empty
// configuration.
type Destination struct {
	config DestinationConfig
	// host is the Track API host, batchURL its /api/v2/batch URL.
	host, batchURL string
	// auth is the Authorization header value: basicAuth of the
	// credentials.
	auth string
	// noSiteID and noAPIKey report a missing credential (see
	// missingCredential).
	noSiteID, noAPIKey bool
	// headers is the Authorization header alone, authHeader, shared by
	// the Requests of the destination's events (length and capacity 1, so
	// that an append copies it).
	headers    []Header
	authHeader [1]Header
}

// NewDestination returns the destination of c.
func NewDestination(c DestinationConfig) *Destination {
	d := &Destination{config: c, host: hostUS, batchURL: hostUS + batchPath}
	if c.EU {
		d.host, d.batchURL = hostEU, hostEU+batchPath
	}
	d.auth = basicAuth(c.SiteID, c.APIKey)
	d.noSiteID = missingCredential(c, "siteID", c.SiteID)
	d.noAPIKey = missingCredential(c, "apiKey", c.APIKey)
	d.authHeader[0] = Header{Name: authorizationHeader, Value: d.auth}
	d.headers = d.authHeader[:]
	return d
}

// missingCredential reports whether the credential key of c, whose
// string is s, is missing. Upstream checks the raw configuration's value
// for JavaScript truthiness: an array such as [] or [""] is present, and
// its string is "". Without a raw configuration, an empty string is
// missing.
func missingCredential(c DestinationConfig, key, s string) bool {
	if c.RawConfig || !c.Config.IsUndefined() {
		return !c.Config.Get(key).Truthy()
	}
	return s == ""
}

// Config returns the destination's configuration.
func (d *Destination) Config() DestinationConfig {
	return orEmpty(d).config
}

// emptyDestination is the destination a nil *Destination reads as.
var emptyDestination = NewDestination(DestinationConfig{})

// orEmpty returns dest, or the empty destination when dest is nil.
func orEmpty(dest *Destination) *Destination {
	if dest == nil {
		return emptyDestination
	}
	return dest
}
