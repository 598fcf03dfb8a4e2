package pace

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// fakeClock advances only when a single waiter sleeps: the time a Wait
// returns at is the time the request was let go.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps int
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps++
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) pacer(plan string) *Pacer {
	return New(Options{Plan: plan, Now: c.Now, Sleep: c.Sleep})
}

// account is Cloudflare's side: a token bucket as the emulator keeps it.
type account struct {
	rate, burst, tokens float64
	last                time.Time
}

func newAccount(b Budget, now time.Time) *account {
	return &account{rate: b.Rate, burst: b.Burst, tokens: b.Burst, last: now}
}

// take spends n tokens, or answers a refusal with Cloudflare's Retry-After:
// whole seconds until n tokens are there, at least one.
func (a *account) take(now time.Time, n float64) (retryAfter time.Duration, ok bool) {
	if dt := now.Sub(a.last); dt > 0 {
		a.tokens = math.Min(a.burst, a.tokens+a.rate*dt.Seconds())
		a.last = now
	}
	if a.tokens+1e-9 >= n {
		a.tokens = math.Max(0, a.tokens-n)
		return 0, true
	}
	secs := math.Max(1, math.Ceil((n-a.tokens)/a.rate-1e-9))
	return time.Duration(secs) * time.Second, false
}

func published(t *testing.T, plan string) (urls, requests Budget) {
	t.Helper()
	u, r, ok := Published(plan)
	if !ok {
		t.Fatalf("Published(%q): not a known plan", plan)
	}
	return u, r
}

// A known plan's budget is spent as fast as it allows: the burst at once,
// then as the bucket refills, and never more than the account has.
func TestKnownPlanSpendsBudgetAndNoMore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan     string
		urls     int // per request; 0: tag requests
		requests int
		lastAt   time.Duration // when the last request goes
	}{
		// 3,000 URLs: 1,425 of the 1,500 burst at once (margin: 75), the rest at 1,500/s.
		{plan: "Pro Website", urls: 30, requests: 100, lastAt: 1050 * time.Millisecond},
		// 100,000 URLs in 500s: 2,850 at once, the rest at 3,000/s.
		{plan: "Enterprise Website", urls: 500, requests: 200, lastAt: 32383 * time.Millisecond},
		{plan: "free", urls: 30, requests: 60, lastAt: 1300 * time.Millisecond},
		// 27 tag requests: 24 at once (the 25th token less the margin), then one each 12 s.
		{plan: "Free Website", requests: 27, lastAt: 24050 * time.Millisecond},
		{plan: "Business Website", requests: 100, lastAt: 5050 * time.Millisecond}, // 49 at once, 10/s after
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			start := clock.Now()
			p := clock.pacer(tt.plan)
			urls, requests := published(t, tt.plan)
			acct, n := newAccount(requests, start), 1.0
			if tt.urls > 0 {
				acct, n = newAccount(urls, start), float64(tt.urls)
			}
			for i := range tt.requests {
				if err := p.Wait(context.Background(), tt.urls); err != nil {
					t.Fatal(err)
				}
				if _, ok := acct.take(clock.Now(), n); !ok {
					t.Fatalf("request %d at %v: the account refuses it", i, clock.Now().Sub(start))
				}
			}
			if got := clock.Now().Sub(start); got.Round(time.Millisecond) != tt.lastAt {
				t.Errorf("last request at %v, want %v", got, tt.lastAt)
			}
		})
	}
}

func TestUnknownPlanStartsAtEnterprise(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := clock.pacer("")
	entURLs, entRequests := published(t, "enterprise")
	if got := p.buckets[urlKind].budget; got != entURLs {
		t.Errorf("URL budget %+v, want Enterprise's %+v", got, entURLs)
	}
	if got := p.buckets[flexKind].budget; got != entRequests {
		t.Errorf("request budget %+v, want Enterprise's %+v", got, entRequests)
	}
	if p.UsePlan("Partner Plan") {
		t.Error(`UsePlan("Partner Plan") = true, want false for a plan not in the table`)
	}
	if got := p.buckets[urlKind].budget; got != entURLs {
		t.Errorf("an unknown plan changed the budget to %+v", got)
	}
}

func TestPublishedPlanNames(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]Budget{
		"Free Website": {800, 800}, "free": {800, 800}, "Pro Website": {1500, 1500},
		"Business Website": {1500, 1500}, "Enterprise Website": {3000, 3000}, " ENTERPRISE ": {3000, 3000},
	} {
		if got, _, ok := Published(name); !ok || got != want {
			t.Errorf("Published(%q) URLs = %+v, %v; want %+v", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "Partner", "professional"} {
		if _, _, ok := Published(name); ok {
			t.Errorf("Published(%q) ok, want unknown", name)
		}
	}
}

func TestThrottledPausesEveryRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	start := clock.Now()
	p := clock.pacer("enterprise")
	p.Throttled(30, 3*time.Second) // a URL request refused: tags wait too
	for _, urls := range []int{0, 30} {
		if err := p.Wait(context.Background(), urls); err != nil {
			t.Fatal(err)
		}
		if got := clock.Now().Sub(start); got < 3*time.Second {
			t.Errorf("Wait(%d) returned %v after a 429 with Retry-After 3s", urls, got)
		}
	}
}

func TestThrottledWithoutRetryAfterPausesASecond(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	start := clock.Now()
	p := clock.pacer("enterprise")
	p.Throttled(1, 120*time.Millisecond) // a backoff: no Retry-After came
	if err := p.Wait(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(start); got != minPause {
		t.Errorf("paused %v, want %v", got, minPause)
	}
}

// One wave of refusals (the requests in flight when the bucket ran dry)
// steps the budget down once, not once per refusal.
func TestOneWaveStepsDownOnce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := clock.pacer("")
	if err := p.Wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	for range 16 {
		p.Throttled(30, time.Second)
		clock.advance(10 * time.Millisecond)
	}
	want, _ := published(t, "pro") // Enterprise, then Business and Pro's URL budget
	if got := p.buckets[urlKind].budget; got != want {
		t.Errorf("after one wave the URL budget is %+v, want %+v", got, want)
	}
	// The retries go after the pause; refused again, the budget steps again.
	clock.advance(time.Second)
	if err := p.Wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	p.Throttled(30, time.Second)
	want, _ = published(t, "free")
	if got := p.buckets[urlKind].budget; got != want {
		t.Errorf("after a second wave the URL budget is %+v, want %+v", got, want)
	}
	p.Throttled(30, time.Second) // same wave
	clock.advance(2 * time.Second)
	if err := p.Wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	p.Throttled(30, time.Second)
	if got, want := p.buckets[urlKind].budget, (Budget{400, 400}); got != want {
		t.Errorf("below Free the URL budget is %+v, want half of Free's %+v", got, want)
	}
}

// Free's 5 tag requests a minute answer a 429 with Retry-After 12: no
// smaller plan but Free's refills that slowly, so the pacer goes there at once.
func TestRetryAfterTellsASlowBudget(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	p := clock.pacer("")
	if err := p.Wait(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	p.Throttled(0, 12*time.Second)
	_, want := published(t, "free")
	if got := p.buckets[flexKind].budget; got != want {
		t.Errorf("request budget %+v, want Free's %+v", got, want)
	}
}

// A 429 steps down only the refused request's bucket: in a mixed run, a
// URL refusal leaves the tag budget alone, and the other way round. Every
// kind pauses all the same.
func TestOnlyTheRefusedKindStepsDown(t *testing.T) {
	t.Parallel()
	entURLs, entRequests := published(t, "enterprise")
	proURLs, busRequests := published(t, "business")
	for _, tt := range []struct {
		name              string
		refused           int // the refused request's URLs
		wantURLs, wantReq Budget
	}{
		{name: "URL 429", refused: 30, wantURLs: proURLs, wantReq: entRequests},
		{name: "tag 429", refused: 0, wantURLs: entURLs, wantReq: busRequests},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			start := clock.Now()
			p := clock.pacer("")
			for _, urls := range []int{30, 0, 30, 0} { // both kinds in flight
				if err := p.Wait(context.Background(), urls); err != nil {
					t.Fatal(err)
				}
			}
			p.Throttled(tt.refused, time.Second)
			if got := p.buckets[urlKind].budget; got != tt.wantURLs {
				t.Errorf("URL budget %+v, want %+v", got, tt.wantURLs)
			}
			if got := p.buckets[flexKind].budget; got != tt.wantReq {
				t.Errorf("request budget %+v, want %+v", got, tt.wantReq)
			}
			for _, urls := range []int{30, 0} {
				if err := p.Wait(context.Background(), urls); err != nil {
					t.Fatal(err)
				}
				if got := clock.Now().Sub(start); got < time.Second {
					t.Errorf("Wait(%d) returned %v after a 429 with Retry-After 1s", urls, got)
				}
			}
			// The other kind refused in the same pause: its own first wave.
			other := 30 - tt.refused
			p.Throttled(other, time.Second)
			if got := p.buckets[urlKind].budget; got != proURLs {
				t.Errorf("both refused: URL budget %+v, want %+v", got, proURLs)
			}
			if got := p.buckets[flexKind].budget; got != busRequests {
				t.Errorf("both refused: request budget %+v, want %+v", got, busRequests)
			}
		})
	}
}

// A known plan's budget is right: its first 429 (requests bunched up on the
// way) only pauses; a second one soon after steps down, and after a quiet
// while the budget climbs back. A guessed budget that was refused stays down.
func TestKnownPlanIsTrustedAndRecovers(t *testing.T) {
	t.Parallel()
	proURLs, _ := published(t, "pro")
	freeURLs, _ := published(t, "free")
	clock := newFakeClock()
	p := clock.pacer("pro")
	throttle := func() {
		t.Helper()
		if err := p.Wait(context.Background(), 30); err != nil {
			t.Fatal(err)
		}
		p.Throttled(30, time.Second)
	}
	throttle()
	if got := p.buckets[urlKind].budget; got != proURLs {
		t.Fatalf("after a first 429 the URL budget is %+v, want Pro's still %+v", got, proURLs)
	}
	throttle() // after the pause: a second wave
	if got := p.buckets[urlKind].budget; got != freeURLs {
		t.Fatalf("after a second 429 the URL budget is %+v, want %+v", got, freeURLs)
	}
	clock.advance(recoverAfter)
	if err := p.Wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	if got := p.buckets[urlKind].budget; got != proURLs {
		t.Errorf("%v after the last 429 the URL budget is %+v, want Pro's again %+v", recoverAfter, got, proURLs)
	}

	clock = newFakeClock()
	p = clock.pacer("")
	throttle()
	clock.advance(recoverAfter)
	if err := p.Wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	if got := p.buckets[urlKind].budget; got != proURLs {
		t.Errorf("unknown plan: %v after a 429 the URL budget is %+v, want it to stay at %+v", recoverAfter, got, proURLs)
	}
}

// The app's tests replace Sleep with one that returns at once: Wait must
// not spin on a clock that does not move.
func TestWaitWithInstantSleepReturns(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sleeps := 0
	p := New(Options{Plan: "free", Now: func() time.Time { return now }, Sleep: func(ctx context.Context, d time.Duration) error {
		sleeps++
		return ctx.Err()
	}})
	p.Throttled(0, 12*time.Second)
	for range 40 {
		if err := p.Wait(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
	}
	if sleeps != 40 {
		t.Errorf("%d sleeps for 40 waits, want one each", sleeps)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "free"})
		p.Throttled(0, time.Hour)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := p.Wait(ctx, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want the context's deadline", err)
		}
	})
}

// Many requests at once against a simulated account (synctest's clock:
// nothing really sleeps): every plan's budget, unknown to the pacer, is
// learned with at most one wave of refusals per step, and a known plan's
// run is never refused.
func TestConcurrentRunsAgainstAccount(t *testing.T) {
	t.Parallel()
	const (
		workers = 16 // purge.DefaultConcurrency
		rtt     = 50 * time.Millisecond
	)
	tests := []struct {
		name, plan, pacerPlan string
		urls, requests        int
		// jitter delays every 7th request's arrival this much more.
		jitter     time.Duration
		maxRefused int
		maxTime    time.Duration
	}{
		{name: "pro URLs, plan known", plan: "pro", pacerPlan: "pro", urls: 30, requests: 100, maxRefused: 0, maxTime: 1200 * time.Millisecond},
		{name: "free tags, plan known", plan: "free", pacerPlan: "free", requests: 27, maxRefused: 0, maxTime: 24200 * time.Millisecond},
		// Requests held up on the way (every 7th, 300 ms) bunch up with later
		// ones: the account still refuses none (9,000 URLs: floor 5.05 s).
		{name: "pro URLs, plan known, jitter", plan: "pro", pacerPlan: "pro", urls: 30, requests: 300, jitter: 300 * time.Millisecond, maxRefused: 0, maxTime: 5400 * time.Millisecond},
		{name: "enterprise URLs, plan unknown", plan: "enterprise", urls: 500, requests: 60, maxRefused: 0, maxTime: 9150 * time.Millisecond},
		// Unknown plans: one wave per rung stepped (in flight: up to 16).
		{name: "pro URLs, plan unknown", plan: "pro", urls: 30, requests: 100, maxRefused: workers, maxTime: 1500 * time.Millisecond},
		{name: "free tags, plan unknown", plan: "free", requests: 27, maxRefused: 2, maxTime: 24200 * time.Millisecond},
		{name: "free URLs, plan unknown", plan: "free", urls: 30, requests: 100, maxRefused: 2 * workers, maxTime: 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				urls, requests := published(t, tt.plan)
				acct, n := newAccount(requests, start), 1.0
				if tt.urls > 0 {
					acct, n = newAccount(urls, start), float64(tt.urls)
				}
				var mu sync.Mutex
				refused := 0
				p := New(Options{Plan: tt.pacerPlan})
				// send is one request with the client's retries: the account
				// takes the tokens on arrival, half a round trip after Wait.
				var sent atomic.Int64
				send := func() {
					for attempt := 0; attempt <= 5; attempt++ {
						if err := p.Wait(context.Background(), tt.urls); err != nil {
							t.Error(err)
							return
						}
						if sent.Add(1)%7 == 0 {
							time.Sleep(tt.jitter)
						}
						time.Sleep(rtt / 2)
						mu.Lock()
						wait, ok := acct.take(time.Now(), n)
						if !ok {
							refused++
						}
						mu.Unlock()
						time.Sleep(rtt / 2)
						if ok {
							return
						}
						p.Throttled(tt.urls, wait)
						time.Sleep(wait)
					}
					t.Error("a request failed after 6 attempts")
				}
				jobs := make(chan struct{})
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for range jobs {
							send()
						}
					})
				}
				for range tt.requests {
					jobs <- struct{}{}
				}
				close(jobs)
				wg.Wait()
				took := time.Since(start)
				t.Logf("%d requests, %d refused, %v", tt.requests, refused, took)
				if refused > tt.maxRefused {
					t.Errorf("%d requests refused, want at most %d", refused, tt.maxRefused)
				}
				if took > tt.maxTime {
					t.Errorf("took %v, want at most %v", took, tt.maxTime)
				}
			})
		})
	}
}
