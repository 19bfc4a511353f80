package main

import "testing"

func TestStageOf(t *testing.T) {
	t.Parallel()
	handler := []string{project + "/server.(*service).TransformBatch", "google.golang.org/grpc.(*Server).handleStream", "google.golang.org/grpc.(*Server).serverWorker"}
	mapping := append([]string{project + "/transform.Mode.MapIn", project + "/server.(*service).transformJob"}, handler...)
	tests := []struct {
		stack []string
		want  string
	}{
		{append([]string{"runtime.nextFreeFast", "runtime.mallocgc", project + "/internal/jsvalue.newDoc", project + "/internal/jsvalue.Parse", project + "/transform.Job.event"}, mapping...), "JSON parse (jsvalue.Parse, ParseLeased)"},
		{append([]string{project + "/internal/jsvalue.(*indexer).run", project + "/internal/jsvalue.parse", project + "/internal/jsvalue.ParseNoCopy", project + "/transform.Job.event"}, mapping...), "JSON parse (jsvalue.Parse, ParseLeased)"},
		{append([]string{project + "/internal/jsvalue.(*indexer).run", project + "/internal/jsvalue.(*indexer).index", project + "/internal/jsvalue.ParseLeased", project + "/transform.Job.event"}, mapping...), "JSON parse (jsvalue.Parse, ParseLeased)"},
		{append([]string{"runtime.memclrHasPointers", project + "/internal/jsvalue.(*Lease).Release"}, mapping...), "JSON parse (jsvalue.Parse, ParseLeased)"},
		{append([]string{"runtime.memmove", project + "/transform.(*event).request"}, mapping...), "mapping (transform.Mode.MapIn, after the parse)"},
		{[]string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, "GC in the background"},
		{[]string{"internal/runtime/syscall/linux.Syscall6", "syscall.Syscall", "internal/poll.(*FD).Write", "google.golang.org/grpc/internal/transport.(*loopyWriter).run"}, "HTTP/2 transport and syscalls"},
		{append([]string{"log/slog.(*handleState).appendAttr", "runtime.mallocgc"}[:1], handler...), "interceptors, logging, metrics (their own code)"},
		{append([]string{"runtime.chanrecv", project + "/server.recvGated"}, handler...), "the rest of the call (handler, interceptor chain)"},
		{[]string{"runtime.findRunnable", "runtime.schedule", "runtime.mcall"}, "scheduler and other runtime"},
		{[]string{"main.somethingElse"}, "other"},
	}
	for _, tt := range tests {
		if got := serverStages[stageOf(serverStages, tt.stack)].name; got != tt.want {
			t.Errorf("stack %v: stage %q, want %q", tt.stack, got, tt.want)
		}
	}
	if !allocating([]string{"runtime.nextFreeFast", "runtime.mallocgc", project + "/internal/jsvalue.newDoc"}) {
		t.Error("a stack through mallocgc is not allocating")
	}
}
