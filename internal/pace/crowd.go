package pace

import "time"

// crowd estimates how much of the account's traffic is this job's, from
// the API-wide limit's remaining count: every answer's Ratelimit says how
// many calls the user has left in the window, and the calls of every job
// sharing the token (a matrix's jobs, other deploys) count against it. Between
// two answers, the count fell by every caller's calls; this job knows its own.
// Jobs sharing a purge budget and starting together see their part of it
// in their first answers, long before the budget's first 429.
type crowd struct {
	started int64 // calls this pacer started
	// samples of the current window, by arrival, the oldest span ago at most.
	samples []sample
	part    float64 // of the calls counted, this job's: in (0, 1]
	// crowded: others' calls were seen; until then, the purge budget is
	// shared (if at all) with callers the count does not show.
	crowded bool
}

type sample struct {
	at    time.Time
	index int64 // the call's rank among this pacer's calls
	left  int64 // the answer's remaining count
}

// crowdSpan is how far back the estimate looks: long enough for several
// answers, short enough to see other jobs end.
const crowdSpan = 500 * time.Millisecond

func newCrowd() crowd { return crowd{part: 1} }

// answer reads the remaining count of the first Ratelimit item with one,
// for the call of rank index, and updates part.
func (c *crowd) answer(now time.Time, index int64, items []item) {
	var left int64 = -1
	for _, it := range items {
		if r, ok := it.param("r"); ok {
			left = r
			break
		}
	}
	if left < 0 {
		return
	}
	if n := len(c.samples); n > 0 && left > c.samples[n-1].left+int64(n) {
		c.samples = c.samples[:0] // a new window: the count went up
	}
	c.samples = append(c.samples, sample{at: now, index: index, left: left})
	for len(c.samples) > 2 && now.Sub(c.samples[0].at) > crowdSpan {
		c.samples = c.samples[1:]
	}
	// The pair with the most calls between them: the oldest and the one
	// most counted (answers come back out of order).
	first, last := c.samples[0], c.samples[0]
	for _, s := range c.samples[1:] {
		if s.left < last.left {
			last = s
		}
	}
	counted, mine := first.left-last.left, last.index-first.index
	if counted <= 0 || mine < 0 {
		return
	}
	c.part = min(1, max(float64(mine), 1)/float64(counted))
	c.crowded = c.crowded || c.part < 0.9
}
