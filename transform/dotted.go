package transform

import (
	"strings"
	"unicode/utf8"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// Upstream reads an event's fixed fields with the npm get-value package
// and a dotted path from the message ("context.device.token",
// "traits.email"): the whole path as one key of the message first, then
// segment by segment, a segment that is not a key joined with the ones
// after it until a key matches (see js.GetValue). A key with a dot can
// therefore stand for a path: {"context": {"device.token": "t"}} has the
// token "t", and {"traits.email": "x@y.co"} the email "x@y.co", whatever
// the traits hold.
//
// load reads the members of the message and its context directly, which
// is the same but where such a key is on the way: a key of the message or
// of its context that starts a path upstream reads (rootPathKey,
// contextPathKey), or a key with a dot in an externalId that is an object
// rather than an array. Then (ev.dotted) the fields below are read again
// through get-value (readDotted, readDottedIDs). Within the traits, the
// keys read are the last segments of their paths, which no key with a dot
// stands for.

// pathKeys reports whether a key of the message itself stands for a path
// (see rootPathKey): get-value may read it as a whole path, before the
// members the path walks.
func (ev *event) pathKeys() bool { return ev.rootDotted }

// rootPathKey reports whether key, a key of the message, may stand for a
// path upstream reads: it starts with the first segment of one and a dot.
// The paths of more than one segment start with traits, context,
// properties or user_properties.
func rootPathKey(key string) bool { return rootPathStarts.match(key) }

// contextPathKey reports whether key, a key of the context, may stand for
// the rest of a path upstream reads through the context: context.traits,
// context.device, context.externalId, context.os and context.app lead to
// members further down.
func contextPathKey(key string) bool { return contextPathStarts.match(key) }

var (
	rootPathStarts    = newPathStarts("traits.", "context.", "properties.", "user_properties.")
	contextPathStarts = newPathStarts("traits.", "device.", "externalId.", "os.", "app.")
)

// pathStarts holds the beginnings of paths ("traits.") by their first
// byte, each beginning's own: load asks of every key of the message and of
// its context that it does not read whether it starts one, so a key is
// compared with one beginning at most.
type pathStarts [128]string

// newPathStarts returns the pathStarts of prefixes, ASCII strings whose
// first bytes differ.
func newPathStarts(prefixes ...string) *pathStarts {
	var t pathStarts
	for _, p := range prefixes {
		t[p[0]] = p
	}
	return &t
}

// match reports whether key starts with one of t's beginnings.
func (t *pathStarts) match(key string) bool {
	if key == "" || key[0] >= utf8.RuneSelf {
		return false
	}
	p := t[key[0]]
	return p != "" && strings.HasPrefix(key, p)
}

// anyDottedKey reports whether an object v has a key with a dot.
func anyDottedKey(v jsvalue.Value) bool {
	for key := range v.All() {
		if strings.IndexByte(key, '.') >= 0 {
			return true
		}
	}
	return false
}

// readDotted reads through get-value the fields of the context that load
// read directly: the context traits, the device token and type,
// context.mappedToDestination and the first external id's id and
// identifierType. The device and the external id become objects of what
// was read (Add leaves out what is undefined).
func (ev *event) readDotted() {
	get := func(path string) jsvalue.Value { return js.GetValue(ev.msg, path) }
	ev.contextTraits = get("context.traits")
	ev.token = ev.id(get("context.device.token"))
	ev.device = jsvalue.NewObject(1)
	ev.device.Add("type", get("context.device.type"))
	ev.retl = get("context.mappedToDestination").Truthy()
	ev.externalID = jsvalue.NewObject(2)
	ev.externalID.Add("id", get("context.externalId.0.id"))
	ev.externalID.Add("identifierType", get("context.externalId.0.identifierType"))
}

// readDottedIDs reads through get-value the identifier members of the
// traits and the context traits and properties.email, after they were
// read directly (readTraitIDs, withStringEmail), with deviation D5 on the
// emails as load applies it (event.id). root is the message as the
// mapping sees it (see dottedRoot).
func (ev *event) readDottedIDs(root jsvalue.Value) {
	get := func(path string) jsvalue.Value { return js.GetValue(root, path) }
	t, c := &ev.ids, &ev.contextIDs
	t.userID, t.id, t.email = get("traits.userId"), get("traits.id"), get("traits.email")
	t.createdAt, t.groupID = get("traits.createdAt"), get("traits.groupId")
	t.objectTypeID, t.action = get("traits.objectTypeId"), get("traits.action")
	c.userID, c.id, c.email = get("context.traits.userId"), get("context.traits.id"), get("context.traits.email")
	c.createdAt = get("context.traits.createdAt")
	ev.propsEmail = get("properties.email")
	t.email, c.email, ev.propsEmail = ev.id(t.email), ev.id(c.email), ev.id(ev.propsEmail)
}

// dottedRoot returns the message as the mapping sees it after the
// reverse-ETL rewrite, which upstream makes in the message itself: its
// traits and its context's traits those the rewrite wrote into (copies,
// see applyRETL).
func (ev *event) dottedRoot() jsvalue.Value {
	if !ev.retl {
		return ev.msg
	}
	root := ev.msg.ShallowCopy()
	if !root.Get("traits").IsUndefined() {
		root.Set("traits", ev.traits)
	}
	if ctx := root.Get("context"); ctx.IsObject() {
		ctx = ctx.ShallowCopy()
		if !ctx.Get("traits").IsUndefined() {
			ctx.Set("traits", ev.contextTraits)
		}
		root.Set("context", ctx)
	}
	return root
}
