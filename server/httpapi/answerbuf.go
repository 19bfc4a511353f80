package httpapi

import "sync"

// The buffers answers are written into are reused: an answer is as large
// as its request's jobs with their metadata and destinations, tens of
// kilobytes for a router request, and a new buffer for each one, grown as
// the answer is written, costs more to allocate, clear and collect than
// the writing. A buffer is taken when the body's jobs are mapped into the
// answer and handed back once the answer is written, which does not keep
// it (an http.ResponseWriter retains nothing it writes).

// maxPooledAnswer is the largest buffer kept for another answer: larger
// ones, rare, are left to the collector rather than held.
const maxPooledAnswer = 1 << 20

var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// answerBuffer returns the handle of an empty buffer for an answer, which
// releaseAnswer hands back.
func answerBuffer() *[]byte {
	return answerBuffers.Get().(*[]byte)
}

// releaseAnswer hands back the buffer of p, which now holds b, the answer
// written into it (b may have outgrown it; nil when no answer was made).
// Neither may be used afterwards.
func releaseAnswer(p *[]byte, b []byte) {
	if cap(b) > maxPooledAnswer {
		return
	}
	if b != nil {
		*p = b[:0]
	}
	answerBuffers.Put(p)
}
