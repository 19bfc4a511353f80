package httpapi

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/transform"
)

// routerGroup is the jobs of one destination group, in input order, and
// the API mode they are mapped in.
type routerGroup struct {
	jobs []int
	mode transform.Mode
}

// groupJobs groups a router request's jobs as upstream does (see
// groupKey), groups in order of first appearance.
func groupJobs(jobs []job) []routerGroup {
	var groups []routerGroup
	index := map[string]int{}
	for i := range jobs {
		key := jobs[i].group
		g, ok := index[key]
		if !ok {
			g = len(groups)
			index[key] = g
			groups = append(groups, routerGroup{})
		}
		groups[g].jobs = append(groups[g].jobs, i)
	}
	return groups
}

// routerEntry is one element of the router's output, over input jobs.
type routerEntry struct {
	transform.Entry
	group int
}

// routeJobs maps and batches a router request's jobs with the same
// Batcher the gRPC service uses, run by run (see runsOf). Each job ends in
// exactly one entry. A group takes API mode v2 when v2 selects its first
// job's workspace, as upstream chooses the mode of each group; mode is the
// rest. An API mode v2 group's entries are listed in upstream's order as
// far as deviation D3 allows (see v2Output).
func routeJobs(jobs []job, mode transform.Mode, v2 v2Selector, a *transform.Arena) ([]routerEntry, []routerGroup) {
	groups := groupJobs(jobs)
	for gi := range groups {
		g := &groups[gi]
		g.mode = mode
		g.mode.V2 = v2.selects(metaString(jobs[g.jobs[0]].meta, "workspaceId"))
	}
	entries := make([]routerEntry, 0, len(jobs))
	b := transform.NewBatcher(nil, mode.Limits())
	// The request's events together produce at most the per-event cap and
	// a few times their size (see transform.Output).
	produced := mode.NewOutput()
	for _, run := range runsOf(jobs, groups) {
		entries = routeRun(entries, jobs, groups, run, b, a, &produced)
	}
	return entries, groups
}

// step is a job of a run: its group, and its position in the group.
type step struct{ group, pos int }

// runsOf orders the jobs of groups into runs, each mapped in one pass.
// The groups of one destination ID are one run, their jobs in input order,
// so that a user's jobs come out in their order (deviation D3) whatever
// groups upstream makes of them (several configurations, sources jobs);
// but when one of them takes API mode v2, whose entries are listed in an
// order of their own, each group is a run. Runs come in the order of their
// destination's first job.
func runsOf(jobs []job, groups []routerGroup) [][]step {
	byID := map[string][]int{}
	var ids []string
	for gi, g := range groups {
		id := jobs[g.jobs[0]].dest.id
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], gi)
	}
	var runs [][]step
	for _, id := range ids {
		gs := byID[id]
		if len(gs) == 1 || slices.ContainsFunc(gs, func(gi int) bool { return groups[gi].mode.V2 }) {
			for _, gi := range gs {
				run := make([]step, len(groups[gi].jobs))
				for p := range run {
					run[p] = step{gi, p}
				}
				runs = append(runs, run)
			}
			continue
		}
		var run []step
		for _, gi := range gs {
			for p := range groups[gi].jobs {
				run = append(run, step{gi, p})
			}
		}
		slices.SortFunc(run, func(x, y step) int {
			return cmp.Compare(groups[x.group].jobs[x.pos], groups[y.group].jobs[y.pos])
		})
		runs = append(runs, run)
	}
	return runs
}

// routeRun maps and batches the jobs of run in its order, within what the
// request may still produce, and appends their entries. What is batched
// goes out before a job of another group or with another destination than
// the job before it: a batch holds the jobs of one group and one
// configuration (deviation D8; a group of a destination whose
// hasDynamicConfig is false holds the jobs of all its configurations), and
// every job comes out in its order.
func routeRun(entries []routerEntry, jobs []job, groups []routerGroup, run []step, b *transform.Batcher, a *transform.Arena, produced *transform.Output) []routerEntry {
	gi := run[0].group
	var dest *destination
	// A run of API mode v2 is one group (see runsOf).
	var out *v2Output
	if groups[gi].mode.V2 {
		out = newV2Output(len(groups[gi].jobs))
	}
	// The Batcher numbers jobs by their position in the group; emit makes
	// them the request's.
	emit := func(e transform.Entry) {
		if out != nil {
			out.add(e)
		}
		for k, p := range e.Jobs {
			e.Jobs[k] = groups[gi].jobs[p]
		}
		if out == nil {
			entries = append(entries, routerEntry{Entry: e, group: gi})
		}
	}
	for _, s := range run {
		g := &groups[s.group]
		j := &jobs[g.jobs[s.pos]]
		if s.group != gi || j.dest != dest {
			if dest != nil {
				b.Flush(emit)
			}
			gi, dest = s.group, j.dest
			b.Reset(dest.dest, g.mode.Limits())
			b.UseArena(a)
		}
		dontBatch := j.meta.Get("dontBatch").Bool()
		r := transform.Result{Err: j.err}
		if j.err == nil {
			r = produced.MapIn(g.mode, a, transform.Job{Event: j.message, Connection: j.connection, DontBatch: dontBatch}, j.dest.dest, 0)
		}
		if out != nil {
			out.job(s.pos, r.Keys, jobID(j.meta), dontBatch)
		}
		b.Add(s.pos, r, emit)
	}
	b.Flush(emit)
	if out != nil {
		entries = out.appendTo(entries, gi)
	}
	return entries
}

// noEventArray reports whether a router request's input holds no jobs to
// map: it is empty, absent or null, or in the plain format not an array at
// all. Upstream answers such a request with one error entry (see
// appendInvalidEventArray); a compacted input of another kind is a bad
// request body.
func noEventArray(input jsvalue.Value, compacted bool) bool {
	if input.IsArray() {
		return input.Len() == 0
	}
	return !compacted || input.IsNullish()
}

// appendInvalidEventArray writes upstream's answer to a router request
// without jobs: one error entry whose metadata is the request's destType,
// dt.
func appendInvalidEventArray(dst []byte, dt string) []byte {
	dst = append(dst, `{"output":[{"metadata":[{"destType":`...)
	dst = jsvalue.AppendJSONString(dst, dt)
	return append(dst, `}],"batched":false,"statusCode":400,"error":"Invalid event array"}]}`...)
}

// appendRouterResponse writes the router transform's answer,
// {"output": [...]}, and counts the outcomes in tally. The jobs are mapped
// into one arena, reset once the answer is written.
//
// An entry echoes a destination and, for an error, statTags ids of its
// group's first job, which other jobs' entries repeat: the answer is
// refused with echoTooLarge, before it is written, when what its entries
// echo comes to more than maxEcho bytes (see answerEcho).
func appendRouterResponse(dst []byte, jobs []job, mode transform.Mode, v2 v2Selector, tally *jobTally, maxEcho int) ([]byte, error) {
	a := resultArenas.Get().(*transform.Arena)
	defer func() {
		a.Reset()
		resultArenas.Put(a)
	}()
	entries, groups := routeJobs(jobs, mode, v2, a)
	if n := answerEcho(entries, groups, jobs); n > int64(maxEcho) {
		return dst, echoTooLarge{n: n, limit: maxEcho}
	}
	dst = append(dst, `{"output":[`...)
	for i, e := range entries {
		if i > 0 {
			dst = append(dst, ',')
		}
		g := &groups[e.group]
		dst = appendRouterEntry(dst, jobs, e, &jobs[g.jobs[0]], g.mode)
		for range e.Jobs {
			tally.add(e.Err == nil)
		}
	}
	return append(dst, "]}"...), nil
}

// answerEcho is what the entries of a router answer echo, as
// appendRouterEntry writes them: each entry's destination, and each
// error's destinationId and workspaceId from its group's first job. For
// the jobs of a plain body that share their destination it is about the
// body's destinations; it grows past the body when a group's first job
// carries a destination or ids far larger than its other jobs, which every
// entry of the group then repeats.
func answerEcho(entries []routerEntry, groups []routerGroup, jobs []job) int64 {
	// ids holds each group's statTags ids' length, measured once, +1 so
	// that zero is not yet measured.
	ids := make([]int64, len(groups))
	var n int64
	for _, e := range entries {
		first := &jobs[groups[e.group].jobs[0]]
		if e.Err == nil {
			n += int64(len(first.dest.raw))
			continue
		}
		n += int64(len(jobs[e.Jobs[0]].dest.raw))
		if ids[e.group] == 0 {
			ids[e.group] = 1
			for _, key := range statTagIDs {
				ids[e.group] += int64(len(sourceText(first.meta.Get(key))))
			}
		}
		n += ids[e.group] - 1
	}
	return n
}

// echoTooLarge is a router answer whose entries would echo more than the
// limit of a request body (see answerEcho).
type echoTooLarge struct {
	n     int64
	limit int
}

func (e echoTooLarge) Error() string {
	return fmt.Sprintf("the answer's entries would echo %d bytes of destinations and statTags ids, each entry its group's first job's, more than %d bytes, the limit of a request body: send the jobs of one destination with the same destination object and short metadata ids", e.n, e.limit)
}

// echoedBytes is the most destination text a router answer of jobs
// echoes: each job's destination, as when every job is an entry of its
// own.
func echoedBytes(jobs []job) int64 {
	var n int64
	for i := range jobs {
		n += int64(len(jobs[i].dest.raw))
	}
	return n
}

// appendRouterEntry writes one output entry. A success carries the
// group's first destination, an error its own job's; an error's statTags
// name the group's first job's destinationId and workspaceId, as
// upstream's do.
func appendRouterEntry(dst []byte, jobs []job, e routerEntry, first *job, mode transform.Mode) []byte {
	dst = append(dst, '{')
	if r := e.Request; r != nil {
		form := noUserID
		if !mode.V2 && !r.IsBatch() {
			form = routerUserID
		}
		dst = append(dst, `"batchedRequest":`...)
		dst = appendRequest(dst, r, form)
		dst = append(dst, ',')
	}
	dst = append(dst, `"metadata":[`...)
	for k, ji := range e.Jobs {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendMetadata(dst, &jobs[ji])
	}
	dst = append(dst, `],"batched":`...)
	if e.Err == nil && mode.V2 {
		dst = append(dst, "true"...)
	} else {
		dst = append(dst, "false"...)
	}
	dst = append(dst, `,"statusCode":`...)
	dest := first.dest
	if err := e.Err; err != nil {
		dst = appendStatus(dst, err.StatusCode)
		dst = append(dst, `,"error":`...)
		dst = jsvalue.AppendJSONString(dst, err.Message)
		dst = append(dst, `,"statTags":`...)
		dst = appendStatTags(dst, err, featureRouter, first.meta)
		dest = jobs[e.Jobs[0]].dest
	} else {
		dst = append(dst, "200"...)
	}
	if dest.raw != "" {
		dst = append(dst, `,"destination":`...)
		dst = append(dst, dest.raw...)
	}
	return append(dst, '}')
}
