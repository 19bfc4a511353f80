package main

import (
	"fmt"
	"sort"
	"strings"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// jobKey names one job: the request message it came in and its id there.
type jobKey struct {
	request, job uint64
}

// ledger counts the answers to every job of a TransformBatch stream, to
// prove each was answered exactly once.
type ledger struct {
	want map[jobKey]bool
	got  map[jobKey]int
	// errors are the per-job errors seen, by job.
	errors map[jobKey]string
	// inBand are the request-level errors answered in a response, by
	// request_id.
	inBand map[uint64]string
	finals map[uint64]bool
}

func newLedger() *ledger {
	return &ledger{
		want: map[jobKey]bool{}, got: map[jobKey]int{}, errors: map[jobKey]string{},
		inBand: map[uint64]string{}, finals: map[uint64]bool{},
	}
}

// expect records that request message requestID carries jobs that must
// each be answered once.
func (l *ledger) expect(requestID uint64, jobs []*ciotransformerv1.Job) {
	for _, j := range jobs {
		l.want[jobKey{requestID, j.GetJobId()}] = true
	}
}

// record counts the jobs a response answers.
func (l *ledger) record(resp *ciotransformerv1.TransformBatchResponse) {
	id := resp.GetRequestId()
	if s, ok := inBandStatus(resp.ProtoReflect()); ok {
		l.inBand[id] = s
	}
	for _, r := range resp.GetResults() {
		for _, ref := range r.GetJobs() {
			k := jobKey{id, ref.GetJobId()}
			l.got[k]++
			if e := r.GetError(); e != nil {
				l.errors[k] = fmt.Sprintf("%d %s", e.GetStatusCode(), e.GetMessage())
			}
		}
	}
	if resp.GetFinal() {
		l.finals[id] = true
	}
}

// tally is the ledger's verdict.
type tally struct {
	expected, once, missing, repeated, unexpected int
}

// ok reports whether every expected job was answered once and nothing
// else was answered.
func (t tally) ok() bool {
	return t.missing == 0 && t.repeated == 0 && t.unexpected == 0 && t.once == t.expected
}

// String describes the verdict.
func (t tally) String() string {
	s := fmt.Sprintf("%d/%d jobs answered once", t.once, t.expected)
	if t.repeated > 0 {
		s += fmt.Sprintf(", %d more than once", t.repeated)
	}
	if t.unexpected > 0 {
		s += fmt.Sprintf(", %d unexpected", t.unexpected)
	}
	return s
}

// verdict counts the expected jobs answered once, never and more than once,
// and the answers to jobs not expected, ignoring those in except.
func (l *ledger) verdict(except ...jobKey) tally {
	skip := map[jobKey]bool{}
	for _, k := range except {
		skip[k] = true
	}
	var t tally
	for k := range l.want {
		if skip[k] {
			continue
		}
		t.expected++
		switch l.got[k] {
		case 0:
			t.missing++
		case 1:
			t.once++
		default:
			t.repeated++
		}
	}
	for k := range l.got {
		if !l.want[k] && !skip[k] {
			t.unexpected++
		}
	}
	return t
}

// inBandNames are the names a request-level status field of
// TransformBatchResponse may have.
var inBandNames = []protoreflect.Name{"error", "status"}

// inBandStatus returns the request-level status a response carries, found
// by field name so that the harness reads it whatever the contract's
// version: a message field named error or status with a code and a
// message, as google.rpc.Status has.
func inBandStatus(m protoreflect.Message) (string, bool) {
	fields := m.Descriptor().Fields()
	for _, name := range inBandNames {
		fd := fields.ByName(name)
		if fd == nil || fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() || !m.Has(fd) {
			continue
		}
		st := m.Get(fd).Message()
		sf := st.Descriptor().Fields()
		code, msg := sf.ByName("code"), sf.ByName("message")
		var parts []string
		if code != nil && code.Kind() == protoreflect.Int32Kind {
			parts = append(parts, codes.Code(st.Get(code).Int()).String())
		}
		if msg != nil && msg.Kind() == protoreflect.StringKind {
			parts = append(parts, st.Get(msg).String())
		}
		return strings.Join(parts, ": "), true
	}
	return "", false
}

// describeErrors lists the per-job errors of the given jobs.
func (l *ledger) describeErrors(keys ...jobKey) string {
	var out []string
	for _, k := range keys {
		if e, ok := l.errors[k]; ok {
			out = append(out, fmt.Sprintf("job %d: %s", k.job, e))
		} else if l.got[k] == 0 {
			out = append(out, fmt.Sprintf("job %d: no answer", k.job))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// codeName is the name of a gRPC status code number.
func codeName(n int) string { return codes.Code(uint32(n)).String() }
