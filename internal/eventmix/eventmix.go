package eventmix

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Kind labels of the generated events. Device events are track events
// (Application Installed, Opened, Uninstalled) carrying a device token;
// Invalid events are ones the mapper answers with a per-event error.
const (
	KindIdentify = "identify"
	KindTrack    = "track"
	KindPage     = "page"
	KindScreen   = "screen"
	KindAlias    = "alias"
	KindGroup    = "group"
	KindDevice   = "device"
	KindInvalid  = "invalid"
)

// Kinds lists every kind, in a stable order for reports.
var Kinds = []string{KindIdentify, KindTrack, KindPage, KindScreen, KindAlias, KindGroup, KindDevice, KindInvalid}

// weights is the share of each kind in the mix, in per mille.
var weights = []struct {
	kind   string
	permil int
}{
	{KindTrack, 330},
	{KindIdentify, 200},
	{KindPage, 120},
	{KindGroup, 130},
	{KindScreen, 70},
	{KindAlias, 60},
	{KindDevice, 60},
	{KindInvalid, 10},
}

// Event is one generated event.
type Event struct {
	// Kind is one of the Kind constants.
	Kind string
	// JSON is the event as compact RudderStack JSON.
	JSON []byte
}

// Pool sizes: a mix of this size revisits users and objects, so a batch of
// events holds several events of one user or one object, as a router's
// batches do.
const (
	userCount   = 5000
	objectCount = 200
)

// bigPermil is the share of events, in per mille, whose traits or
// properties run to several kilobytes.
const bigPermil = 40

// Generator produces events from a seed. It is not safe for concurrent use.
type Generator struct {
	rng     *rand.Rand
	users   []string
	anons   []string
	emails  []string
	objects []string
	epoch   time.Time
}

// New returns a Generator for seed.
func New(seed uint64) *Generator {
	g := &Generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		epoch: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	g.users = make([]string, userCount)
	g.anons = make([]string, userCount)
	g.emails = make([]string, userCount)
	for i := range userCount {
		switch g.rng.IntN(10) {
		case 0, 1:
			g.users[i] = fmt.Sprintf("%d", 100000+g.rng.IntN(900000))
		case 2:
			g.users[i] = fmt.Sprintf("%s.%s%d@%s", pick(g, firstNames), pick(g, lastNames), i, pick(g, domains))
		default:
			g.users[i] = g.uuid()
		}
		g.anons[i] = g.uuid()
		g.emails[i] = fmt.Sprintf("%s.%s%d@%s", lower(pick(g, firstNames)), lower(pick(g, lastNames)), i, pick(g, domains))
	}
	g.objects = make([]string, objectCount)
	for i := range objectCount {
		g.objects[i] = fmt.Sprintf("%s-%d", lower(pick(g, companies)), i)
	}
	return g
}

// Generate returns n events from a new Generator for seed.
func Generate(seed uint64, n int) []Event {
	g := New(seed)
	events := make([]Event, n)
	for i := range events {
		events[i] = g.Next()
	}
	return events
}

// Next returns the next event.
func (g *Generator) Next() Event {
	kind := g.kind()
	u := g.rng.IntN(userCount)
	big := g.rng.IntN(1000) < bigPermil
	var o object
	switch kind {
	case KindIdentify:
		o = g.identify(u, big)
	case KindTrack:
		o = g.track(u, big)
	case KindPage:
		o = g.page(u)
	case KindScreen:
		o = g.screen(u)
	case KindAlias:
		o = g.alias(u)
	case KindGroup:
		o = g.group(u, big)
	case KindDevice:
		o = g.device(u)
	default:
		o = g.invalid(u)
	}
	return Event{Kind: kind, JSON: o.appendJSON(make([]byte, 0, 1024))}
}

// kind draws an event kind by weight.
func (g *Generator) kind() string {
	n := g.rng.IntN(1000)
	for _, w := range weights {
		if n < w.permil {
			return w.kind
		}
		n -= w.permil
	}
	return KindTrack
}

// envelope starts an event with the keys every SDK sends, in SDK order.
func (g *Generator) envelope(typ string) object {
	o := object{}
	o.add("type", typ)
	o.add("messageId", g.uuid())
	o.add("channel", pick(g, channels))
	return o
}

// context returns a context object as the SDKs send it; traits, when not
// nil, are added as context.traits.
func (g *Generator) context(traits object, device object) object {
	c := object{}
	lib := pick(g, libraries)
	c.add("library", object{{"name", lib.name}, {"version", lib.version}})
	if lib.mobile {
		c.add("app", object{{"name", "Shopper"}, {"version", fmt.Sprintf("3.%d.%d", g.rng.IntN(10), g.rng.IntN(10))}, {"build", fmt.Sprintf("%d", 100+g.rng.IntN(900))}})
		c.add("os", object{{"name", pick(g, []string{"iOS", "Android"})}, {"version", fmt.Sprintf("%d.%d", 13+g.rng.IntN(5), g.rng.IntN(4))}})
		if g.rng.IntN(4) == 0 {
			c.add("network", object{{"wifi", g.rng.IntN(2) == 0}, {"carrier", pick(g, []string{"T-Mobile", "Vodafone", "Orange"})}})
		}
	} else {
		if g.rng.IntN(4) == 0 {
			c.add("page", object{{"path", pick(g, paths)}, {"title", pick(g, titles)}})
		}
		if g.rng.IntN(4) == 0 {
			c.add("userAgent", pick(g, userAgents))
		}
	}
	if device != nil {
		c.add("device", device)
	}
	c.add("locale", pick(g, locales))
	c.add("ip", fmt.Sprintf("203.0.%d.%d", g.rng.IntN(256), g.rng.IntN(256)))
	if traits != nil {
		c.add("traits", traits)
	}
	return c
}

// tail ends an event with its ids, integrations and timestamps.
func (g *Generator) tail(o *object, u int, identified bool) {
	if g.rng.IntN(10) < 6 {
		o.add("integrations", object{{"All", true}})
	}
	if identified {
		o.add("userId", g.users[u])
	}
	if !identified || g.rng.IntN(10) < 6 {
		o.add("anonymousId", g.anons[u])
	}
	ts := g.epoch.Add(time.Duration(g.rng.Int64N(int64(400 * 24 * time.Hour))))
	if g.rng.IntN(4) != 0 {
		o.add("originalTimestamp", g.timestamp(ts))
	}
	if g.rng.IntN(4) != 0 {
		o.add("sentAt", g.timestamp(ts.Add(time.Duration(g.rng.IntN(5000))*time.Millisecond)))
	}
	if g.rng.IntN(3) != 0 {
		o.add("timestamp", g.timestamp(ts.Add(time.Duration(g.rng.IntN(900))*time.Millisecond)))
	}
}

// timestamp formats t as the SDKs do, in UTC or with a zone offset.
func (g *Generator) timestamp(t time.Time) string {
	if g.rng.IntN(3) == 0 {
		offsets := []int{-8, -5, 1, 2, 5, 9}
		t = t.In(time.FixedZone("", offsets[g.rng.IntN(len(offsets))]*3600))
		return t.Format("2006-01-02T15:04:05.000-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

func (g *Generator) identify(u int, big bool) object {
	o := g.envelope("identify")
	traits := g.personTraits(u, big)
	if g.rng.IntN(10) < 3 {
		o.add("context", g.context(traits, nil))
	} else {
		o.add("context", g.context(nil, nil))
		o.add("traits", traits)
	}
	g.tail(&o, u, true)
	return o
}

func (g *Generator) track(u int, big bool) object {
	o := g.envelope("track")
	var ctxTraits object
	if g.rng.IntN(10) < 4 {
		ctxTraits = object{{"email", g.emails[u]}}
	}
	o.add("context", g.context(ctxTraits, nil))
	o.add("event", pick(g, trackEvents))
	o.add("properties", g.trackProperties(big))
	g.tail(&o, u, g.rng.IntN(10) < 8)
	return o
}

func (g *Generator) page(u int) object {
	o := g.envelope("page")
	o.add("context", g.context(nil, nil))
	path := pick(g, paths)
	o.add("name", pick(g, titles))
	props := object{
		{"path", path},
		{"url", "https://shop.example.com" + path},
		{"title", pick(g, titles)},
	}
	if g.rng.IntN(2) == 0 {
		props.add("referrer", "https://www.google.com/")
		props.add("search", "")
	}
	o.add("properties", props)
	g.tail(&o, u, g.rng.IntN(10) < 7)
	return o
}

func (g *Generator) screen(u int) object {
	o := g.envelope("screen")
	o.add("context", g.context(nil, nil))
	name := pick(g, screens)
	o.add("event", name)
	o.add("properties", object{{"name", name}, {"category", pick(g, categories)}})
	g.tail(&o, u, true)
	return o
}

func (g *Generator) alias(u int) object {
	o := g.envelope("alias")
	o.add("context", g.context(object{{"email", g.emails[u]}}, nil))
	o.add("previousId", g.anons[u])
	g.tail(&o, u, true)
	return o
}

func (g *Generator) group(u int, big bool) object {
	o := g.envelope("group")
	o.add("context", g.context(nil, nil))
	obj := g.rng.IntN(objectCount)
	o.add("groupId", g.objects[obj])
	traits := object{
		{"name", pick(g, companies) + " " + pick(g, []string{"Inc", "GmbH", "Ltd", "SAS"})},
		{"industry", pick(g, industries)},
		{"employees", 10 + g.rng.IntN(5000)},
		{"plan", pick(g, plans)},
		{"website", "https://" + g.objects[obj] + ".example.com"},
		{"createdAt", g.timestamp(g.epoch.Add(-time.Duration(g.rng.Int64N(int64(900 * 24 * time.Hour)))))},
	}
	if g.rng.IntN(4) == 0 {
		traits.add("objectTypeId", pick(g, []string{"1", "2"}))
	}
	g.custom(&traits, 1+g.rng.IntN(3), big)
	o.add("traits", traits)
	g.tail(&o, u, true)
	return o
}

func (g *Generator) device(u int) object {
	o := g.envelope("track")
	dev := object{
		{"id", g.uuid()},
		{"manufacturer", pick(g, []string{"Apple", "samsung", "Google"})},
		{"model", pick(g, []string{"iPhone15,2", "SM-G991B", "Pixel 8"})},
		{"name", pick(g, []string{"iPhone", "Galaxy S21", "Pixel"})},
		{"type", pick(g, []string{"ios", "android", "iOS", "Android"})},
		{"token", fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64())},
	}
	o.add("context", g.context(nil, dev))
	o.add("event", pick(g, []string{"Application Installed", "Application Opened", "Application Opened", "Application Uninstalled"}))
	o.add("properties", object{{"version", "3.1.0"}, {"build", "312"}, {"from_background", g.rng.IntN(2) == 0}})
	g.tail(&o, u, true)
	return o
}

// invalid returns an event the mapper rejects: an anonymous identify, a
// track without an event name, or an unknown type.
func (g *Generator) invalid(u int) object {
	switch g.rng.IntN(3) {
	case 0:
		o := g.envelope("identify")
		o.add("context", g.context(nil, nil))
		o.add("traits", object{{"plan", pick(g, plans)}})
		g.tail(&o, u, false)
		return o
	case 1:
		o := g.envelope("track")
		o.add("context", g.context(nil, nil))
		o.add("properties", object{{"value", 1}})
		g.tail(&o, u, true)
		return o
	}
	o := g.envelope("record")
	o.add("context", g.context(nil, nil))
	g.tail(&o, u, true)
	return o
}

// personTraits returns a user's traits: the usual profile keys, an address
// most of the time, a dotted key now and then, and custom attributes.
func (g *Generator) personTraits(u int, big bool) object {
	first, last := pick(g, firstNames), pick(g, lastNames)
	t := object{
		{"email", g.emails[u]},
		{"firstName", first},
		{"lastName", last},
		{"plan", pick(g, plans)},
		{"createdAt", g.timestamp(g.epoch.Add(-time.Duration(g.rng.Int64N(int64(900 * 24 * time.Hour)))))},
	}
	if g.rng.IntN(10) < 6 {
		t.add("address", object{
			{"street", fmt.Sprintf("%d %s", 1+g.rng.IntN(300), pick(g, streets))},
			{"city", pick(g, cities)},
			{"postalCode", fmt.Sprintf("%05d", g.rng.IntN(100000))},
			{"country", pick(g, countries)},
		})
	}
	if g.rng.IntN(10) == 0 {
		t.add("preferences.newsletter", g.rng.IntN(2) == 0)
	}
	if g.rng.IntN(2) == 0 {
		t.add("phone", fmt.Sprintf("+1-555-%04d", g.rng.IntN(10000)))
	}
	g.custom(&t, g.rng.IntN(4), big)
	return t
}

// trackProperties returns the properties of a track event: an order or a
// product view, and custom properties.
func (g *Generator) trackProperties(big bool) object {
	p := object{}
	if g.rng.IntN(2) == 0 {
		items := make([]any, 1+g.rng.IntN(2))
		total := 0.0
		for i := range items {
			price := float64(100+g.rng.IntN(20000)) / 100
			total += price
			items[i] = object{{"sku", fmt.Sprintf("SKU-%05d", g.rng.IntN(100000))}, {"price", price}, {"quantity", 1 + g.rng.IntN(3)}}
		}
		p.add("order_id", fmt.Sprintf("ord_%08d", g.rng.IntN(100000000)))
		p.add("revenue", float64(int(total*100))/100)
		p.add("currency", pick(g, []string{"USD", "EUR", "GBP"}))
		p.add("products", items)
	} else {
		p.add("product_id", fmt.Sprintf("SKU-%05d", g.rng.IntN(100000)))
		p.add("name", pick(g, products))
		p.add("category", pick(g, categories))
		p.add("price", float64(100+g.rng.IntN(20000))/100)
	}
	g.custom(&p, g.rng.IntN(2), big)
	return p
}

// custom adds n custom attributes of mixed kinds; a big event gets 40 to
// 120 more, several kilobytes.
func (g *Generator) custom(o *object, n int, big bool) {
	if big {
		n += 40 + g.rng.IntN(80)
	}
	for i := range n {
		key := fmt.Sprintf("%s_%d", pick(g, attrNames), i)
		var v any
		switch g.rng.IntN(8) {
		case 0, 1, 2:
			v = pick(g, attrWords) + " " + pick(g, attrWords)
		case 3:
			v = g.rng.IntN(100000)
		case 4:
			v = float64(g.rng.IntN(100000)) / 100
		case 5:
			v = g.rng.IntN(2) == 0
		case 6:
			v = []any{pick(g, attrWords), pick(g, attrWords)}
		default:
			v = object{{"source", pick(g, attrWords)}, {"score", g.rng.IntN(100)}}
		}
		o.add(key, v)
	}
}

// uuid returns a random version-4 style id.
func (g *Generator) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, b>>48|0x8000, b&0xffffffffffff)
}

// pick returns a random element of s.
func pick[T any](g *Generator, s []T) T { return s[g.rng.IntN(len(s))] }

// lower lowercases ASCII letters.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
