package transform

// checkConfig validates the destination's credentials, as upstream does for
// every event before anything else: siteID first, then apiKey. A nil
// destination reads as one with neither.
func checkConfig(d *Destination) *Error {
	if d == nil || d.SiteID == "" {
		return configurationError("siteID not found in Configs")
	}
	if d.APIKey == "" {
		return configurationError("apiKey not found in Configs")
	}
	return nil
}

// apiHost returns the Track API host of the destination's data centre.
func apiHost(d *Destination) string {
	if d != nil && d.EU {
		return hostEU
	}
	return hostUS
}
