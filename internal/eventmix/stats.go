package eventmix

import "slices"

// Stats describes a generated mix, for reports.
type Stats struct {
	// Events is the number of events.
	Events int
	// MedianBytes, P90Bytes and MaxBytes are sizes of the JSON text.
	MedianBytes, P90Bytes, MaxBytes int
	// Over2KB is how many events are larger than 2048 bytes.
	Over2KB int
	// Kinds counts the events of each kind.
	Kinds map[string]int
}

// Summarize returns the Stats of events.
func Summarize(events []Event) Stats {
	s := Stats{Events: len(events), Kinds: map[string]int{}}
	if len(events) == 0 {
		return s
	}
	sizes := make([]int, len(events))
	for i, e := range events {
		sizes[i] = len(e.JSON)
		s.Kinds[e.Kind]++
		if len(e.JSON) > 2048 {
			s.Over2KB++
		}
	}
	slices.Sort(sizes)
	s.MedianBytes = sizes[len(sizes)/2]
	s.P90Bytes = sizes[len(sizes)*9/10]
	s.MaxBytes = sizes[len(sizes)-1]
	return s
}
