package server

import (
	"math/bits"
	"sync"

	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/mem"
)

// bufferPool is the server's gRPC buffer pool: the tiers of grpc-go's
// default pool (256 B to 1 MiB, by powers of two), without zeroing a buffer
// when it is taken again. grpc-go's default pool clears the whole capacity
// of every buffer it hands out, so a 40 KB response marshalled into a
// buffer of the 1 MiB tier cleared a mebibyte first: the largest single
// cost of a TransformBatch stream in its CPU profiles. Every user of these
// buffers writes each byte it reads (a frame read fills it with
// io.ReadFull, a marshalled message is appended to its empty prefix), as in
// grpc-go's own transport buffers, which are not zeroed either.
type bufferPool struct {
	// tiers[i] holds buffers of capacity 1<<(minTierShift+i).
	tiers [maxTierShift - minTierShift + 1]sync.Pool
}

// The tiers of bufferPool: 256 B to 1 MiB. Larger buffers are allocated.
const (
	minTierShift = 8
	maxTierShift = 20
)

var _ mem.BufferPool = (*bufferPool)(nil)

// tier returns the index of the smallest tier holding size bytes, or -1
// when size is larger than the largest tier.
func tier(size int) int {
	if size <= 1<<minTierShift {
		return 0
	}
	shift := bits.Len(uint(size - 1))
	if shift > maxTierShift {
		return -1
	}
	return shift - minTierShift
}

// Get returns a buffer of length size; its bytes are not cleared.
func (p *bufferPool) Get(size int) *[]byte {
	t := tier(size)
	if t < 0 {
		b := make([]byte, size)
		return &b
	}
	if b, ok := p.tiers[t].Get().(*[]byte); ok {
		*b = (*b)[:size]
		return b
	}
	b := make([]byte, size, 1<<(minTierShift+t))
	return &b
}

// Put returns a buffer taken with Get to its tier.
func (p *bufferPool) Put(b *[]byte) {
	c := cap(*b)
	if c < 1<<minTierShift || c > 1<<maxTierShift || c&(c-1) != 0 {
		// Not a buffer of a tier: larger buffers are left to the GC.
		return
	}
	p.tiers[bits.Len(uint(c))-1-minTierShift].Put(b)
}

// buffers is the process's gRPC buffer pool.
var buffers = &bufferPool{}

// init makes buffers grpc-go's default pool, which its protobuf codec and
// BufferSlice.MaterializeToBuffer use. It must be set before any gRPC
// server or client of the process runs, hence in init.
func init() {
	experimental.SetDefaultBufferPool(buffers)
}
