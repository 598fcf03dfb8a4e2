// Package pace decides when each API call of a run may go, so that the run
// stays within every limit Cloudflare states (docs/cloudflare.md, "Limits"):
//
//   - The account's purge budget: two token buckets, one counting URLs, the
//     other requests that carry tags, hosts, prefixes or purge_everything.
//     Each is a rate.Limiter started at the plan's published numbers
//     (Enterprise's when the plan is unknown).
//   - Other jobs may share the budget without our knowing. The API-wide
//     count every answer carries falls by every call of the token, theirs
//     too: the part of it that is this job's caps its share of the burst
//     and the rate (crowd.go), so that jobs started together do not each
//     spend a full bucket. Calls in flight follow the share, from 4 at
//     first. A 429 (or code 1134) halves the refused kind's share and holds
//     its new calls for the Retry-After (plus a jitter drawn per process
//     when the 429s come in a wave or again, so that jobs refused together
//     do not resume together); the share climbs back by the same step for
//     every job while 429s are recent, then as fast as the successes come,
//     and to the job's part at once when the others have gone quiet (AIMD,
//     as TCP does). Retry-After tells when the refused call's tokens are
//     there, not which plan the account has: the first refused call's retry
//     goes at that instant, the others follow the halved budget.
//   - The API-wide limit, read from the Ratelimit and Ratelimit-Policy
//     headers of every answer: never more calls in flight than the quota
//     left (with other jobs on the token, than this job's part of it); once
//     it is spent (or code 971 says so), nothing goes until it resets.
//
// A wait that would pass the context's deadline is not waited: Wait fails at
// once, saying how long it would have been, and holds no other call.
package pace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Call is one API call about to be sent.
type Call struct {
	Purge bool // a purge or invalidation (draws on the plan's purge budget); false: a lookup
	URLs  int  // URLs in a purge by files (0 for tags, hosts, prefixes, everything)
}

// Answer is what came back for one attempt. Zero Answer (Status 0): no
// answer (network error, timeout).
type Answer struct {
	Status     int
	Header     http.Header   // the answer's headers: Ratelimit, Ratelimit-Policy, Retry-After
	Code       int           // Cloudflare's first errors[].code, 0 if none
	RetryAfter time.Duration // parsed Retry-After, 0 if absent
}

// Cloudflare's codes the pacer acts on.
const (
	codePurgeLimit = 1134 // the purge budget is spent
	codeAPILimit   = 971  // the API-wide limit is spent: every call is refused until it resets
)

// Options configure a Pacer. The zero value paces a real run of unknown plan.
type Options struct {
	// Plan is the account's plan ("Pro Website" or "pro"); empty or unknown:
	// Enterprise's budget until UsePlan or the answers say otherwise.
	Plan string
	// Now and Sleep are the clock; nil means real time. Sleep must return
	// ctx.Err() when ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// budget is one of a plan's buckets: rate tokens per second, burst at most.
type budget struct{ rate, burst float64 }

// plans are Cloudflare's published budgets (docs/cloudflare.md, "Limits"): the URL bucket, the request bucket.
var plans = map[string][numKinds]budget{
	"free":       {{800, 800}, {5.0 / 60, 25}},
	"pro":        {{1500, 1500}, {5, 25}},
	"business":   {{1500, 1500}, {10, 50}},
	"enterprise": {{3000, 3000}, {50, 500}},
}

// unknownPlan's budget is the largest: zone versioning, what this action is
// for, is an Enterprise feature, and a wrong guess costs one wave of 429s.
const unknownPlan = "enterprise"

const (
	urlKind  = iota // a token per URL
	flexKind        // a token per request of tags, hosts, prefixes or everything
	numKinds
)

const (
	// margin of refill is kept out of every burst: a call reaches Cloudflare
	// a round trip after it goes, and a fast one behind a slow one spends
	// the account's tokens earlier than counted here.
	margin = 50 * time.Millisecond
	// minPause holds a refused kind when no Retry-After came: a URL bucket
	// refills completely in a second.
	minPause = time.Second
	// minShare is the smallest fraction of the plan's budget halving goes down to.
	minShare = 1.0 / 64
	// creditSlack is how long after its Retry-After a refused call's retry
	// may still go ahead of the model (the client waits it, then asks).
	creditSlack = time.Second
	// resetSlack is added to the API-wide window's reset: the header gives
	// it in whole seconds, and a call that lands before the reset is
	// refused and blocks the user for minutes.
	resetSlack = time.Second
	// settle is how long after an answer new calls wait for the answers
	// to the calls sent with it (within roundGap).
	settle   = 20 * time.Millisecond
	roundGap = 5 * time.Millisecond
	// untimed bounds a wait for an answer (a slot of the API-wide quota):
	// every answer wakes the waiters anyway.
	untimed = time.Minute
	// initWindow is the calls of a kind in flight at first; each success
	// adds one, up to maxWindow (purge's 16), until the first 429: jobs
	// that start together do not each send a full bucket's worth at once.
	initWindow = 4
	maxWindow  = 16
	// climb is how fast the share of the plan's budget climbs back, per
	// second, while 429s are recent (within quiet); after that, each
	// success adds its tokens over the plan's burst: the share doubles every
	// burst's worth.
	climb = 0.01
	quiet = 500 * time.Millisecond
	// crowdAdd is how much of the budget's rate a job's purges may take
	// beyond its part of the account's calls: enough for the jobs' parts to
	// drift towards equal ones, too little to drain the bucket (with 4 jobs,
	// a quarter more drained it before their end: one 429, and its second
	// of Retry-After, on a run of 0.75 s). The burst is shared by parts
	// alone: jobs that start together must not each take a full bucket.
	crowdAdd = 0.02
)

// Pacer is safe for concurrent use.
type Pacer struct {
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func() float64 // in [0, 1)

	mu    sync.Mutex
	kinds [numKinds]kind
	api   quota
	crowd crowd
	// wake ends when an answer comes, for the calls waiting for a slot of
	// the API-wide quota.
	wake    context.Context
	wakeAll context.CancelFunc
}

// kind is the model of one of the account's purge buckets.
type kind struct {
	home    budget  // the plan's
	share   float64 // of home, in (0, 1]: halved on a 429, climbs on successes (AIMD)
	biggest int     // the largest call seen, in tokens: the burst never goes below it
	lim     *rate.Limiter
	cuts    int // halvings so far: a 429 to a call sent before the last is the same wave
	wave    int // 429s of the current wave
	// sent are the send times of the calls in flight, oldest first; answered
	// is the send time of the latest call answered, at answeredAt.
	sent                 []time.Time
	answered, answeredAt time.Time
	empty                bool      // the wave had more than one: the bucket is empty at the pause's end
	pause                time.Time // no new call of this kind goes before
	asked                time.Time // the part of the pause Cloudflare asked for (the rest is our jitter)
	jitter               float64   // of the current pause
	credits              []time.Time
	// window is the calls in flight it may have (see inFlight); reserved,
	// the calls holding tokens that have not gone yet.
	window   float64
	reserved int
	// cap is the part of the account's API calls that are this job's (see
	// crowd); cutAt, when the last halving was.
	cap, part float64
	cutAt     time.Time
}

// New returns a Pacer.
func New(o Options) *Pacer {
	p := &Pacer{now: o.Now, sleep: o.Sleep, jitter: rand.Float64}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = sleep
	}
	now := p.now()
	for i, b := range plans[unknownPlan] {
		k := &p.kinds[i]
		k.home, k.share, k.cap, k.part, k.window = b, 1, 1, 1, initWindow
		k.lim = k.limiter(now, math.Inf(1))
	}
	p.api, p.crowd = newQuota(), newCrowd()
	p.wake, p.wakeAll = context.WithCancel(context.Background())
	p.UsePlan(o.Plan)
	return p
}

// UsePlan sets the purge budgets from the plan name ("Pro Website") or
// legacy id ("pro"); false for an unknown plan, which changes nothing.
func (p *Pacer) UsePlan(plan string) bool {
	f := strings.Fields(strings.ToLower(plan))
	if len(f) == 0 {
		return false
	}
	b, ok := plans[f[0]]
	if !ok {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for i := range p.kinds {
		k := &p.kinds[i]
		k.home = b[i]
		k.lim = k.limiter(now, k.lim.TokensAt(now))
	}
	return true
}

// Wait blocks until the call may be sent (API-wide quota; for a purge, its
// budget too), and returns done, which the caller must call exactly once
// with the attempt's answer. A wait that would pass ctx's deadline is not
// begun: the error wraps context.DeadlineExceeded and says how long it
// would have been.
func (p *Pacer) Wait(ctx context.Context, c Call) (done func(Answer), err error) {
	var res *reservation
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		now := p.now()
		// The deadline is in real time, as the client's retry checks it.
		left := time.Duration(-1)
		deadline, hasDeadline := ctx.Deadline()
		if hasDeadline {
			left = max(0, time.Until(deadline))
		}
		d, why, onAnswer := p.hold(now, left, c, &res)
		if d <= 0 {
			res.used()
			return p.start(now, c), nil
		}
		if hasDeadline && !onAnswer && left < d {
			res.cancel(now)
			return nil, &TooLongError{Why: why, Wait: d, Left: left}
		}
		var wake context.Context
		if onAnswer {
			wake = p.wake
		}
		p.mu.Unlock()
		err := p.sleepUnless(ctx, d, wake)
		p.mu.Lock()
		if err != nil {
			res.cancel(p.now())
			return nil, err
		}
	}
}

// TooLongError is Wait's error for a wait that the deadline leaves no time
// for: a wait Cloudflare asked for (a 429's Retry-After, the API-wide
// limit's reset) or the purge budget's. It wraps context.DeadlineExceeded.
type TooLongError struct {
	Why        string // "Cloudflare's API-wide limit", "the purge budget", ...
	Wait, Left time.Duration
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("%s asks to wait %s, and the run's deadline is %s away", e.Why, e.Wait.Round(time.Millisecond), e.Left.Round(time.Millisecond))
}

func (e *TooLongError) Unwrap() error { return context.DeadlineExceeded }

// reservation is a purge call's claim on its kind's tokens while it waits.
type reservation struct {
	r    *rate.Reservation
	cuts int // the kind's halvings when it was made
	k    *kind
}

// cancel gives the tokens back.
func (r *reservation) cancel(now time.Time) {
	if r != nil && r.r != nil {
		r.r.CancelAt(now)
		r.used()
	}
}

// used ends the claim: the call went, or gave its tokens back.
func (r *reservation) used() {
	if r != nil && r.r != nil {
		r.r = nil
		r.k.reserved--
	}
}

// hold says how long the call must still wait (0: it may go now), why, and
// whether the wait ends with an answer rather than at a known time.
// left is the time until ctx's deadline, negative when it has none.
func (p *Pacer) hold(now time.Time, left time.Duration, c Call, res **reservation) (d time.Duration, why string, onAnswer bool) {
	if d, onAnswer := p.api.hold(now, p.crowd.lowest()); d > 0 {
		// Parked on the quota: the purge budget's tokens go back, or every
		// call parked so fires at once when the window resets.
		(*res).cancel(now)
		*res = nil
		return d, "Cloudflare's API-wide limit", onAnswer
	}
	if !c.Purge {
		return 0, "", false
	}
	k, n := p.kindOf(c)
	if *res != nil && (*res).cuts != k.cuts {
		(*res).cancel(now) // made on a budget since halved: take a turn again
		*res = nil
	}
	if *res == nil {
		if k.credit(now) {
			k.lim.ReserveN(now, min(n, k.lim.Burst())) // spends what the account spends
			return 0, "", false
		}

		// The jitter spreads the restarts of jobs refused together; near
		// the deadline it gives way: only the wait asked for counts.
		end := k.pause
		if left >= 0 && k.pause.Sub(now) > left {
			end = k.asked
		}
		if now.Before(end) {
			return end.Sub(now), "the purge budget (after a 429)", false
		}
		if k.empty {
			k.restart(now)
		}
		if d := k.settling(now); d > 0 {
			return d, "the purge budget (answers due)", true
		}
		if len(k.sent)+k.reserved >= k.inFlight() {
			return untimed, "the purge budget (calls in flight)", true
		}
		*res = &reservation{r: k.lim.ReserveN(now, min(n, k.lim.Burst())), cuts: k.cuts, k: k}
		k.reserved++
	}
	return (*res).r.DelayFrom(now), "the purge budget", false
}

// kindOf is the bucket a purge draws from and its cost in tokens.
func (p *Pacer) kindOf(c Call) (*kind, int) {
	k, n := &p.kinds[flexKind], 1
	if c.URLs > 0 {
		k, n = &p.kinds[urlKind], c.URLs
	}
	if n > k.biggest {
		k.biggest = n
		k.lim.SetBurstAt(p.now(), k.burst())
	}
	return k, n
}

// start counts the call as sent and returns its done.
func (p *Pacer) start(sent time.Time, c Call) func(Answer) {
	p.api.send()
	cuts := 0 // the halvings of its kind: answers to calls sent before one are old news
	if c.Purge {
		k, _ := p.kindOf(c)
		cuts = k.cuts
		k.sent = append(k.sent, sent)
	}
	var once sync.Once
	return func(a Answer) {
		once.Do(func() { p.answered(sent, cuts, c, a) })
	}
}

func (p *Pacer) answered(sent time.Time, cuts int, c Call, a Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	apiSpent := p.api.answer(now, sent, a)
	if a.Status != 0 {
		p.crowd.answer(now, p.api.inflight, parseRatelimit(a.Header.Values("Ratelimit")))
		p.shareOut(now)
	}
	// Wake the calls waiting for a slot: this one is free, and the quota is
	// known anew.
	p.wakeAll()
	p.wake, p.wakeAll = context.WithCancel(context.Background())
	if !c.Purge {
		return
	}
	if a.Status == 0 {
		k, _ := p.kindOf(c)
		k.done(now, sent)
		return
	}
	k, n := p.kindOf(c)
	k.done(now, sent)
	switch {
	case a.Code == codePurgeLimit || (a.Status == http.StatusTooManyRequests && !apiSpent):
		k.refused(now, cuts, a.RetryAfter, p.jitter)
	case a.Status/100 == 2:
		k.succeeded(now, cuts, n)
	}
}

// shareOut sets each kind's caps from the part of the account's calls that
// are this job's (crowd). With no 429 lately and the others calling less
// (they finished), the share rises to that part at once: the jobs left take
// what the ones gone leave.
func (p *Pacer) shareOut(now time.Time) {
	part := p.crowd.part
	for i := range p.kinds {
		k := &p.kinds[i]
		changed := false
		if p.crowd.crowded && now.Sub(k.cutAt) >= quiet && k.share < part {
			k.share, changed = part, true
		}
		rateCap := max(minShare, min(1, part+crowdAdd))
		burstCap := max(minShare, part)
		if changed || rateCap != k.cap || burstCap != k.part {
			k.cap, k.part = rateCap, burstCap
			k.apply(now)
		}
	}
}

// refused halves the kind's budget, once per wave of 429s, and holds its new
// calls for the wait asked; when the wave is more than one 429, or follows
// another, plus up to half of it more, drawn per process. The first refused
// call's retry may go when Retry-After says (a credit); the others follow
// the halved budget.
func (k *kind) refused(now time.Time, cuts int, retryAfter time.Duration, jitter func() float64) {
	switch {
	case cuts == k.cuts:
		// One credit per wave: the other refused calls' retries follow the
		// halved budget, spread, rather than all go at Retry-After.
		if retryAfter > 0 {
			k.credits = append(k.credits, now.Add(retryAfter))
		}
		k.cuts, k.jitter, k.wave, k.cutAt = k.cuts+1, jitter(), 1, now
		k.share = max(minShare, k.eff()/2)
		k.window = max(1, min(k.window, float64(len(k.sent)+1))/2)
		k.apply(now)
	case cuts == k.cuts-1:
		// Another refusal of the same wave: the account's bucket is empty,
		// not a blip; so is ours, and it refills from the pause's end at
		// the new rate, so that jobs sharing it restart at their rates, not
		// with bursts the account has not got.
		k.wave++
		k.empty = k.wave >= 2
	}
	w := max(retryAfter, minPause)
	j := k.jitter
	if k.wave < 2 && k.cuts < 2 {
		// A lone 429, the first: a moment's contention until it repeats;
		// the pause is the wait asked, no more.
		j = 0
	}
	k.pause = later(k.pause, now.Add(w+time.Duration(j*float64(w)/2)))
	k.asked = later(k.asked, now.Add(w))
}

// done forgets an answered call.
func (k *kind) done(now, sent time.Time) {
	for i, t := range k.sent {
		if t.Equal(sent) {
			k.sent = append(k.sent[:i], k.sent[i+1:]...)
			break
		}
	}
	k.answered, k.answeredAt = sent, now
}

// settling holds new calls of the kind, for at most settle after an answer,
// while calls sent before it (or with it) are still out: calls sent
// together are answered together, successes first, and the 429s right
// behind them must be seen before more of the burst is spent.
func (k *kind) settling(now time.Time) time.Duration {
	end := k.answeredAt.Add(settle)
	if !now.Before(end) || len(k.sent) == 0 {
		return 0
	}
	// The oldest call out; one sent since the answer came is not of its round.
	if t := k.sent[0]; t.After(k.answered.Add(roundGap)) || !t.Before(k.answeredAt) {
		return 0
	}
	return end.Sub(now)
}

// restart empties the kind's bucket as of the pause's end (the retries let
// go meanwhile keep what they took).
func (k *kind) restart(now time.Time) {
	k.empty = false
	r := k.eff() * k.home.rate
	tokens := min(k.lim.TokensAt(now), now.Sub(k.pause).Seconds()*r)
	k.lim = k.limiter(now, max(0, tokens))
	if tokens <= -1 {
		k.lim.ReserveN(now, min(int(-tokens), k.lim.Burst()))
	}
}

// succeeded opens the window by one per round trip of successes and, once
// a 429 showed the budget shared, climbs the share back: slowly while 429s
// are recent, as fast as the successes come once they have stopped. Answers
// to calls sent before the last halving tell nothing new.
func (k *kind) succeeded(now time.Time, cuts, n int) {
	if cuts != k.cuts {
		return
	}
	k.window = min(maxWindow, k.window+1/k.window)
	if k.cuts == 0 || k.share >= 1 {
		return
	}
	step := float64(n) / k.home.burst // doubles the share every burst's worth
	if now.Sub(k.cutAt) < quiet {
		// The same for every job, whatever its share: jobs that climb
		// alike and are halved when they take most converge on equal parts.
		step = climb * float64(n) / (k.share * k.home.rate)
	}
	k.share = min(1, k.share+step)
	k.apply(now)
}

// eff is the share of the plan's budget the kind paces to: its own (AIMD),
// and no more than the part of the account's calls that are this job's.
func (k *kind) eff() float64 { return max(minShare, min(k.share, k.cap)) }

// inFlight is how many calls of the kind may be out at once: the window,
// and no more than the share of the budget needs.
func (k *kind) inFlight() int {
	return max(1, min(int(k.window), int(math.Ceil(k.eff()*maxWindow))))
}

// credit takes a refused call's due Retry-After, if one is.
func (k *kind) credit(now time.Time) bool {
	k.credits = dropOld(k.credits, now.Add(-creditSlack))
	for i, at := range k.credits {
		if !now.Before(at) {
			k.credits = append(k.credits[:i], k.credits[i+1:]...)
			return true
		}
	}
	return false
}

func dropOld(ts []time.Time, before time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if !t.Before(before) {
			out = append(out, t)
		}
	}
	return out
}

// limiter is a limiter at the kind's budget holding at most tokens, and at
// most the burst less the margin, as a fraction: the account's bucket starts
// refilling when its first call arrives, a round trip after ours, and the
// margin keeps later calls from arriving before their tokens are there.
func (k *kind) limiter(now time.Time, tokens float64) *rate.Limiter {
	r := k.eff() * k.home.rate
	l := rate.NewLimiter(rate.Limit(r), k.burst())
	tokens = max(0, min(tokens, k.eff()*(k.home.burst-k.home.rate*margin.Seconds())))
	// Empty it at the instant from which it refills to tokens by now.
	l.AllowN(now.Add(-time.Duration(tokens/r*float64(time.Second))), l.Burst())
	return l
}

// apply sets the limiter to the kind's share of its plan's budget.
func (k *kind) apply(now time.Time) {
	k.lim.SetLimitAt(now, rate.Limit(k.eff()*k.home.rate))
	k.lim.SetBurstAt(now, k.burst()) // fewer tokens than held: the next use caps them
}

// burst is the share of the plan's burst less the margin, rounded up (a
// call is a whole token), and never less than the largest call seen.
func (k *kind) burst() int {
	b := min(k.eff(), k.part) * (k.home.burst - k.home.rate*margin.Seconds())
	n := int(b)
	if float64(n) < b {
		n++
	}
	return max(n, k.biggest, 1)
}

// quota is the model of the API-wide limit: one window per item of the
// Ratelimit header (the tightest binds), in calls we may still start.
type quota struct {
	windows  []window
	inflight int
}

type window struct {
	name string
	// r is the smallest remaining count the window's answers said (answers
	// come back out of order); left, the calls that may still start in it.
	r, left int
	reset   time.Time // zero: unknown (a call probes it)
	// quota and length are the policy's, for the message of a wait.
	quota  int
	length time.Duration
}

// newQuota starts from the documented limit, until the first answer says.
func newQuota() quota {
	return quota{windows: []window{{name: "default", r: 1200, left: 1200, quota: 1200, length: 5 * time.Minute}}}
}

func (q *quota) send() {
	q.inflight++
	for i := range q.windows {
		q.windows[i].left--
	}
}

// hold says how long a call must wait for the quota: until a window resets
// (then one call probes it), or for an answer while calls are in flight.
// part is this job's part of the calls the quota counts (see crowd).
func (q *quota) hold(now time.Time, part float64) (d time.Duration, onAnswer bool) {
	for i := range q.windows {
		w := &q.windows[i]
		// Calls are left, and this job's part of what the count says is
		// left is more than its calls in flight: jobs sharing the quota
		// each spend their part of it, not all of it.
		if w.left > 0 && (float64(w.r)*part-float64(q.inflight) >= 1 || w.reset.IsZero() || !now.Before(w.reset)) {
			continue
		}
		if w.reset.IsZero() || !now.Before(w.reset) {
			if q.inflight == 0 {
				w.left, w.reset = 1, time.Time{} // a probe: its answer tells the new window
				continue
			}
			return untimed, true
		}
		if q.inflight > 0 {
			return min(untimed, w.reset.Sub(now)), true
		}
		d = max(d, w.reset.Sub(now))
	}
	return d, false
}

// answer reads an answer's headers into the windows, and reports whether it
// says the API-wide quota is spent (a 971, or a 429 with an item at r=0).
func (q *quota) answer(now, sent time.Time, a Answer) (spent bool) {
	q.inflight--
	items := parseRatelimit(a.Header.Values("Ratelimit"))
	policies := parseRatelimit(a.Header.Values("Ratelimit-Policy"))
	if len(items) > 0 {
		old := q.windows
		q.windows = make([]window, 0, len(items))
		for _, it := range items {
			r, okR := it.param("r")
			t, okT := it.param("t")
			if !okR {
				continue
			}
			w := window{name: it.name, r: int(min(r, 1<<30))}
			if okT {
				w.reset = now.Add(time.Duration(min(t, 1<<20))*time.Second + resetSlack)
			}
			for _, pol := range policies {
				if pol.name == it.name {
					qq, _ := pol.param("q")
					ww, _ := pol.param("w")
					w.quota, w.length = int(min(qq, 1<<30)), time.Duration(min(ww, 1<<20))*time.Second
				}
			}
			// Answers come back out of order: within one window, the
			// smallest count wins and the earliest reset (each answer's is
			// a bound from above: t is rounded up). An answer whose reset is
			// far later is of a new window, and its counts stand alone (a
			// new window's reset with the old one's count would hold the
			// calls for a whole window); one whose reset is far earlier is
			// of the window before, and old news.
			for _, o := range old {
				if o.name != w.name || o.reset.IsZero() {
					continue
				}
				tol := max(2*time.Second, o.length/2)
				switch {
				case w.reset.IsZero():
					if sent.Before(o.reset) {
						w.r, w.reset = min(w.r, o.r), o.reset
					}
				case w.reset.Sub(o.reset) > tol:
				case o.reset.Sub(w.reset) > tol:
					w.r, w.reset = o.r, o.reset
				default:
					w.r = min(w.r, o.r)
					w.reset = earlier(w.reset, o.reset)
				}
			}
			// The calls in flight may not be counted in r yet: they are
			// counted as spent until their answers come.
			w.left = w.r - q.inflight
			if r == 0 && a.Status == http.StatusTooManyRequests {
				spent = true
			}
			q.windows = append(q.windows, w)
		}
		if len(q.windows) == 0 {
			q.windows = old
		}
	}
	if a.Code == codeAPILimit {
		spent = true
	}
	if spent {
		// Nothing goes until the windows reset: when Retry-After, exactly
		// then (it is Cloudflare's word, waited as said, never longer);
		// else the header's t, else the window's length.
		until := now.Add(a.RetryAfter)
		if a.RetryAfter <= 0 {
			for _, w := range q.windows {
				if !w.reset.IsZero() {
					until = later(until, w.reset)
				}
			}
		}
		if until.Equal(now) {
			until = now.Add(time.Minute)
			for _, w := range q.windows {
				until = later(until, now.Add(w.length))
			}
		}
		for i := range q.windows {
			q.windows[i].r, q.windows[i].left, q.windows[i].reset = 0, 0, until
		}
	}
	return spent
}

// sleepUnless sleeps for d, or until wake ends (then it returns nil), or
// until ctx ends (then ctx's error).
func (p *Pacer) sleepUnless(ctx context.Context, d time.Duration, wake context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if wake != nil {
		defer context.AfterFunc(wake, cancel)()
	}
	sleepFor := p.sleep
	if wake != nil && d >= untimed {
		// Not a wait of known length, only a bound on one for an answer:
		// in real time, so that a clock that jumps ahead as it is slept on
		// (a test's) does not jump a minute per call waiting its turn.
		sleepFor = sleep
	}
	err := sleepFor(sctx, d)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// sleep waits for d or until ctx ends, in real time.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Need says how long calls take at the least, and what binds them (""
// when they may all go now): the API-wide limit as the answers so far
// announced it, and the plan's purge budgets from full buckets (what other
// jobs of the account spent is not known, so this is a floor). A run whose
// Need is longer than the time it has left cannot finish.
func (p *Pacer) Need(calls []Call) (time.Duration, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var worst time.Duration
	var what string
	n := len(calls)
	for _, w := range p.api.windows {
		left, resetIn := max(w.left, 0), w.length
		if !w.reset.IsZero() {
			resetIn = max(w.reset.Sub(now), 0)
		}
		if n <= left || w.quota <= 0 {
			continue
		}
		windows := (n - left + w.quota - 1) / w.quota
		if d := resetIn + time.Duration(windows-1)*w.length; d > worst {
			worst = d
			what = fmt.Sprintf("Cloudflare's API-wide limit (%q: %d calls per %s, %d left now)", w.name, w.quota, w.length, left)
		}
	}
	var tokens [numKinds]float64
	for _, c := range calls {
		switch {
		case !c.Purge:
		case c.URLs > 0:
			tokens[urlKind] += float64(c.URLs)
		default:
			tokens[flexKind]++
		}
	}
	for i, k := range p.kinds {
		h := k.home
		if d := time.Duration((tokens[i] - h.burst) / h.rate * float64(time.Second)); d > worst {
			worst = d
			what = fmt.Sprintf("the plan's purge budget for %s (%g at once, then %s)", [numKinds]string{"URLs", "requests of tags, hosts, prefixes or everything"}[i], h.burst, perTime(h.rate))
		}
	}
	return worst, what
}

// perTime is a refill rate in words: "3000 per second", "5 per minute".
func perTime(rate float64) string {
	if rate >= 1 {
		return fmt.Sprintf("%g per second", rate)
	}
	return fmt.Sprintf("%g per minute", math.Round(rate*60*100)/100)
}
