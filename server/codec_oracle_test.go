package server

import (
	"fmt"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// legacyDecode decodes a request message as the server did before it
// walked and built messages itself: a scan of the wire for the cost, then
// protobuf's decoding. It returns the decoded message, or the kind and
// text of the refusal. It is the oracle of requestCodec.Unmarshal.
func legacyDecode(b []byte, m proto.Message, maxJobs int, maxDecodedBytes int64) (kind byte, text string) {
	md := m.ProtoReflect().Descriptor()
	var cost wireCost
	legacyScanMessage(b, md, 0, &cost)
	decoded := cost.decodedBytes(len(b))
	switch {
	case md.FullName() == batchRequestName && cost.jobs > maxJobs:
		return noteTooManyJobs, fmt.Sprintf("%d jobs exceed the limit of %d per request message", cost.jobs, maxJobs)
	case maxDecodedBytes > 0 && decoded > maxDecodedBytes:
		return noteTooCostly, fmt.Sprintf("the request message would take about %d bytes decoded (%d nested messages), more than the limit of %d: send fewer or smaller jobs", decoded, cost.nodes, maxDecodedBytes)
	}
	if err := proto.Unmarshal(b, m); err != nil {
		return noteNotProtobuf, err.Error()
	}
	return noteCost, string(protowire.AppendVarint(nil, uint64(decoded)))
}

func legacyScanMessage(b []byte, md protoreflect.MessageDescriptor, depth int, c *wireCost) {
	fields := md.Fields()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		if depth == 0 && typ == protowire.VarintType && isRequestID(fields.ByNumber(num)) {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return
			}
			c.requestID = v
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return
		}
		if typ == protowire.BytesType {
			if fd := fields.ByNumber(num); fd != nil && (fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind) {
				c.nodes++
				if depth == 0 && num == 3 && md.FullName() == batchRequestName {
					c.jobs++
				}
				if depth < maxScanDepth {
					sub, _ := protowire.ConsumeBytes(b)
					// A map field's message is its entry: key and value.
					legacyScanMessage(sub, fd.Message(), depth+1, c)
				}
			}
		}
		b = b[n:]
	}
}

// typedEvent converts a decoded typed event to the RudderStack JSON it
// stands for, as the server did before it read events from the wire: the
// oracle of eventJSON.
// Empty strings and absent structs are left out, as absent keys.
func typedEvent(e *ciotransformerv1.Event) jsvalue.Value {
	v := jsvalue.NewObject(21)
	str := func(key, s string) {
		if s != "" {
			v.Set(key, jsvalue.String(s))
		}
	}
	obj := func(key string, s *structpb.Struct) {
		if s != nil {
			v.Set(key, structValue(s))
		}
	}
	str("type", e.GetType())
	str("messageId", e.GetMessageId())
	str("userId", e.GetUserId())
	str("anonymousId", e.GetAnonymousId())
	str("previousId", e.GetPreviousId())
	str("groupId", e.GetGroupId())
	str("event", e.GetEvent())
	str("name", e.GetName())
	str("category", e.GetCategory())
	str("channel", e.GetChannel())
	str("timestamp", e.GetTimestamp())
	str("originalTimestamp", e.GetOriginalTimestamp())
	str("sentAt", e.GetSentAt())
	str("receivedAt", e.GetReceivedAt())
	obj("traits", e.GetTraits())
	obj("properties", e.GetProperties())
	obj("context", e.GetContext())
	obj("integrations", e.GetIntegrations())
	obj("user_properties", e.GetUserProperties())
	str("action", e.GetAction())
	obj("identifiers", e.GetIdentifiers())
	return v
}

// badEvent is the 400 of an event whose JSON cannot be read, as the oracle
// compares it.
func badEvent(msg string) *transform.Error {
	return &transform.Error{StatusCode: 400, Message: msg, Category: transform.CategoryDataValidation, Type: transform.TypeInstrumentation}
}

// eventValue reads a job's event the way the mapping does: raw JSON parsed,
// a typed event read from the wire.
func eventValue(j *ciotransformerv1.Job) (jsvalue.Value, *transform.Error) {
	switch p := j.GetPayload().(type) {
	case *ciotransformerv1.Job_RawEvent:
		v, err := jsvalue.Parse(p.RawEvent)
		if err != nil {
			return jsvalue.Value{}, badEvent("Event is not valid JSON: " + err.Error())
		}
		return v, nil
	case *ciotransformerv1.Job_Event:
		return typedValue(eventWire(p.Event)), nil
	}
	return jsvalue.Value{}, badEvent("Event is missing")
}
