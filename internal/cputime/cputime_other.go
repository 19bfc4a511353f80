//go:build !unix

package cputime

import "time"

// Process returns zero: this system offers no getrusage.
func Process() time.Duration { return 0 }
