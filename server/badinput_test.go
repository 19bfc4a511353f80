package server

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// The bad-input suite: every way bad input can enter, over bufconn and a
// real socket, each with the answer docs/RELIABILITY.md documents.

// tenMB is the size of the huge strings of the suite.
const tenMB = 10 << 20

// jobCase is a job with bad content and the per-job answer it gets.
type jobCase struct {
	name string
	job  *ciotransformerv1.Job
	// dest replaces the suite's destination when set.
	dest *ciotransformerv1.Destination
	// wantError is the job's error message (its start when prefix is set);
	// empty means the job yields a request.
	wantError string
	prefix    bool
	// wantURL, when set, is the start of the request's URL.
	wantURL string
	// big jobs are sent on their own, to stay under the message size cap.
	big bool
}

// overEventCap is the error of a job whose output is over the default
// per-event cap.
const overEventCap = "Event produces more than 1048576 bytes, the per-event limit"

// typedJob is a job carrying a typed event.
func typedJob(id uint64, e *ciotransformerv1.Event) *ciotransformerv1.Job {
	return &ciotransformerv1.Job{JobId: id, Payload: &ciotransformerv1.Job_Event{Event: e}}
}

// nestedStruct is a Struct nested depth levels deep.
func nestedStruct(depth int) *structpb.Struct {
	inner := &structpb.Struct{}
	for range depth - 1 {
		inner = &structpb.Struct{Fields: map[string]*structpb.Value{"a": structpb.NewStructValue(inner)}}
	}
	return inner
}

// wideStruct is a Struct of n string fields.
func wideStruct(n int) *structpb.Struct {
	s := &structpb.Struct{Fields: make(map[string]*structpb.Value, n)}
	for i := range n {
		s.Fields[fmt.Sprintf("trait_%06d", i)] = structpb.NewStringValue("value")
	}
	return s
}

const usCustomers = "https://track.customer.io/api/v1/customers/"

// badJobs are the per-job cases, numbered from job id 1.
func badJobs() []jobCase {
	huge := strings.Repeat("x", tenMB)
	cases := []jobCase{
		{name: "raw invalid JSON", job: rawJob(0, `{"type":"identify",}`), wantError: "Event is not valid JSON: ", prefix: true},
		{name: "raw truncated JSON", job: rawJob(0, `{"type":"identify","userId":"u`), wantError: "Event is not valid JSON: jsvalue: unexpected end of JSON input at offset 30"},
		{name: "raw empty", job: rawJob(0, ``), wantError: "Event is not valid JSON: jsvalue: unexpected end of JSON input at offset 0"},
		{name: "raw white space only", job: rawJob(0, " \n\t"), wantError: "Event is not valid JSON: ", prefix: true},
		{name: "raw two values", job: rawJob(0, `{} {}`), wantError: "Event is not valid JSON: jsvalue: unexpected data after top-level value at offset 3"},
		{name: "raw array", job: rawJob(0, `[{"type":"identify","userId":"u"}]`), wantError: "could not determine type undefined"},
		{name: "raw empty array", job: rawJob(0, `[]`), wantError: "could not determine type undefined"},
		{name: "raw string", job: rawJob(0, `"identify"`), wantError: "could not determine type undefined"},
		{name: "raw null", job: rawJob(0, `null`), wantError: "could not determine type undefined"},
		{name: "raw number", job: rawJob(0, `42`), wantError: "could not determine type undefined"},
		{name: "raw boolean", job: rawJob(0, `true`), wantError: "could not determine type undefined"},
		{name: "raw lone surrogate type", job: rawJob(0, `{"type":"A\uD83D"}`), wantError: "could not determine type a\uFFFD"},
		{name: "raw lone surrogate user id", job: rawJob(0, `{"type":"identify","userId":"a\ud83db"}`), wantError: "URI malformed"},
		{name: "raw lone surrogate trait", job: rawJob(0, `{"type":"identify","userId":"u","traits":{"k\udc00":"\ud800"}}`), wantURL: usCustomers + "u"},
		{name: "raw lone surrogate anonymous id", job: rawJob(0, `{"type":"track","event":"e","anonymousId":"\udc00"}`), wantURL: "https://track.customer.io/api/v1/events"},
		{name: "raw nested 100,000 objects", job: rawJob(0, strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100000)),
			wantError: fmt.Sprintf("Event is not valid JSON: jsvalue: nesting too deep at offset %d", 5*jsvalue.MaxDepth)},
		{name: "raw nested 100,000 arrays", job: rawJob(0, `{"type":"identify","userId":"u","traits":{"a":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"}}"),
			wantError: "Event is not valid JSON: jsvalue: nesting too deep", prefix: true},
		{name: "raw nested to the parser's limit", job: rawJob(0, `{"type":"identify","userId":"u","traits":{"a":`+strings.Repeat("[", jsvalue.MaxDepth-2)+strings.Repeat("]", jsvalue.MaxDepth-2)+"}}"),
			wantURL: usCustomers + "u"},
		{name: "raw invalid UTF-8", job: rawJob(0, "{\"type\":\"identify\",\"userId\":\"u\xff\",\"traits\":{\"\xc3k\":\"a\xed\xa0\x80\"}}"),
			wantURL: usCustomers + "u%EF%BF%BD"},
		// A body over the per-event cap fails the job, not the call.
		{name: "raw 10 MB trait", job: rawJob(0, `{"type":"identify","userId":"u","traits":{"bio":"`+huge+`"}}`), wantError: overEventCap, big: true},
		{name: "raw 10 MB user id", job: rawJob(0, `{"type":"identify","userId":"`+huge+`"}`), wantURL: usCustomers + "xxxx", big: true},
		{name: "raw 10 MB key", job: rawJob(0, `{"type":"track","userId":"u","event":"e","properties":{"`+huge+`":1}}`), wantError: overEventCap, big: true},
		{name: "raw 10 MB type", job: rawJob(0, `{"type":"`+huge+`"}`), wantError: "could not determine type xxx", prefix: true, big: true},
		{name: "raw duplicate keys", job: rawJob(0, `{"type":"track","type":"identify","userId":"a","userId":"b"}`), wantURL: usCustomers + "b"},
		{name: "raw number user id", job: rawJob(0, `{"type":"identify","userId":42}`), wantURL: usCustomers + "42"},
		{name: "raw number event name", job: rawJob(0, `{"type":"track","userId":"u","event":7}`), wantURL: usCustomers + "u/events"},
		{name: "raw number type", job: rawJob(0, `{"type":5}`), wantError: "could not determine type 5"},
		{name: "raw object type", job: rawJob(0, `{"type":{"a":1}}`), wantError: "could not determine type [object Object]"},
		{name: "raw object user id", job: rawJob(0, `{"type":"identify","userId":{"a":1}}`), wantURL: usCustomers + "[object Object]"},
		{name: "raw object event name", job: rawJob(0, `{"type":"track","userId":"u","event":{"a":1}}`), wantError: "Event is a required field and should be a string"},
		{name: "raw array traits", job: rawJob(0, `{"type":"identify","userId":"u","traits":[1,2]}`), wantURL: usCustomers + "u"},
		{name: "raw string context", job: rawJob(0, `{"type":"identify","userId":"u","context":"x"}`), wantURL: usCustomers + "u"},
		{name: "raw object timestamp", job: rawJob(0, `{"type":"identify","userId":"u","originalTimestamp":{}}`), wantURL: usCustomers + "u"},
		{name: "raw empty object", job: rawJob(0, `{}`), wantError: "could not determine type undefined"},
		{name: "raw unknown type", job: rawJob(0, `{"type":"purchase","userId":"u"}`), wantError: "could not determine type purchase"},
		{name: "raw empty type", job: rawJob(0, `{"type":"","userId":"u"}`), wantError: "could not determine type "},
		{name: "typed empty type", job: typedJob(0, &ciotransformerv1.Event{UserId: "u"}), wantError: "could not determine type undefined"},
		{name: "typed unknown type", job: typedJob(0, &ciotransformerv1.Event{Type: "purchase", UserId: "u"}), wantError: "could not determine type purchase"},
		{name: "typed empty Structs", job: typedJob(0, &ciotransformerv1.Event{Type: "identify", UserId: "u", Traits: &structpb.Struct{},
			Properties: &structpb.Struct{}, Context: &structpb.Struct{}, Integrations: &structpb.Struct{}, UserProperties: &structpb.Struct{}}),
			wantURL: usCustomers + "u"},
		{name: "typed huge Struct", job: typedJob(0, &ciotransformerv1.Event{Type: "identify", UserId: "u", Traits: wideStruct(50000)}), wantError: overEventCap, big: true},
		{name: "typed huge group Struct", job: typedJob(0, &ciotransformerv1.Event{Type: "group", UserId: "u", GroupId: "g", Traits: wideStruct(2000)}),
			wantError: "Event size (", prefix: true},
		{name: "typed deep Struct", job: typedJob(0, &ciotransformerv1.Event{Type: "identify", UserId: "u", Traits: nestedStruct(3000)}), wantURL: usCustomers + "u"},
		{name: "typed 10 MB user id", job: typedJob(0, &ciotransformerv1.Event{Type: "identify", UserId: huge}), wantURL: usCustomers + "xxxx", big: true},
		{name: "empty destination", job: rawJob(0, `{"type":"identify","userId":"u"}`), dest: &ciotransformerv1.Destination{}, wantError: "siteID not found in Configs"},
		{name: "destination without api key", job: rawJob(0, `{"type":"identify","userId":"u"}`), dest: &ciotransformerv1.Destination{SiteId: "s"}, wantError: "apiKey not found in Configs"},
		{name: "destination without site id", job: rawJob(0, `{"type":"identify","userId":"u"}`), dest: &ciotransformerv1.Destination{ApiKey: "k"}, wantError: "siteID not found in Configs"},
		{name: "destination with unknown datacenter", job: rawJob(0, `{"type":"identify","userId":"u"}`),
			dest: &ciotransformerv1.Destination{SiteId: "s", ApiKey: "k", Datacenter: 99}, wantURL: usCustomers + "u"},
	}
	for i := range cases {
		cases[i].job.JobId = uint64(i + 1)
	}
	return cases
}

// check compares a job's result with the case's answer.
func (c jobCase) check(t *testing.T, r *ciotransformerv1.JobResult) {
	t.Helper()
	if len(r.GetJobs()) != 1 || r.GetJobs()[0].GetJobId() != c.job.GetJobId() {
		t.Fatalf("result covers %v, want job %d", r.GetJobs(), c.job.GetJobId())
	}
	if c.wantError == "" {
		if e := r.GetError(); e != nil {
			t.Fatalf("got error %d %q, want a request", e.GetStatusCode(), clip(e.GetMessage()))
		}
		if url := r.GetRequest().GetUrl(); !strings.HasPrefix(url, c.wantURL) {
			t.Fatalf("got URL %q, want it to start with %q", clip(url), c.wantURL)
		}
		return
	}
	e := r.GetError()
	if e == nil {
		t.Fatalf("got request %s %q, want error %q", r.GetRequest().GetMethod(), clip(r.GetRequest().GetUrl()), c.wantError)
	}
	msg := e.GetMessage()
	if e.GetStatusCode() != 400 || (c.prefix && !strings.HasPrefix(msg, c.wantError)) || (!c.prefix && msg != c.wantError) {
		t.Fatalf("got error %d %q, want 400 %q", e.GetStatusCode(), clip(msg), c.wantError)
	}
}

// clip shortens s for a failure message.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

func (c jobCase) destination() *ciotransformerv1.Destination {
	if c.dest != nil {
		return c.dest
	}
	return testDestination
}

func TestBadInputPerJob(t *testing.T) {
	t.Parallel()
	cases := badJobs()
	// The cases include 10 MB events, run in parallel and slow to decode
	// under the race detector: a server that takes messages of that size,
	// without a budget or a receive timeout.
	cfg := Config{MaxRecvMsgSize: 16 << 20, MaxInflightBytes: -1, RecvTimeout: -1}
	onEachTransport(t, cfg, func(t *testing.T, live *liveServer) {
		client := live.client(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				ctx := suiteContext(t)
				resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: c.destination(), Job: c.job})
				if err != nil {
					t.Fatalf("Transform: %v", err)
				}
				c.check(t, resp.GetResult())
				stream, err := client.TransformBatch(ctx)
				if err != nil {
					t.Fatal(err)
				}
				results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: c.destination(), Jobs: []*ciotransformerv1.Job{c.job}})
				if len(results) != 1 {
					t.Fatalf("TransformBatch: %d results, want 1", len(results))
				}
				c.check(t, results[0])
			})
		}
	})
}

func TestBadInputBatchAnswersEveryJob(t *testing.T) {
	t.Parallel()
	var (
		jobs  []*ciotransformerv1.Job
		cases = map[uint64]jobCase{}
	)
	for _, c := range badJobs() {
		if c.big || c.dest != nil {
			continue
		}
		cases[c.job.GetJobId()] = c
		jobs = append(jobs, c.job, rawJob(1000+c.job.GetJobId(), `{"type":"identify","userId":"good"}`))
	}
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		client := live.client(t)
		stream, err := client.TransformBatch(suiteContext(t))
		if err != nil {
			t.Fatal(err)
		}
		results := collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 9, Destination: testDestination, Jobs: jobs})
		seen := map[uint64]int{}
		for _, r := range results {
			for _, j := range r.GetJobs() {
				seen[j.GetJobId()]++
			}
			id := r.GetJobs()[0].GetJobId()
			if c, ok := cases[id]; ok {
				t.Run(c.name, func(t *testing.T) { c.check(t, r) })
			} else if r.GetRequest() == nil {
				t.Errorf("good job %d: %v", id, r.GetError())
			}
		}
		for _, j := range jobs {
			if seen[j.GetJobId()] != 1 {
				t.Errorf("job %d answered %d times, want once", j.GetJobId(), seen[j.GetJobId()])
			}
		}
		if len(seen) != len(jobs) {
			t.Errorf("%d jobs answered, %d sent", len(seen), len(jobs))
		}
	})
}

// TestBadInputOtherAPIModes sends the per-job cases to the batch API mode
// and to an API mode the server does not know: every job still gets
// exactly one outcome, a request or a 400.
func TestBadInputOtherAPIModes(t *testing.T) {
	t.Parallel()
	var jobs []*ciotransformerv1.Job
	for _, c := range badJobs() {
		if !c.big && c.dest == nil {
			jobs = append(jobs, c.job)
		}
	}
	for _, mode := range []ciotransformerv1.ApiMode{ciotransformerv1.ApiMode_API_MODE_V2_BATCH, 99} {
		for _, network := range transports {
			t.Run(fmt.Sprintf("%s/%s", mode, network), func(t *testing.T) {
				t.Parallel()
				dest := proto.Clone(testDestination).(*ciotransformerv1.Destination)
				dest.ApiMode = mode
				client := startLive(t, Config{}, network).client(t)
				ctx := suiteContext(t)
				for _, j := range jobs {
					resp, err := client.Transform(ctx, &ciotransformerv1.TransformRequest{Destination: dest, Job: j})
					if err != nil {
						t.Fatalf("job %d: %v", j.GetJobId(), err)
					}
					r := resp.GetResult()
					if len(r.GetJobs()) != 1 || r.GetJobs()[0].GetJobId() != j.GetJobId() {
						t.Fatalf("job %d: result covers %v", j.GetJobId(), r.GetJobs())
					}
					checkOutcome(t, r)
				}
				stream, err := client.TransformBatch(ctx)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[uint64]int{}
				for _, r := range collect(t, stream, &ciotransformerv1.TransformBatchRequest{RequestId: 3, Destination: dest, Jobs: jobs}) {
					checkOutcome(t, r)
					for _, j := range r.GetJobs() {
						seen[j.GetJobId()]++
					}
				}
				for _, j := range jobs {
					if seen[j.GetJobId()] != 1 {
						t.Errorf("job %d answered %d times, want once", j.GetJobId(), seen[j.GetJobId()])
					}
				}
			})
		}
	}
}

// envelopeCase is a request message the service refuses as a whole.
type envelopeCase struct {
	name string
	// unary and batch are the request as Transform and as TransformBatch
	// send it; either may be nil. A rawMessage is sent as it is.
	unary, batch any
	code         codes.Code
	// field is the field violation InvalidArgument must name; unaryField
	// overrides it for Transform.
	field, unaryField string
}

// invalidUTF8Event is a TransformRequest and a TransformBatchRequest whose
// typed event has a user_id that is not UTF-8, which no protobuf library
// would encode.
func invalidUTF8Event() (unary, batch rawMessage) {
	ev := protowire.AppendTag(nil, 1, protowire.BytesType)
	ev = protowire.AppendString(ev, "identify")
	ev = protowire.AppendTag(ev, 3, protowire.BytesType)
	ev = protowire.AppendBytes(ev, []byte("u\xff"))
	job := protowire.AppendTag(nil, 1, protowire.VarintType)
	job = protowire.AppendVarint(job, 1)
	job = protowire.AppendTag(job, 3, protowire.BytesType)
	job = protowire.AppendBytes(job, ev)
	dest, _ := proto.Marshal(testDestination)
	withDest := func(jobField protowire.Number) rawMessage {
		b := protowire.AppendTag(nil, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, dest)
		b = protowire.AppendTag(b, jobField, protowire.BytesType)
		return protowire.AppendBytes(b, job)
	}
	return withDest(fieldNumber(&ciotransformerv1.TransformRequest{}, "job")), withDest(fieldNumber(&ciotransformerv1.TransformBatchRequest{}, "jobs"))
}

// fieldNumber is the number of m's field name.
func fieldNumber(m proto.Message, name string) protowire.Number {
	return m.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(name)).Number()
}

// tooDeep is an event whose traits nest past protobuf's recursion limit.
func tooDeep() *ciotransformerv1.Job {
	return typedJob(1, &ciotransformerv1.Event{Type: "identify", UserId: "u", Traits: nestedStruct(4000)})
}

func envelopeCases() []envelopeCase {
	job := rawJob(1, `{"type":"identify","userId":"u"}`)
	tooMany := make([]*ciotransformerv1.Job, DefaultMaxJobsPerRequest+1)
	for i := range tooMany {
		tooMany[i] = rawJob(uint64(i), `{}`)
	}
	oversized := rawJob(1, `{"type":"identify","userId":"u","traits":{"a":"`+strings.Repeat("x", DefaultMaxRecvMsgSize)+`"}}`)
	badUTF8Unary, badUTF8Batch := invalidUTF8Event()
	garbage := make([]byte, 256)
	_, _ = rand.Read(garbage)
	garbage[0] = 0xff // an invalid tag: never decodes by chance
	return []envelopeCase{
		{name: "no destination",
			unary: &ciotransformerv1.TransformRequest{Job: job},
			batch: &ciotransformerv1.TransformBatchRequest{Jobs: []*ciotransformerv1.Job{job}},
			code:  codes.InvalidArgument, field: "destination"},
		{name: "no job",
			unary: &ciotransformerv1.TransformRequest{Destination: testDestination},
			code:  codes.InvalidArgument, field: "job"},
		{name: "job without event",
			unary: &ciotransformerv1.TransformRequest{Destination: testDestination, Job: &ciotransformerv1.Job{JobId: 1}},
			batch: &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{{JobId: 1}}},
			code:  codes.InvalidArgument, field: "jobs[0].payload", unaryField: "job.payload"},
		{name: "repeated job id",
			batch: &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{job, job}},
			code:  codes.InvalidArgument, field: "jobs[1].job_id"},
		{name: "more jobs than the cap",
			batch: &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: tooMany},
			code:  codes.InvalidArgument, field: "jobs"},
		{name: "message over the size cap",
			unary: &ciotransformerv1.TransformRequest{Destination: testDestination, Job: oversized},
			batch: &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{oversized}},
			code:  codes.ResourceExhausted},
		{name: "bytes that are not protobuf",
			unary: rawMessage(garbage), batch: rawMessage(garbage),
			code: codes.InvalidArgument, field: ""},
		{name: "typed string field with invalid UTF-8",
			unary: badUTF8Unary, batch: badUTF8Batch,
			code: codes.InvalidArgument, field: ""},
		{name: "Struct nested past the protobuf recursion limit",
			unary: &ciotransformerv1.TransformRequest{Destination: testDestination, Job: tooDeep()},
			batch: &ciotransformerv1.TransformBatchRequest{Destination: testDestination, Jobs: []*ciotransformerv1.Job{tooDeep()}},
			code:  codes.InvalidArgument, field: ""},
	}
}

func TestBadInputEnvelope(t *testing.T) {
	t.Parallel()
	cases := envelopeCases()
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		conn := live.conn(t)
		// The group returns when its parallel cases have ended.
		t.Run("cases", func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					ctx := suiteContext(t)
					if c.unary != nil {
						t.Run("Transform", func(t *testing.T) {
							var resp ciotransformerv1.TransformResponse
							err := conn.Invoke(ctx, ciotransformerv1.TransformerService_Transform_FullMethodName, c.unary, &resp, grpc.ForceCodecV2(rawCodec{}))
							field := c.field
							if c.unaryField != "" {
								field = c.unaryField
							}
							assertRefused(t, err, c.code, field)
						})
					}
					if c.batch != nil {
						t.Run("TransformBatch", func(t *testing.T) {
							stream, err := conn.NewStream(ctx, &ciotransformerv1.TransformerService_ServiceDesc.Streams[0],
								ciotransformerv1.TransformerService_TransformBatch_FullMethodName, grpc.ForceCodecV2(rawCodec{}))
							if err != nil {
								t.Fatal(err)
							}
							if err := stream.SendMsg(c.batch); err != nil {
								t.Fatal(err)
							}
							var resp ciotransformerv1.TransformBatchResponse
							err = stream.RecvMsg(&resp)
							if err == nil {
								// Refused in band: one final response
								// without results.
								if !resp.GetFinal() || len(resp.GetResults()) != 0 {
									t.Errorf("refusal %v not final or with results", &resp)
								}
								err = status.ErrorProto(resp.GetError())
							}
							assertRefused(t, err, c.code, c.field)
						})
					}
				})
			}
		})
		live.assertServing(t)
	})
}

// assertRefused checks that err has code and, for InvalidArgument, a
// BadRequest detail naming field.
func assertRefused(t *testing.T, err error, code codes.Code, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("got %v, want %s", clip(fmt.Sprint(err)), code)
	}
	if code != codes.InvalidArgument {
		return
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field && v.GetDescription() != "" {
					return
				}
			}
		}
	}
	t.Errorf("no field violation for %q in %v", field, st.Details())
}

func TestBadInputZeroJobs(t *testing.T) {
	t.Parallel()
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		stream, err := live.client(t).TransformBatch(suiteContext(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(&ciotransformerv1.TransformBatchRequest{RequestId: 5, Destination: testDestination}); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetRequestId() != 5 || !resp.GetFinal() || len(resp.GetResults()) != 0 {
			t.Errorf("got %v, want an empty final response to request 5", resp)
		}
	})
}

func TestBadInputGarbageAfterGoodMessage(t *testing.T) {
	t.Parallel()
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		ctx := suiteContext(t)
		stream, err := live.conn(t).NewStream(ctx, &ciotransformerv1.TransformerService_ServiceDesc.Streams[0],
			ciotransformerv1.TransformerService_TransformBatch_FullMethodName, grpc.ForceCodecV2(rawCodec{}))
		if err != nil {
			t.Fatal(err)
		}
		good := &ciotransformerv1.TransformBatchRequest{RequestId: 1, Destination: testDestination,
			Jobs: []*ciotransformerv1.Job{rawJob(1, `{"type":"identify","userId":"u"}`), rawJob(2, `{"type":"track","userId":"u","event":"e"}`)}}
		if err := stream.SendMsg(good); err != nil {
			t.Fatal(err)
		}
		if err := stream.SendMsg(rawMessage{0xff, 0xff, 0xff}); err != nil {
			t.Fatal(err)
		}
		var resp ciotransformerv1.TransformBatchResponse
		if err := stream.RecvMsg(&resp); err != nil {
			t.Fatalf("the good request message got %v, want its results", err)
		}
		if !resp.GetFinal() || len(resp.GetResults()) != 2 {
			t.Errorf("good request message: got %v, want 2 results and final", &resp)
		}
		if err := stream.RecvMsg(&resp); err != nil {
			t.Fatalf("the garbage got %v, want an answer in band", err)
		}
		assertRefused(t, status.ErrorProto(resp.GetError()), codes.InvalidArgument, "")
		// The stream goes on.
		good.RequestId = 2
		if err := stream.SendMsg(good); err != nil {
			t.Fatal(err)
		}
		if err := stream.RecvMsg(&resp); err != nil || resp.GetRequestId() != 2 || len(resp.GetResults()) != 2 {
			t.Fatalf("the message after the garbage: %v %v", &resp, err)
		}
		live.assertServing(t)
	})
}

// wireCase is bytes on the connection that are not a well-formed call.
type wireCase struct {
	name    string
	preface []byte // replaces the HTTP/2 client preface when set
	path    string // the call's path; empty sends no call
	body    []byte
	// want checks the answer.
	want func(h2Answer) bool
}

func wireCases() []wireCase {
	random := make([]byte, 4096)
	_, _ = rand.Read(random)
	good, _ := proto.Marshal(&ciotransformerv1.TransformRequest{Destination: testDestination, Job: rawJob(1, `{"type":"identify","userId":"u"}`)})
	transform := ciotransformerv1.TransformerService_Transform_FullMethodName
	batch := ciotransformerv1.TransformerService_TransformBatch_FullMethodName
	hungUp := func(a h2Answer) bool { return a.closed || a.goAway }
	code := func(c codes.Code) func(h2Answer) bool { return func(a h2Answer) bool { return a.code == c } }
	return []wireCase{
		{name: "HTTP/1.1 request", preface: []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), want: hungUp},
		{name: "random bytes", preface: random, want: hungUp},
		{name: "preface then random frames", preface: append([]byte(http2ClientPreface), random...), want: hungUp},
		{name: "gRPC frame of garbage protobuf", path: transform, body: grpcFrame(0, 3, []byte{0xff, 0xff, 0xff}), want: code(codes.InvalidArgument)},
		// Refused in band; the call then ends normally.
		{name: "gRPC frame of garbage protobuf on a stream", path: batch, body: grpcFrame(0, 3, []byte{0xff, 0xff, 0xff}), want: code(codes.OK)},
		{name: "gRPC length over the size cap", path: transform, body: grpcFrame(0, 1<<30, good), want: code(codes.ResourceExhausted)},
		{name: "truncated gRPC frame", path: transform, body: grpcFrame(0, uint32(len(good)+100), good), want: code(codes.Internal)},
		{name: "truncated gRPC length prefix", path: transform, body: []byte{0, 0, 0}, want: code(codes.Internal)},
		{name: "compressed flag without an encoding", path: transform, body: grpcFrame(1, uint32(len(good)), good), want: code(codes.Internal)},
		{name: "unknown flag bits", path: transform, body: grpcFrame(0x80, uint32(len(good)), good), want: code(codes.Internal)},
		{name: "unary call without a message", path: transform, body: nil, want: code(codes.Internal)},
		{name: "two messages on a unary call", path: transform, body: append(grpcFrame(0, uint32(len(good)), good), grpcFrame(0, uint32(len(good)), good)...), want: code(codes.Internal)},
		{name: "a good and a garbage message on a unary call", path: transform, body: append(grpcFrame(0, uint32(len(good)), good), grpcFrame(0, 3, []byte{0xff, 0xff, 0xff})...), want: code(codes.Internal)},
		{name: "unknown method", path: "/ciotransformer.v1.TransformerService/Nope", body: grpcFrame(0, uint32(len(good)), good), want: code(codes.Unimplemented)},
	}
}

// http2ClientPreface is the connection preface of an HTTP/2 client.
const http2ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

func TestBadInputWire(t *testing.T) {
	t.Parallel()
	cases := wireCases()
	onEachTransport(t, Config{}, func(t *testing.T, live *liveServer) {
		// The group returns when its parallel cases have ended.
		t.Run("cases", func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					a, err := rawH2Call(suiteContext(t), live.dial, c.preface, c.path, c.body)
					if err != nil {
						t.Fatal(err)
					}
					if !c.want(a) {
						t.Errorf("got %s", a)
					}
					t.Logf("answer: %s", a)
				})
			}
		})
		live.assertServing(t)
	})
}
