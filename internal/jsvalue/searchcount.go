package jsvalue

import "sync/atomic"

// searchCount, when set, adds up how many members or elements the searches
// of objects and arrays look at (see CountSearches).
var searchCount *atomic.Int64

// CountSearches makes every search of an object's members (Get, Set,
// Delete) or of an unread array's elements add how many it looked at to c,
// until stop is called: a test can prove that the work of an operation
// grows linearly with its input by counting, rather than timing, it. It is
// meant for tests only, and must not be called while other goroutines use
// the package.
func CountSearches(c *atomic.Int64) (stop func()) {
	searchCount = c
	return func() { searchCount = nil }
}

// counted adds n to the search count, when one is kept.
func counted(n int) {
	if c := searchCount; c != nil {
		c.Add(int64(n))
	}
}
