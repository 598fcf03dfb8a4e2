// Package pace spaces purge requests to the account's purge budget, shared
// by every request of a run, so that a run goes as fast as the budget
// refills and is (almost) never refused.
//
// Cloudflare meters purges per account with two token buckets (API.md,
// "Limits"): one counts URLs, the other counts requests that carry tags,
// hosts, prefixes or purge_everything. The Pacer keeps a model of both and
// lets a request go when its bucket has the tokens, oldest request first.
//
// The model starts from the plan's published numbers when the plan is known
// (the zone lookup names it), else from Enterprise's, the largest: zone
// versioning, what this action is for, is an Enterprise feature, and a wrong
// guess costs one wave of refused requests, after which the budget is
// learned. On a 429 every request pauses for Retry-After and the refused
// request's bucket steps down to the next smaller plan's numbers (then
// halve), so that only the requests already in flight are refused.
package pace

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// Budget is one token bucket: Rate tokens per second, at most Burst saved.
type Budget struct {
	Rate  float64
	Burst float64
}

// kind is the bucket a request draws from.
type kind int

const (
	urlKind  kind = iota // a token per URL
	flexKind             // a token per request of tags, hosts, prefixes or everything
	numKinds
)

// ladders are the published budgets (API.md, "Limits (per account)"), one
// rung per distinct budget, largest plan first.
var ladders = [numKinds][]Budget{
	urlKind:  {{3000, 3000}, {1500, 1500}, {800, 800}},       // Enterprise; Business and Pro; Free
	flexKind: {{50, 500}, {10, 50}, {5, 25}, {5.0 / 60, 25}}, // Enterprise; Business; Pro; Free
}

// plans maps a plan to its rung on each ladder.
var plans = map[string][numKinds]int{
	"enterprise": {0, 0},
	"business":   {1, 1},
	"pro":        {1, 2},
	"free":       {2, 3},
}

const (
	// margin of refill is kept out of every burst. A request reaches
	// Cloudflare a round trip after we let it go, and round trips vary: a
	// fast one behind a slow one spends tokens earlier than we counted, up
	// to the jitter's worth of refill. A 429 costs a pause of a second or
	// more, 50 ms of budget costs 50 ms once.
	margin = 50 * time.Millisecond
	// minPause is the shortest pause after a 429. Retry-After comes in whole
	// seconds, so anything shorter is a guess (no Retry-After), and a URL
	// bucket refills completely in a second: waiting that long wastes none
	// of its budget.
	minPause = time.Second
	// recoverAfter is how long a known plan's budget stays stepped down
	// after a 429 (another job sharing the account) before it climbs back
	// one rung.
	recoverAfter = 10 * time.Second
)

// Published returns a plan's budgets for URLs and for the other purge
// requests. plan is a name as the zone lookup returns it ("Pro Website"),
// or a legacy id ("pro"); ok is false for a plan not in API.md's table.
func Published(plan string) (urls, requests Budget, ok bool) {
	rungs, ok := plans[planKey(plan)]
	if !ok {
		return Budget{}, Budget{}, false
	}
	return ladders[urlKind][rungs[urlKind]], ladders[flexKind][rungs[flexKind]], true
}

// planKey is the first word of a plan name, lower case: "Free Website",
// "Enterprise Website" and the legacy ids "free", "enterprise" agree on it.
func planKey(name string) string {
	f := strings.Fields(strings.ToLower(name))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Options configure a Pacer. The zero value paces a real run of unknown plan.
type Options struct {
	// Plan is the account's plan, as the zone lookup names it; empty or
	// unknown: start from Enterprise's budget and learn from 429s.
	Plan string
	// Now and Sleep are the clock; nil means real time. Sleep must return
	// ctx.Err() when ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pacer is safe for concurrent use.
type Pacer struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu      sync.Mutex
	known   bool      // the budgets are a known plan's: trusted once, and they climb back
	until   time.Time // no request starts before this (a 429's pause)
	buckets [numKinds]bucket
}

// bucket is the model of one of the account's buckets.
type bucket struct {
	kind   kind
	rung   int // on the kind's ladder; past its end, the last budget halved per rung
	home   int // the rung a known plan's budget climbs back to
	budget Budget
	// tokens may go negative: what requests waiting for their turn took.
	tokens float64
	last   time.Time // tokens is as of last
	// epoch changes when a 429 empties the bucket or moves the pause:
	// waiters take their turn again.
	epoch int
	// pending is the tokens taken by the waiters holding a turn of this
	// epoch: given back when they take it again.
	pending   float64
	biggest   float64   // the largest request seen, in tokens
	stepped   time.Time // the last step down or up
	throttled time.Time // the last 429 that hit this bucket
	wave      time.Time // the pause of this bucket's last wave of 429s ends then
}

// New returns a Pacer.
func New(o Options) *Pacer {
	p := &Pacer{now: o.Now, sleep: o.Sleep}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = retry.Sleep
	}
	now := p.now()
	for k := range p.buckets {
		b := &p.buckets[k]
		b.kind, b.last = kind(k), now
		b.setRung(0)
		b.tokens = b.burst()
	}
	p.UsePlan(o.Plan)
	return p
}

// UsePlan sets the budgets to the plan's published numbers, as the zone
// lookup learns it. An unknown plan changes nothing and returns false.
func (p *Pacer) UsePlan(plan string) bool {
	rungs, ok := plans[planKey(plan)]
	if !ok {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.known = true
	now := p.now()
	for k := range p.buckets {
		b := &p.buckets[k]
		b.advance(now)
		b.setRung(rungs[k])
		b.home = b.rung
		b.tokens = min(b.tokens, b.burst())
	}
	return true
}

// Wait blocks until a request carrying urls URLs (0 for tags, hosts,
// prefixes or everything) may be sent.
func (p *Pacer) Wait(ctx context.Context, urls int) error {
	k, n := flexKind, 1.0
	if urls > 0 {
		k, n = urlKind, float64(urls)
	}
	p.mu.Lock()
	b := &p.buckets[k]
	b.biggest = max(b.biggest, n)
	epoch := -1
	var turn time.Time
	// done lets the turn go: its tokens are spent (or lost, if ctx ended).
	done := func() {
		if b.epoch == epoch {
			b.pending -= n
		}
		p.mu.Unlock()
	}
	for {
		now := p.now()
		if epoch != b.epoch {
			turn, epoch = b.take(now, p.until, n), b.epoch
			b.pending += n
		}
		until := p.until
		d := later(turn, until).Sub(now)
		if d <= 0 {
			done()
			return ctx.Err()
		}
		p.mu.Unlock()
		err := p.sleep(ctx, d)
		p.mu.Lock()
		if err != nil {
			done()
			return err
		}
		// Go, unless a 429 came meanwhile: then take a turn again, after its
		// pause. Looping only on a change keeps a fake Sleep (tests) from
		// spinning.
		if p.until.Equal(until) && b.epoch == epoch {
			done()
			return nil
		}
	}
}

// Throttled records a 429 (or a refusal that means one) answering a
// request of urls URLs, 0 for tags, hosts, prefixes or everything, as Wait
// was told. No request of any kind starts for wait (at least minPause): the
// account is out of budget now. The refused request's bucket, and only
// that one, steps down to a smaller budget (a known plan's from its second
// 429 on). A 429 of a kind whose pause is still running answers a request
// sent before it: it only extends the pause, so that one wave of refusals
// costs one step.
func (p *Pacer) Throttled(urls int, wait time.Duration) {
	k := flexKind
	if urls > 0 {
		k = urlKind
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	end := now.Add(max(wait, minPause))
	if end.After(p.until) {
		p.until = end
		// Every request waiting for its turn now goes at the pause's end at
		// the earliest, when its bucket is full at most: the turns given
		// for sooner would all go at once. Give their tokens back and let
		// them take their turns again (take counts from the pause's end).
		for k := range p.buckets {
			b := &p.buckets[k]
			b.tokens = min(b.burst(), b.tokens+b.pending)
			b.pending = 0
			b.epoch++
		}
	}
	b := &p.buckets[k]
	if now.Before(b.wave) {
		b.wave = later(b.wave, end)
		return
	}
	b.wave = end
	// A known plan's budget is right: a first 429 means requests bunched
	// up on the way, or another job spent some of it, and the pause lets
	// the bucket refill. Another one soon after: others keep spending it.
	if !p.known || b.rung > b.home || now.Sub(b.throttled) < recoverAfter {
		b.stepDown(wait)
		b.stepped = now
		if !p.known {
			b.home = b.rung // a guessed budget that was refused is not tried again
		}
	}
	b.throttled = now
	// The account's bucket is empty now; forget the turns given on the old
	// budget (epoch), so that waiters take them again.
	b.tokens, b.last, b.pending = 0, now, 0
	b.epoch++
}

// take reserves n tokens and returns when the request may go: now (or at
// the end of the pause, until) if the bucket has them, else when the refill
// will have paid for them. During a pause the bucket is counted as of its
// end: it refills meanwhile, but no fuller than its burst.
func (b *bucket) take(now, until time.Time, n float64) time.Time {
	if b.rung > b.home && now.Sub(b.stepped) >= recoverAfter {
		b.advance(now)
		b.setRung(b.rung - 1)
		b.stepped = now
	}
	at := later(now, until)
	b.advance(at)
	b.tokens -= n
	turn := at
	if b.tokens < 0 {
		turn = at.Add(time.Duration(-b.tokens / b.budget.Rate * float64(time.Second)))
	}
	return turn
}

func (b *bucket) advance(now time.Time) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = min(b.burst(), b.tokens+b.budget.Rate*dt.Seconds())
		b.last = now
	}
}

// burst is the budget's burst less the margin, but never less than one
// request of the largest size seen (else such a request could never go).
func (b *bucket) burst() float64 {
	return max(b.budget.Burst-b.budget.Rate*margin.Seconds(), min(b.budget.Burst, b.biggest))
}

// stepDown moves to the next rung. Cloudflare's Retry-After is the time
// until the refused request's tokens are there, in whole seconds rounded
// up; with an empty bucket that is n/rate. So a Retry-After of two seconds
// or more tells that n/rate > Retry-After - 1s: a budget smaller than the
// next rung's, maybe (Free's 5 tag requests a minute answer 12 s).
func (b *bucket) stepDown(retryAfter time.Duration) {
	rung := b.rung + 1
	if retryAfter >= 2*time.Second {
		n := max(b.biggest, 1)
		for n/budgetAt(b.kind, rung).Rate <= (retryAfter - time.Second).Seconds() {
			rung++
		}
	}
	b.setRung(rung)
}

func (b *bucket) setRung(rung int) {
	b.rung, b.budget = rung, budgetAt(b.kind, rung)
	b.tokens = min(b.tokens, b.burst())
}

// budgetAt is the budget of a rung: past the ladder's end (the account has
// less than Free's budget: others spend it too), the last one halved per rung.
func budgetAt(k kind, rung int) Budget {
	l := ladders[k]
	if rung < len(l) {
		return l[rung]
	}
	f := math.Ldexp(1, -(rung - len(l) + 1))
	last := l[len(l)-1]
	return Budget{Rate: last.Rate * f, Burst: last.Burst * f}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
