package transform

// checkConfig validates the destination's credentials, as upstream does for
// every event before anything else: siteID first, then apiKey. A nil
// destination reads as one with neither.
func checkConfig(d *Destination) *Error {
	if d == nil || d.noSiteID {
		return configurationError("siteID not found in Configs")
	}
	if d.noAPIKey {
		return configurationError("apiKey not found in Configs")
	}
	return nil
}
