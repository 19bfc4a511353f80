package transform

import (
	"strconv"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// addressKeys are the address traits flattened to top-level attributes, and
// addressPaths their dotted paths from the traits.
var (
	addressKeys  = [...]string{"city", "country", "postalCode", "state", "street"}
	addressPaths = [...]string{"address.city", "address.country", "address.postalCode", "address.state", "address.street"}
	// quotedAddressKeys are addressKeys as JSON strings.
	quotedAddressKeys = [...]string{`"city"`, `"country"`, `"postalCode"`, `"state"`, `"street"`}
)

// reservedTrait reports whether key is a trait identify never copies as it
// is: the address (flattened into addressKeys), createdAt (sent as
// created_at), userId and anonymousId.
func reservedTrait(key string) bool {
	switch key {
	case "address", "createdAt", "userId", "anonymousId":
		return true
	}
	return false
}

// addressKey reports whether key is one of addressKeys, which a trait of
// its own sets as it is.
func addressKey(key string) bool {
	switch key {
	case "city", "country", "postalCode", "state", "street":
		return true
	}
	return false
}

// traitSources returns where the identify attributes come from: root, the
// traits when they are truthy, else context.traits, never both; and
// keysFrom, the object whose keys are copied, which is root unless the
// traits are false or 0: upstream's generic traits mapping stops there and
// then finds no keys at all.
func (ev *event) traitSources() (root, keysFrom jsvalue.Value) {
	root = ev.traits
	if !root.Truthy() {
		root = ev.contextTraits
	}
	keysFrom = root
	if isFalseOrZero(ev.traits) {
		keysFrom = jsvalue.Undefined()
	}
	return root, keysFrom
}

// identify maps an identify event: PUT /api/v1/customers/{id} with the
// person's attributes.
func (ev *event) identify(dest *Destination) Result {
	id := ev.identity()
	if !id.Truthy() {
		return Result{Err: instrumentationError("userId or email is not present")}
	}

	root, keysFrom := ev.traitSources()
	ep := endpoint{path: customersPath, id: id}
	if keysFrom.IsObject() && !ev.userProperties.Truthy() && !ev.pathKeys() && directTraits(keysFrom, ev.rootIDs(root)) {
		return ev.request(dest, methodPut, customersEndpointPath, ep, ev.plainIdentifyBody(keysFrom, ev.rootIDs(root).address))
	}

	body, err := ev.builtIdentifyBody(root, keysFrom)
	if err != nil {
		return Result{Err: err}
	}
	return ev.request(dest, methodPut, customersEndpointPath, ep, body)
}

// builtIdentifyBody builds the attributes of an identify event as upstream
// does, through set-value key paths, and encodes them: for traits that
// are not direct (see directTraits) or come with user_properties. root
// and keysFrom are as traitSources returns them.
func (ev *event) builtIdentifyBody(root, keysFrom jsvalue.Value) (draft, *Error) {
	// Len, All and walksValues read the traits from the message's index
	// as they go: the trait keys are never copied into a slice of their
	// own, unless some of them go first (see js.KeyOrder).
	body := ev.newObject(memberCount(keysFrom) + memberCount(ev.userProperties) + len(addressKeys) + 3)
	keys := scanTraitKeys(keysFrom)
	props := scanUserPropertyKeys(ev.userProperties)
	a := attributes{
		body: body,
		own:  keys.walk || props.walk,
		// A copy: nothing after the attributes spends from the budget.
		budget: ev.budget,
	}
	ev.readFromMessage(&a)
	if isContainer(root) && root.Same(keysFrom) {
		a.setAddressFrom(root, &keys)
	} else {
		a.setAddress(root)
	}
	a.setAddressFromMessage()
	switch keysFrom.Kind() {
	case jsvalue.KindObject:
		// Trait keys are unique, so until a key path may have written a
		// member a plain key names, a plain key can only meet an address
		// attribute: it is appended without a search, which keeps large
		// traits linear.
		a.root = root
		if keys.indexKeys {
			for _, m := range js.KeyOrder(keysFrom.Members()) {
				a.trait(m.Key, m.Value)
				if a.err != nil {
					return draft{}, a.err
				}
			}
			break
		}
		for k, v := range keysFrom.All() {
			a.trait(k, v)
			if a.err != nil {
				return draft{}, a.err
			}
		}
	case jsvalue.KindArray:
		// Index keys are unique and meet no address attribute.
		for i, e := range keysFrom.Elems() {
			a.add(strconv.Itoa(i), e)
		}
	}
	if ev.userProperties.Truthy() {
		a.setUserProperties(ev.userProperties, props)
		if a.err != nil {
			return draft{}, a.err
		}
	}

	if ev.createdAt.Truthy() {
		body.Set("created_at", ev.unixSeconds(ev.createdAt))
	}
	if ev.historical.Truthy() {
		body.Set("_timestamp", ev.unixSeconds(ev.historical))
	}
	if ev.anonymousID.Truthy() {
		body.Set("anonymous_id", ev.anonymousID)
	}
	return encodeBody(body), nil
}

// rootIDs returns what load or resolve read of root, the traits or the
// context traits (see traitSources).
func (ev *event) rootIDs(root jsvalue.Value) *traitIDs {
	if root.Same(ev.traits) {
		return &ev.ids
	}
	return &ev.contextIDs
}

// traitKey is what identify makes of a trait key (see directTraitKey).
type traitKey uint8

const (
	// traitKeyPlain is a key written as it is (see plainKey), or one of
	// the traits written apart from the others.
	traitKeyPlain traitKey = iota
	// traitKeyDotted is a key with one dot, which set-value writes as it
	// is (the first dot of a trait key is escaped), and which reads its
	// own member through get-value unless the part before the dot is a
	// key of the traits too (see directTraits).
	traitKeyDotted
	// traitKeyIndirect is any other key: a key path, an attribute that is
	// also written apart from the traits, or a key that reads as a number.
	traitKeyIndirect
)

// directTraitKey classifies a trait key for identify, which writes the
// traits directly when they have no indirect key, so that no attribute is
// written twice and none goes through a key path.
func directTraitKey(k string) traitKey {
	if plainKey(k) {
		switch k {
		case "city", "country", "postalCode", "state", "street", "created_at", "_timestamp", "anonymous_id":
			return traitKeyIndirect
		}
		return traitKeyPlain
	}
	// A key starting with a letter, '_' or '$' never reads as a number; a
	// key starting "address." may be read as the address.
	if k == "" || !plainKey(k[:1]) || strings.HasPrefix(k, "address.") ||
		strings.Count(k, ".") != 1 || strings.IndexByte(k, '\\') >= 0 || strings.IndexByte(k, '/') >= 0 {
		return traitKeyIndirect
	}
	return traitKeyDotted
}

// directTraits reports whether traits, an object whose keys ids describes,
// are what identify can write as they come: no indirect key (see
// directTraitKey), and no dotted key whose part before the dot is a key of
// the traits too, through which get-value would read it.
func directTraits(traits jsvalue.Value, ids *traitIDs) bool {
	if ids.indirect {
		return false
	}
	if !ids.dotted {
		return true
	}
	for k := range traits.All() {
		if dot := strings.IndexByte(k, '.'); dot >= 0 && !traits.Get(k[:dot]).IsUndefined() {
			return false
		}
	}
	return true
}

// plainIdentifyBody writes the body of an identify event with direct traits
// (see directTraits) and no user_properties, whose address member is
// address: the members the attributes would hold, in their order, each
// written once, so the body is written directly rather than built.
func (ev *event) plainIdentifyBody(traits, address jsvalue.Value) draft {
	buf := bodyBuffer()
	w := newObjectWriter((*buf)[:0])
	// As setAddress: the address is the member's, as no key starts with
	// "address.".
	if !address.IsUndefined() {
		vals := addressValues(address)
		for i, k := range quotedAddressKeys {
			w.member(k, vals[i])
		}
	}
	for k, v := range traits.All() {
		if reservedTrait(k) {
			continue
		}
		w.memberKey(k, v)
	}
	if ev.createdAt.Truthy() {
		w.key(`"created_at"`)
		w.dst = appendUnixSeconds(w.dst, ev.createdAt)
	}
	if ev.historical.Truthy() {
		w.key(`"_timestamp"`)
		w.dst = appendUnixSeconds(w.dst, ev.historical)
	}
	if ev.anonymousID.Truthy() {
		w.member(`"anonymous_id"`, ev.anonymousID)
	}
	return finish(buf, w.end())
}

// attributes builds an identify body. Trait and user property values are
// shared with the message, except when a key path may write into a value
// already in the body (own): then every object or array is copied (a
// scalar is its own copy), so that the message is never modified. Key paths spend from budget; the first error
// of a key path is kept in err, and nothing more is written after it.
type attributes struct {
	body   jsvalue.Value
	own    bool
	budget budget
	err    *Error
	// root is the traits trait reads key paths from, and walked is set
	// once a key path may have written a member a plain key names (see
	// mayWritePlainKey): until then a plain trait key is new to the body,
	// as trait keys are unique. They are fields rather than arguments of
	// trait, so that its arguments fit in registers.
	root   jsvalue.Value
	walked bool
	// message is the message when one of its keys holds a dot (see
	// event.pathKeys), undefined otherwise; traitsPrefix is the path of the
	// traits in it, "traits." or "context.traits.". Upstream reads each
	// attribute with get-value from the message by its whole path, which
	// a key of the message with a dot may stand for: then every attribute
	// is read so (see fromMessage), rather than from the traits.
	message      jsvalue.Value
	traitsPrefix string
}

// readFromMessage sets a's message when a key of the message holds a dot
// (see attributes.message): the message as the mapping sees it, after the
// reverse-ETL rewrite.
func (ev *event) readFromMessage(a *attributes) {
	if !ev.pathKeys() {
		return
	}
	a.message, a.traitsPrefix = ev.dottedRoot(), "context.traits."
	if ev.traits.Truthy() {
		a.traitsPrefix = "traits."
	}
}

// setAddressFromMessage writes the address attributes as get-value reads
// them from the message ("traits.address.city"), when a's message is set.
func (a *attributes) setAddressFromMessage() {
	for i, k := range addressKeys {
		if v, ok := a.fromMessage(a.traitsPrefix, addressPaths[i]); ok {
			a.set(k, v)
		}
	}
}

// fromMessage returns what get-value reads from a's message for the path
// prefix+key, and whether a's message is set (see attributes.message).
func (a *attributes) fromMessage(prefix, key string) (jsvalue.Value, bool) {
	if !a.message.IsObject() {
		return jsvalue.Value{}, false
	}
	return js.GetValue(a.message, prefix+key), true
}

// trait writes the trait key of value v from a.root, the traits.
func (a *attributes) trait(key string, v jsvalue.Value) {
	if reservedTrait(key) {
		return
	}
	mv, read := a.fromMessage(a.traitsPrefix, key)
	if read {
		v = mv
	}
	if addressKey(key) {
		a.set(key, v)
		return
	}
	if !plainKey(key) {
		if !read {
			v = js.Lookup(a.root, key)
		}
		a.setPath(key, v, true)
		a.walked = a.walked || mayWritePlainKey(key)
		return
	}
	if a.walked {
		a.set(key, v)
		return
	}
	a.add(key, v)
}

// mayWritePlainKey reports whether the trait key path key, not a plain key,
// may write a member of the body that a plain key names. Only a backslash
// can make it: with its first dot escaped, the first segment of a key path
// holds that dot, or ends in a literal backslash when one escapes the dot's
// escape; a key of one segment is the key, with a dot, or its first byte
// not a letter, '_' or '$', which no number's key starts with either
// (TestPathWritesNoPlainKey).
func mayWritePlainKey(key string) bool { return strings.IndexByte(key, '\\') >= 0 }

// set writes the member key.
func (a *attributes) set(key string, v jsvalue.Value) {
	if a.own && isContainer(v) {
		v = deepCopy(v)
	}
	a.body.Set(key, v)
}

// setAddress writes the address attributes as upstream reads each
// "address.<key>" from the traits with get-value: through the address
// member when there is one, else from literal "address.<key>" members.
func (a *attributes) setAddress(root jsvalue.Value) {
	if !isContainer(root) {
		return
	}
	var keys traitKeys
	for k, v := range root.All() {
		if keys.address(k, v) {
			break
		}
	}
	a.setAddressFrom(root, &keys)
}

// setAddressFrom is setAddress with what a pass over the keys of root, a
// container, found of its address (see traitKeys.address).
func (a *attributes) setAddressFrom(root jsvalue.Value, keys *traitKeys) {
	if keys.hasAddress {
		vals := addressValues(keys.addressValue)
		for i, k := range addressKeys {
			a.set(k, vals[i])
		}
		return
	}
	if root.IsArray() || !keys.literalAddress {
		return
	}
	for i, k := range addressKeys {
		a.set(k, root.Get(addressPaths[i]))
	}
}

// addressValues returns the members of address named by addressKeys, in
// their order, as address.Get reads each, in one pass over address rather
// than a search per key. Any value but an object has none.
func addressValues(address jsvalue.Value) (vals [len(addressKeys)]jsvalue.Value) {
	for k, v := range address.All() {
		switch k {
		case "city":
			vals[0] = v
		case "country":
			vals[1] = v
		case "postalCode":
			vals[2] = v
		case "state":
			vals[3] = v
		case "street":
			vals[4] = v
		}
	}
	return vals
}

// add appends the member key, which the body does not have yet.
func (a *attributes) add(key string, v jsvalue.Value) {
	if v.IsUndefined() {
		return
	}
	if a.own && isContainer(v) {
		v = deepCopy(v)
	}
	a.body.Add(key, v)
}

// setPath writes v at the set-value key path key.
func (a *attributes) setPath(key string, v jsvalue.Value, escapeFirstDot bool) {
	if a.err != nil {
		return
	}
	if a.own && isContainer(v) {
		v = deepCopy(v)
	}
	a.err = setPath(a.body, key, v, escapeFirstDot, &a.budget)
}

// setUserProperties writes the deprecated user_properties over the
// attributes, each key as a set-value path with no escaping; keys is what
// scanUserPropertyKeys read of them.
func (a *attributes) setUserProperties(props jsvalue.Value, keys userPropertyKeys) {
	switch props.Kind() {
	case jsvalue.KindObject:
		if keys.indexes.Indexes() == 0 || !keys.indexes.Ascending() || a.message.IsObject() {
			// Without index keys the members are read as they are (small
			// user properties cost less loaded once than read in two
			// passes); with index keys out of order, KeyOrder sorts them.
			for _, m := range js.KeyOrder(props.Members()) {
				if a.userProperty(props, m.Key, m.Value); a.err != nil {
					return
				}
			}
			return
		}
		// The keys in Object.keys order without a reordered copy, read
		// from the message's index: the index keys, as they come, then
		// the others. User property keys are unique, so an index key can
		// only meet an index key the traits wrote: without one, each is
		// appended without a search.
		fresh := !hasIndexKey(a.body)
		for k, v := range props.All() {
			switch {
			case !indexKey(k):
			case fresh:
				a.add(k, v)
			default:
				a.set(k, v)
			}
		}
		for k, v := range props.All() {
			if indexKey(k) {
				continue
			}
			if a.userProperty(props, k, v); a.err != nil {
				return
			}
		}
	case jsvalue.KindArray:
		for i, e := range props.Elems() {
			a.set(strconv.Itoa(i), e)
		}
	case jsvalue.KindString:
		// Object.keys of a string lists its UTF-16 indexes, and reading
		// them through the message yields undefined, which set-value
		// treats as a delete.
		n := jsvalue.UTF16Len(props.Str())
		for i := range n {
			a.body.Delete(strconv.Itoa(i))
		}
	}
}

// userProperty writes the user property key of value v from props as
// set-value does: as a key path with no escaping.
func (a *attributes) userProperty(props jsvalue.Value, key string, v jsvalue.Value) {
	mv, read := a.fromMessage("user_properties.", key)
	if read {
		v = mv
	}
	if plainKey(key) || indexKey(key) {
		// set-value writes an array index key, one segment that is its
		// own number's key, as it is too.
		a.set(key, v)
		return
	}
	if !read && (strings.IndexByte(key, '.') >= 0 || strings.IndexByte(key, '\\') >= 0) {
		// Only a key of more than one segment can read anything but its
		// own member through get-value.
		v = js.Lookup(props, key)
	}
	a.setPath(key, v, false)
}

// hasIndexKey reports whether the object body has a member whose key is an
// array index.
func hasIndexKey(body jsvalue.Value) bool {
	for _, m := range body.Members() {
		if indexKey(m.Key) {
			return true
		}
	}
	return false
}

// indexKey reports whether key is an array index as JavaScript prints it
// (see jsvalue.ArrayIndex).
func indexKey(key string) bool {
	_, ok := jsvalue.ArrayIndex(key)
	return ok
}

// traitKeys is what a pass over the keys of the traits tells identify.
type traitKeys struct {
	// addressValue is the value of the address member, when hasAddress;
	// literalAddress is set when, before it, a key starts "address.".
	addressValue               jsvalue.Value
	hasAddress, literalAddress bool
	// walk is set when writing the keys as set-value paths may descend
	// into a value already written (see walks, with 2 dots: the first dot
	// of a trait key is escaped); indexKeys when some key is an array
	// index, which js.KeyOrder lists first.
	walk, indexKeys bool
}

// address notes what member k of value v tells of the address, as
// setAddress reads it, and reports whether the address member is found.
func (t *traitKeys) address(k string, v jsvalue.Value) bool {
	if t.hasAddress {
		return true
	}
	if k == "address" {
		t.addressValue, t.hasAddress = v, true
		return true
	}
	t.literalAddress = t.literalAddress || strings.HasPrefix(k, "address.")
	return false
}

// scanTraitKeys reads traitKeys in one pass over the keys of v.
func scanTraitKeys(v jsvalue.Value) traitKeys {
	var t traitKeys
	for k, val := range v.All() {
		t.address(k, val)
		t.walk = t.walk || walks(k, 2)
		if !t.indexKeys && k != "" && '0' <= k[0] && k[0] <= '9' {
			_, t.indexKeys = jsvalue.ArrayIndex(k)
		}
	}
	return t
}

// memberCount returns the number of members of an object, 0 for any other
// value.
func memberCount(v jsvalue.Value) int {
	if !v.IsObject() {
		return 0
	}
	return v.Len()
}

// userPropertyKeys is what a pass over the keys of the user properties
// tells identify.
type userPropertyKeys struct {
	// indexes tallies the keys that are array indexes, which js.KeyOrder
	// lists first.
	indexes js.IndexTally
	// walk is set when writing the keys as set-value paths may descend
	// into a value already written (see walks, with 1 dot).
	walk bool
}

// scanUserPropertyKeys reads userPropertyKeys in one pass over the keys
// of v, when v is a truthy object.
func scanUserPropertyKeys(v jsvalue.Value) userPropertyKeys {
	var u userPropertyKeys
	if !v.IsObject() {
		return u
	}
	for k := range v.All() {
		u.indexes.Note(k)
		u.walk = u.walk || walks(k, 1)
	}
	return u
}

// walks reports whether the key path k may descend into a value already
// written: it has no '/', and a backslash or at least the given number of
// dots.
func walks(k string, dots int) bool {
	if len(k) > shortKey {
		if strings.IndexByte(k, '/') >= 0 {
			return false
		}
		return strings.IndexByte(k, '\\') >= 0 || strings.Count(k, ".") >= dots
	}
	// Most keys are short: one pass over their bytes costs less than the
	// three searches' setup.
	found, escaped := 0, false
	for i := range len(k) {
		switch k[i] {
		case '/':
			return false
		case '\\':
			escaped = true
		case '.':
			found++
		}
	}
	return escaped || found >= dots
}

// shortKey is the length up to which walks reads a key byte by byte.
const shortKey = 32

// plainKey reports whether set-value writes key as one literal member: it
// has no '.' or '\' and cannot read as a JavaScript integer (it starts with
// an ASCII letter or '_'), so the value read for it through get-value is the
// member's own value too.
func plainKey(key string) bool {
	if key == "" {
		return false
	}
	c := key[0]
	if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$') {
		return false
	}
	if len(key) > plainKeyScan {
		return strings.IndexByte(key, '.') < 0 && strings.IndexByte(key, '\\') < 0
	}
	// A short key costs less to look at byte by byte than with two
	// searches.
	for i := 1; i < len(key); i++ {
		if c := key[i]; c == '.' || c == '\\' {
			return false
		}
	}
	return true
}

// plainKeyScan is the longest key plainKey looks at byte by byte.
const plainKeyScan = 16
