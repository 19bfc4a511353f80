package transform

import "github.com/cio-transformer/cio-transformer/transform/internal/js"

// basicAuthPrefix starts every Authorization header value.
const basicAuthPrefix = "Basic "

// basicAuth returns the Authorization header value for the credentials:
// "Basic " + btoa(siteID + ":" + apiKey).
//
// Upstream uses the npm btoa package, which encodes its input as latin1: each
// UTF-16 code unit is reduced to its low byte, so "€" (U+20AC) becomes 0xAC
// and a character outside the BMP becomes the low bytes of its two
// surrogates. Non-ASCII credentials therefore do not encode as UTF-8 base64
// does; Customer.io receives exactly what upstream sends.
func basicAuth(siteID, apiKey string) string {
	return basicAuthPrefix + js.Btoa(siteID+":"+apiKey)
}
