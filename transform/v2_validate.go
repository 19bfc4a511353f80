package transform

import (
	"strconv"
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform/internal/js"
)

// The value lists of the enumerations API mode v2 checks, in upstream's
// order (it prints them in its messages).
var (
	v2EventTypes   = []string{typeIdentify, typeTrack, typePage, typeScreen, typeAlias, typeGroup}
	v2RecordAction = []string{"insert", "update", "delete"}
	v2RecordObject = []string{recordObjectPerson, recordObjectEvent}
)

// recordIdentifierKeys are the record identifiers that name the person, in
// priority order.
var recordIdentifierKeys = [...]string{"cio_id", "id", "email"}

// Messages of the refinements of upstream's v2 input schema.
const (
	missingPersonMessage           = "userId, email or anonymousId is required"
	missingRecordIdentifierMessage = "A non-empty `id` or `email` identifier is required"
)

// validate checks the job as upstream's v2 input schema (zod 3) does before
// any mapping, and returns the job's error when it fails: a 400
// whose message lists the distinct problems as "<path>: <problem>", joined
// with "; ", in the order zod finds them. The error type is configuration
// when every problem lies in the destination or the connection, else
// instrumentation.
//
// A record event is checked against the record schema, which also checks
// the connection; any other message against the event-stream schema, which
// ignores it. The destination's configuration is checked for both. The
// contract's destination is typed, so of its checks only the credentials
// can fail, and an empty credential reads as a missing one.
func (v *v2Event) validate(dest *Destination, connection jsvalue.Value) *Error {
	var z zodIssues
	if v.typ == typeRecord {
		v.checkRecord(&z)
	} else {
		v.checkEventStream(&z)
	}
	if dest.config.RawConfig || !dest.config.Config.IsUndefined() {
		checkRawConfig(&z, dest.config.Config)
	} else {
		if dest.config.SiteID == "" {
			z.add("destination.Config.siteID", zodRequired)
		}
		if dest.config.APIKey == "" {
			z.add("destination.Config.apiKey", zodRequired)
		}
	}
	if v.typ == typeRecord {
		checkConnection(&z, connection)
	}
	return z.err()
}

// checkRawConfig checks a raw destination configuration against upstream's
// schema: siteID and apiKey non-empty strings (an empty one is "siteID is
// required", the schema's message), datacenter "US" or "EU" when present,
// deviceTokenEventName a string when present.
func checkRawConfig(z *zodIssues, cfg jsvalue.Value) {
	const at = "destination.Config"
	if !z.object(at, cfg) {
		return
	}
	for _, key := range [...]string{"siteID", "apiKey"} {
		v := cfg.Get(key)
		if v.IsString() && v.Str() == "" {
			// The schema's own message for its min(1).
			z.add(at+"."+key, key+" is required")
			continue
		}
		z.str(at+"."+key, v)
	}
	if dc := cfg.Get("datacenter"); !dc.IsUndefined() {
		z.enum(at+".datacenter", dc, v2Datacenters)
	}
	if name := cfg.Get("deviceTokenEventName"); !name.IsUndefined() {
		z.str(at+".deviceTokenEventName", name)
	}
}

// checkEventStream checks the message against the event-stream schema: a
// known type, ids that are strings, numbers or null, and then someone to
// send the event about. The message is an object: mapV2 reads any
// other value as an empty one.
func (v *v2Event) checkEventStream(z *zodIssues) {
	n := len(z.issues)
	z.enum("message.type", v.rawType, v2EventTypes)
	v.checkID(z, "message.userId", v.userID)
	v.checkID(z, "message.anonymousId", v.anonymousID)
	v.checkID(z, "message.previousId", v.previousID)
	v.checkID(z, "message.groupId", v.groupID)
	// zod runs a refinement only on a value that passed its schema.
	if len(z.issues) == n && !v.hasSubject() {
		z.add("message", missingPersonMessage)
	}
}

// checkID checks an id field: a string, a number, null or absent.
func (v *v2Event) checkID(z *zodIssues, path string, id jsvalue.Value) {
	switch id.Kind() {
	case jsvalue.KindUndefined, jsvalue.KindNull, jsvalue.KindString, jsvalue.KindNumber:
		return
	}
	// zod's message for a union none of whose members matches.
	z.add(path, "Invalid input")
}

// hasSubject is the refinement of the event-stream schema: an alias needs a
// userId and a previousId, a group nothing, the other types a userId, an
// anonymousId, an email trait or a RETL mapping (whose external id
// becomes the userId after validation).
func (v *v2Event) hasSubject() bool {
	switch v.typ {
	case typeAlias:
		return v.userID.Truthy() && v.previousID.Truthy()
	case typeGroup:
		return true
	}
	return v.userID.Truthy() || v.anonymousID.Truthy() ||
		js.GetValue(v.msg, "traits.email").Truthy() ||
		js.GetValue(v.msg, "context.traits.email").Truthy() ||
		js.GetValue(v.msg, "context.mappedToDestination").Truthy()
}

// checkRecord checks the message against the record schema: a known action,
// an identifiers object, and then an identifier naming the person.
func (v *v2Event) checkRecord(z *zodIssues) {
	n := len(z.issues)
	z.enum("message.action", v.action, v2RecordAction)
	z.object("message.identifiers", v.identifiers)
	if len(z.issues) == n && recordIdentifierKey(v.identifiers) == "" {
		z.add("message", missingRecordIdentifierMessage)
	}
}

// recordIdentifierKey returns the first of cio_id, id and email that is a
// non-empty string in identifiers, "" when none is.
func recordIdentifierKey(identifiers jsvalue.Value) string {
	for _, k := range recordIdentifierKeys {
		if id := identifiers.Get(k); id.IsString() && id.Str() != "" {
			return k
		}
	}
	return ""
}

// checkConnection checks the connection of a record event, when there is
// one: config.destination must be an object whose object is "person" or
// "event", and whose syncMode and field mappings, when present, have their
// types. An unknown object is an issue like any other, listed with the
// record's other issues.
func checkConnection(z *zodIssues, connection jsvalue.Value) {
	if connection.IsUndefined() || !z.object("connection", connection) {
		return
	}
	config := connection.Get("config")
	if !z.object("connection.config", config) {
		return
	}
	dest := config.Get("destination")
	if !z.object("connection.config.destination", dest) {
		return
	}
	z.enum("connection.config.destination.object", dest.Get("object"), v2RecordObject)
	if mode := dest.Get("syncMode"); !mode.IsUndefined() {
		z.str("connection.config.destination.syncMode", mode)
	}
	checkMappings(z, "connection.config.destination.identifierMappings", dest.Get("identifierMappings"))
	checkMappings(z, "connection.config.destination.fieldMappings", dest.Get("fieldMappings"))
}

// checkMappings checks an optional list of {from, to} string pairs.
func checkMappings(z *zodIssues, path string, list jsvalue.Value) {
	if list.IsUndefined() {
		return
	}
	if !list.IsArray() {
		z.add(path, "Expected array, received "+zodType(list))
		return
	}
	for i, m := range list.Elems() {
		at := path + "." + strconv.Itoa(i)
		if z.object(at, m) {
			z.str(at+".from", m.Get("from"))
			z.str(at+".to", m.Get("to"))
		}
	}
}

// zodRequired is zod's message for a missing value.
const zodRequired = "Required"

// v2Datacenters are the datacenter values upstream's schema accepts.
var v2Datacenters = []string{"US", "EU"}

// zodIssues collects validation problems as zod reports them.
type zodIssues struct {
	issues []zodIssue
}

// zodIssue is one problem: where and what.
type zodIssue struct {
	path, message string
}

// add records a problem at path.
func (z *zodIssues) add(path, message string) {
	z.issues = append(z.issues, zodIssue{path: path, message: message})
}

// object checks that v is an object and reports whether it is.
func (z *zodIssues) object(path string, v jsvalue.Value) bool {
	if v.IsObject() {
		return true
	}
	z.typeIssue(path, "object", v)
	return false
}

// str checks that v is a string.
func (z *zodIssues) str(path string, v jsvalue.Value) {
	if !v.IsString() {
		z.typeIssue(path, "string", v)
	}
}

// enum checks that v is one of the strings values.
func (z *zodIssues) enum(path string, v jsvalue.Value, values []string) {
	if !v.IsString() {
		z.typeIssue(path, joinValues(values), v)
		return
	}
	for _, x := range values {
		if v.Str() == x {
			return
		}
	}
	z.add(path, "Invalid enum value. Expected "+joinValues(values)+", received '"+v.Str()+"'")
}

// typeIssue records zod's invalid_type problem: "Required" for a missing
// value, else what was expected and what was received.
func (z *zodIssues) typeIssue(path, expected string, v jsvalue.Value) {
	if v.IsUndefined() {
		z.add(path, zodRequired)
		return
	}
	z.add(path, "Expected "+expected+", received "+zodType(v))
}

// err returns the job's error, nil when there is no problem.
func (z *zodIssues) err() *Error {
	if len(z.issues) == 0 {
		return nil
	}
	var b strings.Builder
	configOnly := true
	// Upstream lists each distinct line once.
	seen := make(map[string]struct{}, len(z.issues))
	for _, is := range z.issues {
		line := is.path + ": " + is.message
		if _, dup := seen[line]; dup {
			continue
		}
		seen[line] = struct{}{}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(line)
		root, _, _ := strings.Cut(is.path, ".")
		configOnly = configOnly && (root == "destination" || root == "connection")
	}
	newError := instrumentationError
	if configOnly {
		newError = configurationError
	}
	e := newError(b.String())
	e.Schema = true
	return e
}

// zodType names the type of a JSON value as zod does in its messages.
func zodType(v jsvalue.Value) string {
	switch v.Kind() {
	case jsvalue.KindNull:
		return "null"
	case jsvalue.KindBool:
		return "boolean"
	case jsvalue.KindNumber:
		return "number"
	case jsvalue.KindString:
		return "string"
	case jsvalue.KindArray:
		return "array"
	case jsvalue.KindObject:
		return "object"
	}
	return "undefined"
}

// joinValues writes enumeration values as zod does: 'a' | 'b'.
func joinValues(values []string) string {
	var b strings.Builder
	for i, x := range values {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString("'" + x + "'")
	}
	return b.String()
}
