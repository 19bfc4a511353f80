// Package eventmix generates a seeded, realistic mix of RudderStack events
// as JSON text, for benchmarks and load tests.
//
// The mix follows the shape of the conformance corpus's differential cases:
// every event carries RudderStack's envelope (messageId, channel, context
// with library, app, os, locale and user agent, integrations, timestamps),
// the median event is about 600 bytes, and a few carry several kilobytes of
// traits or properties. Types are weighted as a typical source sends them:
// mostly track and identify, then page, group, screen, alias and mobile
// device events, with a small share of events the mapper rejects (no user,
// no event name, an unknown type), since real traffic has those too.
//
// The same seed always yields the same events, byte for byte.
package eventmix
