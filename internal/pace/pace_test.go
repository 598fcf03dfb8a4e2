package pace

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Every test runs in a synctest bubble: time.Now and the pacer's real-time
// Sleep are its fake clock, which moves only when every goroutine of the
// bubble is blocked. Nothing really sleeps.

// mustWait is Wait that fails the test on an error.
func mustWait(t *testing.T, p *Pacer, c Call) func(Answer) {
	t.Helper()
	done, err := p.Wait(context.Background(), c)
	if err != nil {
		t.Fatalf("Wait(%+v): %v", c, err)
	}
	return done
}

var tags = Call{Purge: true}

func urls(n int) Call { return Call{Purge: true, URLs: n} }

func ok() Answer { return Answer{Status: http.StatusOK} }

// limited is Cloudflare's 429 of the purge budget.
func limited(retryAfter time.Duration) Answer {
	return Answer{Status: http.StatusTooManyRequests, Code: codePurgeLimit, RetryAfter: retryAfter}
}

// withRatelimit is an answer announcing the API-wide limit.
func withRatelimit(a Answer, r, t int) Answer {
	a.Header = http.Header{}
	a.Header.Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=%d`, r, t))
	a.Header.Set("Ratelimit-Policy", `"default";q=100;w=10`)
	return a
}

func TestUsePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan string
		want bool
		urls budget
	}{
		{"Free Website", true, budget{800, 800}},
		{"pro", true, budget{1500, 1500}},
		{"Business Website", true, budget{1500, 1500}},
		{"ENTERPRISE", true, budget{3000, 3000}},
		{"", false, budget{3000, 3000}},
		{"Platinum", false, budget{3000, 3000}},
	}
	for _, tt := range tests {
		p := New(Options{})
		got := p.UsePlan(tt.plan)
		if got != tt.want || p.kinds[urlKind].home != tt.urls {
			t.Errorf("UsePlan(%q) = %v, URL budget %v; want %v, %v", tt.plan, got, p.kinds[urlKind].home, tt.want, tt.urls)
		}
	}
}

// A known plan's burst goes at once, less the margin (50 ms of refill),
// then calls go at its refill rate: call i (from 0) of n tokens goes when
// (i+1)*n tokens are paid for. An unknown plan starts from Enterprise's.
func TestPlanBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan        string
		call        Call
		calls       int
		rate, start float64 // tokens per second; at the start: the burst less the margin
	}{
		{"pro", urls(30), 60, 1500, 1425},
		{"Pro Website", tags, 30, 5, 24.75},
		{"free", tags, 27, 5.0 / 60, 25 - 5.0/60/20},
		{"", urls(500), 8, 3000, 2850},
		{"enterprise", tags, 510, 50, 497.5},
		{"business", tags, 60, 10, 49.5},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				p := New(Options{Plan: tt.plan})
				n := float64(max(1, tt.call.URLs))
				for i := range tt.calls {
					mustWait(t, p, tt.call)(ok())
					want := time.Duration(max(0, (float64(i+1)*n-tt.start)/tt.rate) * float64(time.Second))
					if got := time.Since(start); got < want-time.Millisecond || got > want+time.Millisecond {
						t.Fatalf("call %d went at %v, want %v", i, got, want)
					}
				}
			})
		})
	}
}

// Lookups draw on the API-wide quota only, never on the purge budget.
func TestLookupsAreNotPacedByThePurgeBudget(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := New(Options{Plan: "free"})
		for range 30 {
			mustWait(t, p, tags)(ok())
		}
		before := time.Since(start)
		mustWait(t, p, Call{})(ok())
		if d := time.Since(start) - before; d != 0 {
			t.Errorf("a lookup waited %v behind the spent purge budget", d)
		}
	})
}

// The retry of a refused call goes when Retry-After says, whatever the
// model: the pacer's pause (Retry-After and a jitter) holds only the other
// calls of that kind, and its halved budget does not delay the retry.
func TestRetryGoesWhenRetryAfterSays(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "pro"})
		p.jitter = func() float64 { return 0.99 }
		for range 24 { // the burst, spent
			mustWait(t, p, tags)(ok())
		}
		mustWait(t, p, tags)(limited(2 * time.Second))
		refused := time.Now()
		time.Sleep(2 * time.Second) // the client waits Retry-After, exactly
		mustWait(t, p, tags)(ok())
		if d := time.Since(refused); d != 2*time.Second {
			t.Errorf("the retry went %v after the 429, want 2s", d)
		}
		// Another call waits for the pause: for a lone 429, Retry-After.
		mustWait(t, p, tags)(ok())
		if d := time.Since(refused); d != 2*time.Second {
			t.Errorf("the next call went %v after the 429, want the pause of 2s", d)
		}
	})
}

// Jobs refused together resume apart: when a wave is more than one 429
// (the account's bucket is empty, not a blip), each pacer draws its own
// jitter, a fraction of the Retry-After (here 1 s) added to it. A lone
// 429 is a moment's contention: the pause is the Retry-After.
func TestRestartIsJitteredPerProcess(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var resumed []time.Duration
		for _, j := range []float64{0, 0.3, 0.9} {
			p := New(Options{Plan: "pro"})
			p.jitter = func() float64 { return j }
			start := time.Now()
			a, b := mustWait(t, p, urls(30)), mustWait(t, p, urls(30))
			a(limited(time.Second))
			b(limited(time.Second))
			mustWait(t, p, urls(30))(ok()) // the credit: a's retry
			mustWait(t, p, urls(30))(ok())
			resumed = append(resumed, time.Since(start))
		}
		// After the pause the bucket refills at the halved rate: the same
		// for all three, after their jitter.
		offset := resumed[0] - time.Second
		for i := range resumed {
			resumed[i] -= offset
		}
		want := []time.Duration{time.Second, 1150 * time.Millisecond, 1450 * time.Millisecond}
		if diff := cmp.Diff(want, resumed); diff != "" {
			t.Errorf("restarts after the 429s (-want +got):\n%s", diff)
		}
		// A lone 429 without Retry-After: a second.
		p := New(Options{Plan: "pro"})
		start := time.Now()
		mustWait(t, p, tags)(Answer{Status: http.StatusTooManyRequests})
		mustWait(t, p, tags)(ok())
		if d := time.Since(start); d != time.Second {
			t.Errorf("restart after a lone 429 without Retry-After: %v, want 1s", d)
		}
	})
}

// A 429 halves the refused kind's budget once per wave (the answers to calls
// sent before the halving are the same wave), and leaves the other kind's.
// Successes climb back to the plan's budget.
func TestHalvingAndClimbingBack(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "pro"})
		p.jitter = func() float64 { return 0 }
		var wave []func(Answer)
		for range 4 {
			wave = append(wave, mustWait(t, p, urls(30)))
		}
		for _, done := range wave {
			done(limited(time.Second))
		}
		if got := p.kinds[urlKind].share; got != 0.5 {
			t.Errorf("after one wave of 4 429s the URL share is %v, want 0.5", got)
		}
		if got := p.kinds[flexKind].share; got != 1 {
			t.Errorf("a URL 429 changed the tag share to %v", got)
		}
		time.Sleep(time.Second)
		mustWait(t, p, urls(30))(limited(time.Second)) // a new wave
		if got := p.kinds[urlKind].share; got != 0.25 {
			t.Errorf("after a second wave the URL share is %v, want 0.25", got)
		}
		// 3/4 of the plan's budget to climb back, 2% of it (30 URLs of 1,500) per success.
		time.Sleep(time.Second)
		for range 38 {
			mustWait(t, p, urls(30))(ok())
		}
		if got := p.kinds[urlKind].share; got != 1 {
			t.Errorf("after 38 successes the URL share is %v, want 1", got)
		}
		if got, want := float64(p.kinds[urlKind].lim.Limit()), 1500.0; got != want {
			t.Errorf("URL rate %v, want the plan's %v", got, want)
		}
	})
}

// account is Cloudflare's side of a purge budget: a token bucket as the
// emulator keeps it, answering a refusal with Retry-After in whole seconds.
type account struct {
	mu                  sync.Mutex
	rate, burst, tokens float64
	last                time.Time
	refused             int
	wasted              float64 // refill beyond the burst: budget nobody used
}

func newAccount(b budget) *account {
	return &account{rate: b.rate, burst: b.burst, tokens: b.burst, last: time.Now()}
}

func (a *account) take(n float64) Answer {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	a.wasted += math.Max(0, a.tokens+a.rate*now.Sub(a.last).Seconds()-a.burst)
	a.tokens = math.Min(a.burst, a.tokens+a.rate*now.Sub(a.last).Seconds())
	a.last = now
	if a.tokens+1e-9 >= n {
		a.tokens = math.Max(0, a.tokens-n)
		return ok()
	}
	a.refused++
	secs := math.Max(1, math.Ceil((n-a.tokens)/a.rate-1e-9))
	return limited(time.Duration(secs) * time.Second)
}

// run is one job: requests calls of its kind, 16 at a time, with the
// client's retries (Retry-After exactly), against the shared account. It
// returns when the last was accepted.
func run(t *testing.T, p *Pacer, acct *account, c Call, requests int) time.Duration {
	const (
		workers = 16 // purge.DefaultConcurrency
		rtt     = 50 * time.Millisecond
	)
	start := time.Now()
	n := float64(max(1, c.URLs))
	send := func() {
		for range 10 {
			done := mustWait(t, p, c)
			time.Sleep(rtt / 2)
			a := acct.take(n)
			time.Sleep(rtt / 2)
			done(a)
			if a.Status == http.StatusOK {
				return
			}
			time.Sleep(a.RetryAfter)
		}
		t.Error("a call was refused 10 times")
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
	for range requests {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	return time.Since(start)
}

// One job on a plan it knows is never refused and runs at the budget.
func TestKnownPlanIsNeverRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan     string
		c        Call
		requests int
		maxTime  time.Duration
	}{
		{"pro", urls(30), 100, 1100 * time.Millisecond}, // 3,000 URLs: 1 s beyond the burst
		{"free", tags, 27, 24100 * time.Millisecond},    // 2 beyond the burst of 25: 24 s
		{"enterprise", urls(500), 60, 9100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				b := plans[tt.plan]
				acct := newAccount(b[flexKind])
				if tt.c.URLs > 0 {
					acct = newAccount(b[urlKind])
				}
				took := run(t, New(Options{Plan: tt.plan}), acct, tt.c, tt.requests)
				if acct.refused > 0 || took > tt.maxTime {
					t.Errorf("%d refused in %v, want none within %v", acct.refused, took, tt.maxTime)
				}
			})
		})
	}
}

// TestAIMDConverges: jobs sharing one account, none knowing of the others,
// converge on it: four jobs on one Pro account (a matrix of four jobs) are
// refused a handful of times and end near the floor of the four together;
// over a long run, 429s become rare and the account's budget stays used.
//
// Each case runs seven times and the medians are checked. One run is
// random (the jitter that spreads restarts, the order in which goroutines
// wake at the same instant), and its tail is long: in 300 runs of each case,
// 6% of the matrix runs had more than 25 refused (the worst 28, the median
// 14) and 1% of the ten jobs used less than 0.60 of the rate (the worst
// 0.45, the median 0.92). A property of the pacer is what most runs do; a
// bound on a single run would fail a test run in every few dozen.
func TestAIMDConverges(t *testing.T) {
	t.Parallel()
	const runs = 7
	tests := []struct {
		name         string
		jobs, calls  int // calls of 30 URLs per job
		maxRefused   int
		maxTime      time.Duration
		minUseOfRate float64 // of the account's rate, beyond its burst
	}{
		// 4,000 URLs: 1,500 at once, 2,500 at 1,500 per s: 1.72 s.
		{name: "matrix", jobs: 4, calls: 34, maxRefused: 25, maxTime: 2400 * time.Millisecond},
		// 36,000 URLs: floor 23 s.
		{name: "long", jobs: 4, calls: 300, maxRefused: 300, minUseOfRate: 0.6},
		{name: "ten jobs", jobs: 10, calls: 100, maxRefused: 500, minUseOfRate: 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var refused []int
			var took []time.Duration
			var use []float64
			total := float64(tt.jobs * tt.calls * 30)
			for range runs {
				synctest.Test(t, func(t *testing.T) {
					acct := newAccount(plans["pro"][urlKind])
					start := time.Now()
					var wg sync.WaitGroup
					for range tt.jobs {
						wg.Go(func() { run(t, New(Options{Plan: "pro"}), acct, urls(30), tt.calls) })
					}
					wg.Wait()
					refused = append(refused, acct.refused)
					took = append(took, time.Since(start))
					use = append(use, (total-1500)/1500/took[len(took)-1].Seconds())
				})
			}
			floor := time.Duration((total-1500)/1500*float64(time.Second)) + 50*time.Millisecond
			t.Logf("%d calls, floor %v; %d runs: refused %v, took %v, rate used %.2f", tt.jobs*tt.calls, floor, runs, refused, took, use)
			if m := median(refused); m > tt.maxRefused {
				t.Errorf("median refused %d, want at most %d", m, tt.maxRefused)
			}
			if m := median(took); tt.maxTime > 0 && m > tt.maxTime {
				t.Errorf("median time %v, want at most %v", m, tt.maxTime)
			}
			if m := median(use); m < tt.minUseOfRate {
				t.Errorf("median use of the account's rate %.2f, want at least %.2f", m, tt.minUseOfRate)
			}
		})
	}
}

// median of an odd number of values.
func median[T int | float64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// The API-wide quota: never more calls in flight than the last answer says
// remain; when it is spent, nothing goes until its reset (and a second, as t
// is in whole seconds).
func TestRemainingQuotaHoldsCalls(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := New(Options{Plan: "enterprise"})
		mustWait(t, p, Call{})(withRatelimit(ok(), 3, 10))
		b, c, d := mustWait(t, p, tags), mustWait(t, p, tags), mustWait(t, p, Call{})
		var went time.Duration
		waited := make(chan struct{})
		go func() {
			mustWait(t, p, tags)(ok())
			went = time.Since(start)
			close(waited)
		}()
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("a fourth call went with 3 remaining and 3 in flight")
		default:
		}
		b(withRatelimit(ok(), 2, 10))
		c(withRatelimit(ok(), 1, 10))
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("a call went while the last remaining one was in flight")
		default:
		}
		d(withRatelimit(ok(), 0, 10)) // spent: the reset is 10 s away
		<-waited
		if want := 11 * time.Second; went != want {
			t.Errorf("the call went at %v, want at the reset, %v", went, want)
		}
	})
}

// Answers come back out of order: an older one's larger remaining quota
// does not undo a newer one's smaller. The calls in flight count as not
// counted yet: b's answer leaves 2 - 1 (a in flight); once a's answer is
// in, 2 (a was counted before b, its 3 says).
func TestRemainingQuotaKeepsTheSmallest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		mustWait(t, p, Call{})(withRatelimit(ok(), 5, 10))
		a, b := mustWait(t, p, Call{}), mustWait(t, p, Call{})
		b(withRatelimit(ok(), 2, 10))
		if got := p.api.windows[0].left; got != 1 {
			t.Errorf("after b's answer: %d calls left, want 1", got)
		}
		a(withRatelimit(ok(), 3, 10))
		if got := p.api.windows[0].left; got != 2 {
			t.Errorf("after a's answer: %d calls left, want 2", got)
		}
	})
}

// Every item binds: the tightest one holds calls.
func TestTightestItemBinds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := New(Options{})
		a := ok()
		a.Header = http.Header{"Ratelimit": {`"default";r=1000;t=300, "burst";r=0;t=4`}}
		mustWait(t, p, Call{})(a)
		mustWait(t, p, Call{})(ok())
		if d := time.Since(start); d != 5*time.Second {
			t.Errorf("the call went at %v, want at the tight item's reset, 5s", d)
		}
	})
}

// Code 971 (the API-wide limit, spent: Cloudflare blocks the user) and a
// 429 whose Ratelimit says r=0 hold every call until the reset, exactly
// when Retry-After says (never longer), and do not touch the purge budget.
func TestAPILimitHoldsUntilReset(t *testing.T) {
	t.Parallel()
	block := Answer{Status: http.StatusTooManyRequests, Code: codeAPILimit, RetryAfter: 300 * time.Second}
	tests := []struct {
		name string
		a    Answer
		want time.Duration
	}{
		{"971 with Ratelimit", withRatelimit(block, 0, 300), 300 * time.Second},
		{"971, Retry-After only", block, 300 * time.Second},
		{"429 with r=0", withRatelimit(Answer{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, 0, 7), 7 * time.Second},
		{"429 with r=0, no Retry-After: t and its slack", withRatelimit(Answer{Status: http.StatusTooManyRequests}, 0, 7), 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				p := New(Options{Plan: "pro"})
				mustWait(t, p, tags)(tt.a)
				mustWait(t, p, Call{})(ok())
				if d := time.Since(start); d != tt.want {
					t.Errorf("the next call went at %v, want %v", d, tt.want)
				}
				if got := p.kinds[flexKind].share; got != 1 {
					t.Errorf("the purge budget was halved to %v", got)
				}
			})
		})
	}
}

// A wait that would pass the deadline fails at once, says how long it would
// have been, and holds no other call: the tokens it had reserved are back.
func TestWaitPastTheDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	t.Run("purge budget", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{Plan: "free"})
			for range 25 {
				mustWait(t, p, tags)(ok())
			}
			start := time.Now() // the 25th went after the margin, 50 ms
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := p.Wait(ctx, tags)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "wait 12s") || !strings.Contains(err.Error(), "5s away") {
				t.Errorf("Wait = %v, want a deadline error saying 12s and 5s", err)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("Wait failed after %v, want at once", d)
			}
			mustWait(t, p, tags)(ok())
			if d := time.Since(start); d != 12*time.Second {
				t.Errorf("the next call went at %v, want 12s after the 25th (the failed wait's turn given back)", d)
			}
		})
	})
	t.Run("API-wide block", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{})
			mustWait(t, p, tags)(withRatelimit(Answer{Status: http.StatusTooManyRequests, Code: codeAPILimit, RetryAfter: 300 * time.Second}, 0, 300))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			_, err := p.Wait(ctx, Call{})
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "API-wide limit asks to wait 5m0s") {
				t.Errorf("Wait = %v, want a deadline error naming the limit and 5m0s", err)
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("Wait failed after %v, want at once", d)
			}
		})
	})
}

func TestWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "free"})
		for range 25 {
			mustWait(t, p, tags)(ok())
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		if _, err := p.Wait(ctx, tags); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want the context's error", err)
		}
	})
}

// done is called exactly once; a second call is ignored rather than
// counting a slot twice.
func TestDoneTwiceCountsOnce(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	done := mustWait(t, p, Call{})
	done(ok())
	done(ok())
	if p.api.inflight != 0 {
		t.Errorf("%d calls in flight, want 0", p.api.inflight)
	}
}

// Calls sent together are answered together, successes first: the next
// call waits (up to settle) for the answers of the calls sent with the one
// answered, so that a 429 among them is seen before more of the burst goes.
func TestNewCallsWaitForTheirRoundsAnswers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "pro"})
		p.jitter = func() float64 { return 0 }
		a, b := mustWait(t, p, urls(30)), mustWait(t, p, urls(30))
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		a(ok())
		var went time.Duration
		waited := make(chan struct{})
		go func() {
			mustWait(t, p, urls(30))(ok())
			went = time.Since(start)
			close(waited)
		}()
		time.Sleep(time.Millisecond)
		b(limited(time.Second)) // b's 429 comes right behind a's success
		<-waited
		if want := time.Second + time.Millisecond; went != want {
			t.Errorf("the next call went %v after a's answer, want after the pause, %v", went, want)
		}
		// Without the 429 it would have gone once b answered, or settle after a's answer.
		c, d := mustWait(t, p, urls(30)), mustWait(t, p, urls(30))
		time.Sleep(50 * time.Millisecond)
		c(ok())
		start = time.Now()
		mustWait(t, p, urls(30))(ok())
		if got := time.Since(start); got != settle {
			t.Errorf("with d unanswered, the next call went %v after c's answer, want %v", got, settle)
		}
		d(ok())
	})
}

// Need counts the windows n calls take beyond what is left, and the purge
// budgets' refill beyond a full bucket.
func TestNeed(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := New(Options{Now: func() time.Time { return now }})
	tags := func(n int) []Call { return slices.Repeat([]Call{{Purge: true}}, n) }
	if d, what := p.Need(tags(500)); d != 0 || what != "" {
		t.Errorf("before any answer: Need(500 tag requests) = %v, %q; want 0 under the documented 1,200 and Enterprise's burst", d, what)
	}
	// Enterprise: 500 tag requests at once, then 50 a second.
	if d, what := p.Need(tags(600)); d != 2*time.Second || !strings.Contains(what, "500 at once, then 50 per second") {
		t.Errorf("Need(600 tag requests) = %v, %q; want 2s under the request budget", d, what)
	}
	// 3,000 URLs at once, then 3,000 a second.
	if d, what := p.Need(slices.Repeat([]Call{{Purge: true, URLs: 500}}, 18)); d != 2*time.Second || !strings.Contains(what, "URLs") {
		t.Errorf("Need(9,000 URLs) = %v, %q; want 2s under the URL budget", d, what)
	}
	p.UsePlan("free")
	if d, what := p.Need(tags(30)); d != time.Minute || !strings.Contains(what, "25 at once, then 5 per minute") {
		t.Errorf("Free: Need(30 tag requests) = %v, %q; want 1m0s, 5 per minute", d, what)
	}
	p.UsePlan("enterprise")
	done, err := p.Wait(context.Background(), Call{})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Ratelimit", `"default";r=50;t=30`)
	h.Set("Ratelimit-Policy", `"default";q=100;w=60`)
	done(Answer{Status: 200, Header: h})
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{50, 0}, {51, 31 * time.Second}, {150, 31 * time.Second}, {151, 91 * time.Second}} {
		d, what := p.Need(make([]Call, tt.n))
		// The reset is 30 s, plus the second the pacer keeps as slack.
		if d < tt.want-time.Second || d > tt.want || (d > 0 && !strings.Contains(what, `"default": 100 calls per 1m0s, 50 left now`)) {
			t.Errorf("Need(%d) = %v, %q; want about %v", tt.n, d, what, tt.want)
		}
	}
}

// Calls that took a turn of the purge budget and then park on the API-wide
// quota give their tokens back: else every call parked so goes at once when
// the window resets, a burst the budget has not got.
func TestCallsParkedOnTheQuotaGiveTheirTokensBack(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "pro"})
		for range 48 { // the burst, spent: each call now waits 20 ms for its tokens
			mustWait(t, p, urls(30))(ok())
		}
		mustWait(t, p, Call{})(withRatelimit(ok(), 3, 10)) // 3 calls left
		start := time.Now()
		var mu sync.Mutex
		var dones []func(Answer)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
		for range 6 {
			wg.Go(func() {
				if d, err := p.Wait(ctx, urls(30)); err == nil {
					mu.Lock()
					dones = append(dones, d)
					mu.Unlock()
				}
			})
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		p.mu.Lock()
		k := &p.kinds[urlKind]
		tokens, reserved := k.lim.TokensAt(p.now()), k.reserved
		p.mu.Unlock()
		mu.Lock()
		went := len(dones)
		mu.Unlock()
		// The three parked calls hold no tokens: the bucket has 150 URLs
		// (120 when they kept theirs; a reservation made after another is
		// not moved when that one is cancelled).
		if went != 3 || reserved != 0 || tokens < 149 {
			t.Errorf("after %v: %d calls went, %d still hold tokens, %.0f URLs in the bucket; want 3, 0 and 150", time.Since(start), went, reserved, tokens)
		}
		for _, d := range dones {
			d(withRatelimit(ok(), 0, 10))
		}
	})
}

// An answer of a new window (its reset a window later) stands alone: its
// count is not mixed with the old window's, which would hold the calls for
// a whole window with the few calls the old one had left. An answer of the
// window before (its reset long past the current one's) is old news.
func TestQuotaWindowsDoNotMix(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		policy := func(a Answer, r, t int) Answer {
			a.Header = http.Header{}
			a.Header.Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=%d`, r, t))
			a.Header.Set("Ratelimit-Policy", `"default";q=1200;w=300`)
			return a
		}
		mustWait(t, p, Call{})(policy(ok(), 5, 2)) // 5 left, the reset 2 s away
		old := mustWait(t, p, Call{})              // sent before it
		time.Sleep(1500 * time.Millisecond)
		// Sent before the reset as the pacer knows it (t plus a second),
		// counted in the new window by the server.
		mustWait(t, p, Call{})(policy(ok(), 1199, 300))
		w := p.api.windows[0]
		if w.left != 1199-1 || time.Until(w.reset) < 299*time.Second {
			t.Errorf("after the new window's first answer: %d left, reset in %v; want 1198 (one call in flight) and about 5 minutes", w.left, time.Until(w.reset))
		}
		old(policy(ok(), 4, 1)) // the old window's answer, late
		if w := p.api.windows[0]; w.left != 1199 || time.Until(w.reset) < 299*time.Second {
			t.Errorf("after the old window's late answer: %d left, reset in %v; want it ignored", w.left, time.Until(w.reset))
		}
	})
}
