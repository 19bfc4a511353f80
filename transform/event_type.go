package transform

import (
	"strings"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// EventType is the low-cardinality class of an event's type: the six
// RudderStack event types, record (warehouse record events), and unknown
// for anything else (a missing, misspelt or non-string type), so that
// labels derived from it form a fixed set.
type EventType uint8

// The event types, EventUnknown first so that a zero Result (a job that
// was never read) is unknown.
const (
	EventUnknown EventType = iota
	EventIdentify
	EventTrack
	EventPage
	EventScreen
	EventGroup
	EventAlias
	EventRecord
	// NumEventTypes is the number of event types, for arrays indexed by
	// EventType.
	NumEventTypes
)

// eventTypeNames are the names of the event types, indexed by EventType.
var eventTypeNames = [NumEventTypes]string{
	"unknown", typeIdentify, typeTrack, typePage, typeScreen, typeGroup, typeAlias, typeRecord,
}

// String returns the type's name: the message type, lowercased, or
// "unknown".
func (t EventType) String() string {
	if t >= NumEventTypes {
		return eventTypeNames[EventUnknown]
	}
	return eventTypeNames[t]
}

// eventTypeOf classifies ev's type as the mapping reads it: upstream
// lowercases the type before dispatching on it, so the match ignores case.
func eventTypeOf(ev jsvalue.Value) EventType {
	t := ev.Get("type")
	if !t.IsString() {
		return EventUnknown
	}
	s := t.Str()
	for i := EventIdentify; i < NumEventTypes; i++ {
		if strings.EqualFold(s, eventTypeNames[i]) {
			return i
		}
	}
	return EventUnknown
}
