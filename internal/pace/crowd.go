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
	// samples of the current window, by arrival, the oldest span ago at most.
	samples []sample
	part    float64 // of the calls counted, this job's: in (0, 1]
	// crowded: others' calls were seen; until then, the purge budget is
	// shared (if at all) with callers the count does not show.
	crowded bool
	low     []sample // parts of the last lowSpan
}

type sample struct {
	at    time.Time
	part  float64   // (low) the part then
	left  int64     // the answer's remaining count
	reset time.Time // the window's, as the answer said
}

// crowdSpan is how far back the estimate looks: long enough for several
// answers, short enough to see other jobs end.
const crowdSpan = 500 * time.Millisecond

// lowSpan is how long a small part counts for the API-wide quota: longer
// than the window's reset takes to reach every job.
const lowSpan = 30 * time.Second

// minCounted is the fewest calls counted for a part to count for the
// API-wide quota: a few calls sent together and counted in any order make
// a single job seem one of many.
const minCounted = 10

func newCrowd() crowd { return crowd{part: 1} }

// answer reads the remaining count of the first Ratelimit item with one
// (inflight: this job's calls still out), and updates part.
func (c *crowd) answer(now time.Time, inflight int, items []item) {
	var left, secs int64 = -1, 0
	for _, it := range items {
		if r, ok := it.param("r"); ok {
			left = r
			secs, _ = it.param("t")
			break
		}
	}
	if left < 0 {
		return
	}
	s := sample{at: now, left: left, reset: now.Add(time.Duration(min(secs, 1<<20)) * time.Second)}
	if n := len(c.samples); n > 0 {
		switch last := c.samples[n-1]; {
		case s.reset.Sub(last.reset) > 2*time.Second:
			c.samples = c.samples[:0] // a new window
		case last.reset.Sub(s.reset) > 2*time.Second:
			return // the window before's, late
		}
	}
	c.samples = append(c.samples, s)
	for now.Sub(c.samples[0].at) > crowdSpan {
		// Every answer of the span or none: a sample kept from before a
		// pause, with the ones between gone, would count this job's own
		// calls of the pause's eve as others'.
		c.samples = c.samples[1:]
	}
	if len(c.samples) < 2 {
		return
	}
	// Between the least and the most counted answers of the span, this
	// job's calls are the ones answered in it, and maybe some of those
	// still in flight: the rest are others'. Calls sent together are
	// counted in any order, so a job alone may seem to have company of a
	// call or two, or of its own calls in flight.
	most, least := c.samples[0].left, c.samples[0].left
	for _, s := range c.samples[1:] {
		most, least = max(most, s.left), min(least, s.left)
	}
	counted, mine := most-least, int64(len(c.samples)-1)
	if counted <= 0 {
		return
	}
	c.part = max(float64(mine), 1) / float64(counted)
	if counted-mine <= int64(inflight)+2 {
		c.part = 1
	}
	c.crowded = c.crowded || c.part < 1
	if counted >= minCounted {
		c.low = append(c.low, sample{at: now, part: c.part})
	}
	for len(c.low) > 1 && now.Sub(c.low[0].at) > lowSpan {
		c.low = c.low[1:]
	}
}

// lowest is the smallest part of the last lowSpan: what the API-wide
// quota is shared by. Jobs wait for a window's reset together and the
// first to call after it sees the others' calls only later: its part of
// the moment is all of it.
func (c *crowd) lowest() float64 {
	p := c.part
	for _, s := range c.low {
		p = min(p, s.part)
	}
	return p
}
