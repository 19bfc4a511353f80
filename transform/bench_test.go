package transform

import "testing"

// benchContext is the context of a typical SDK event.
const benchContext = `"context":{"app":{"build":"1.0.0","name":"RudderLabs JavaScript SDK","namespace":"com.rudderlabs.javascript","version":"1.0.0"},
"library":{"name":"RudderLabs JavaScript SDK","version":"1.0.0"},
"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/77.0.3865.90 Safari/537.36",
"locale":"en-US","ip":"0.0.0.0","os":{"name":"iOS","version":"17.1"},"screen":{"density":2},
"device":{"token":"fcm:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx","type":"ios","model":"iPhone15,2"}}`

// benchEvents are typical events of each kind, as raw JSON.
var benchEvents = []struct {
	name, event string
}{
	{"identify", `{"type":"identify","messageId":"84e26acc-56a5-4835-8233-591137fca468","anonymousId":"a1b2c3d4","userId":"user-12345",` + benchContext + `,
"traits":{"email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe","plan":"pro","logins":42,"createdAt":"2023-05-14T09:03:22.563Z",
"address":{"city":"Kolkata","country":"India","postalCode":712136,"state":"WB","street":"1 Main St"}},
"originalTimestamp":"2019-10-14T09:03:17.562Z","sentAt":"2019-10-14T09:03:22.563Z","timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"identify-dotted", `{"type":"identify","userId":"user-12345",` + benchContext + `,
"traits":{"email":"jane.doe@example.com","dot.name":"x","a.b.c":1,"list.0":"y"},"user_properties":{"p.q":"v"},
"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"track", `{"type":"track","messageId":"84e26acc-56a5-4835-8233-591137fca468","anonymousId":"a1b2c3d4","userId":"user-12345",` + benchContext + `,
"event":"Order Completed","properties":{"order_id":"o-1","revenue":49.99,"currency":"USD","products":[{"sku":"s-1","price":9.5,"quantity":2},{"sku":"s-2","price":30.99,"quantity":1}]},
"originalTimestamp":"2019-10-14T09:03:17.562Z","timestamp":"2019-10-14T09:03:17.562+05:30"}`},
	{"track-anonymous", `{"type":"track","anonymousId":"a1b2c3d4",` + benchContext + `,
"event":"Product Viewed","properties":{"sku":"s-1","price":9.5},"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"page", `{"type":"page","anonymousId":"a1b2c3d4","userId":"user-12345",` + benchContext + `,
"name":"Pricing","properties":{"url":"https://example.com/pricing","title":"Pricing","referrer":"https://google.com"},"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"screen", `{"type":"screen","anonymousId":"a1b2c3d4",` + benchContext + `,
"event":"Checkout","properties":{"step":2},"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"device-register", `{"type":"track","anonymousId":"a1b2c3d4","userId":"user-12345",` + benchContext + `,
"event":"Application Installed","properties":{"version":"1.0.0","build":"42"},"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"device-delete", `{"type":"track","userId":"user-12345",` + benchContext + `,
"event":"Application Uninstalled","timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"alias", `{"type":"alias","userId":"jane.doe@example.com","previousId":"user-12345",` + benchContext + `,"timestamp":"2019-10-14T09:03:17.562Z"}`},
	{"group", `{"type":"group","userId":"user-12345","anonymousId":"a1b2c3d4","groupId":"acme",` + benchContext + `,
"traits":{"name":"Acme Inc","objectTypeId":"1","action":"identify","industry":"software","employees":250,"address":{"city":"Berlin"}},"timestamp":"2019-10-14T09:03:17.562Z"}`},
}

// BenchmarkTransform parses and maps one event of each kind.
func BenchmarkTransform(b *testing.B) {
	dest := NewDestination(DestinationConfig{SiteID: "customerio1", APIKey: "customerio2"})
	for _, be := range benchEvents {
		data := []byte(be.event)
		if r := transformRaw(data, dest); r.Err != nil {
			b.Fatalf("%s: %s", be.name, r.Err.Message)
		}
		b.Run(be.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				transformRaw(data, dest)
			}
		})
	}
}

// transformRaw parses and maps raw event JSON, which it never changes, as
// the server does a job's (see Job.RawImmutable).
func transformRaw(data []byte, dest *Destination) Result {
	return Mode{}.Map(Job{Raw: data, RawImmutable: true}, dest)
}
