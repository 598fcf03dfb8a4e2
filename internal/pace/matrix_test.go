package pace

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// matrixJob is one job of a matrix in the simulation: what the program does
// for 600 URLs and 60 tags on a zone given by ID. Two lookups one after the
// other (the zone's read, the environments), then its purges, at most 16 at
// a time, each retried as the client does: after a budget 429 it waits
// Retry-After, and contention never fails an item while time remains.
type matrixJob struct {
	p        *Pacer
	acct     *account // URLs
	flexAcct *account // tag requests
	urlCalls int      // of 30 URLs
	tagCalls int
	lookups  int // 0: two (the zone's read, the environments)
	api      *apiCount
	refused  *int
	mu       *sync.Mutex
}

// apiCount is the API-wide limit as Cloudflare counts it: every call of
// every job sharing the token, announced in each answer's Ratelimit; past
// the quota, a 971 and a block (the emulator's fixed window, which starts
// with the first call after the last one ended).
type apiCount struct {
	mu            sync.Mutex
	quota         int
	window, block time.Duration
	start         time.Time
	used          int
	blocked       time.Time
	refused       int // 971s
}

func newAPICount(quota int, window time.Duration) *apiCount {
	return &apiCount{quota: quota, window: window, block: 5 * time.Minute}
}

func (c *apiCount) count(a Answer) Answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Before(c.blocked) {
		c.refused++
		return Answer{Status: http.StatusTooManyRequests, Code: codeAPILimit, RetryAfter: c.blocked.Sub(now)}
	}
	if c.start.IsZero() || now.Sub(c.start) >= c.window {
		c.start, c.used = now, 0
	}
	c.used++
	if c.used > c.quota {
		c.refused++
		c.blocked = now.Add(c.block)
		return Answer{Status: http.StatusTooManyRequests, Code: codeAPILimit, RetryAfter: c.block}
	}
	a.Header = http.Header{}
	reset := int((c.start.Add(c.window).Sub(now) + time.Second - 1) / time.Second)
	a.Header.Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=%d`, c.quota-c.used, reset))
	a.Header.Set("Ratelimit-Policy", fmt.Sprintf(`"default";q=%d;w=%d`, c.quota, int(c.window/time.Second)))
	return a
}

const simRTT = 50 * time.Millisecond

func (j matrixJob) run(t *testing.T, ctx context.Context) {
	lookups := j.lookups
	if lookups == 0 {
		lookups = 2
	}
	for range lookups {
		done := mustWait(t, j.p, Call{})
		time.Sleep(simRTT / 2)
		a := j.api.count(ok())
		time.Sleep(simRTT / 2)
		done(a)
	}
	calls := make(chan Call)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for c := range calls {
				j.send(t, ctx, c)
			}
		})
	}
	for range j.tagCalls {
		calls <- tags
	}
	for range j.urlCalls {
		calls <- urls(30)
	}
	close(calls)
	wg.Wait()
}

func (j matrixJob) send(t *testing.T, ctx context.Context, c Call) {
	acct, n := j.flexAcct, 1.0
	if c.URLs > 0 {
		acct, n = j.acct, float64(c.URLs)
	}
	for {
		done, err := j.p.Wait(ctx, c)
		if err != nil {
			t.Errorf("a call was lost: %v", err)
			return
		}
		time.Sleep(simRTT / 2)
		a := j.api.count(acct.take(n))
		time.Sleep(simRTT / 2)
		done(a)
		if a.Status == http.StatusOK {
			return
		}
		if a.Code == codeAPILimit {
			t.Errorf("a 971: the API-wide limit was tripped")
			return
		}
		j.mu.Lock()
		*j.refused++
		j.mu.Unlock()
		time.Sleep(a.RetryAfter)
	}
}

// simMatrix runs jobs together on one Pro account and returns the 429s
// and the slowest job's time over the floor: the lookups, the account's
// drain of every job's URLs beyond its burst, the last round trip.
func simMatrix(t *testing.T, jobs int) (refused int, xFloor float64) {
	const urlCalls, tagCalls = 20, 1
	synctest.Test(t, func(t *testing.T) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		home := plans["pro"]
		acct, flex := newAccount(home[urlKind]), newAccount(home[flexKind])
		var mu sync.Mutex
		api := newAPICount(1200, 5*time.Minute)
		start := time.Now()
		var slowest time.Duration
		var wg sync.WaitGroup
		for range jobs {
			wg.Go(func() {
				pc := New(Options{Plan: "pro"})
				j := matrixJob{p: pc, acct: acct, flexAcct: flex, urlCalls: urlCalls, tagCalls: tagCalls, api: api, refused: &refused, mu: &mu}
				j.run(t, ctx)
				mu.Lock()
				slowest = max(slowest, time.Since(start))
				mu.Unlock()
			})
		}
		wg.Wait()
		total := float64(jobs * urlCalls * 30)
		drain := max(0, (total-home[urlKind].burst)/home[urlKind].rate)
		floor := 3*simRTT + time.Duration(drain*float64(time.Second))
		xFloor = slowest.Seconds() / floor.Seconds()
	})
	return refused, xFloor
}

// TestMatrixConverges: 4, 10 and 20 jobs of 600 URLs and 60 tags each on
// one Pro account, none knowing of the others, lose nothing, are refused at
// most a quarter of the requests they need, and the slowest ends near the
// floor of all of them together: medians of several runs (the jitter and
// the order goroutines wake in make each run differ).
func TestMatrixConverges(t *testing.T) {
	t.Parallel()
	const runs = 7
	tests := []struct {
		jobs       int
		maxXFloor  float64
		maxRefused float64 // of the requests needed
	}{
		// Four jobs' floor is short (0.75 s): one 429's Retry-After of a
		// second costs more than the budget's whole wait, so a run without
		// one and a run with one differ by more than half.
		{4, 1.8, 0.25},
		{10, 1.4, 0.25},
		{20, 1.3, 0.25},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-jobs", tt.jobs), func(t *testing.T) {
			t.Parallel()
			var refused, xs []float64
			needed := float64(tt.jobs * 21)
			for range runs {
				r, x := simMatrix(t, tt.jobs)
				refused = append(refused, float64(r)/needed)
				xs = append(xs, x)
			}
			t.Logf("%d jobs, %d runs: 429s per request needed %.2f, slowest job x floor %.2f", tt.jobs, runs, refused, xs)
			if m := median(refused); m > tt.maxRefused {
				t.Errorf("median 429s per request needed %.2f, want at most %.2f", m, tt.maxRefused)
			}
			if m := median(xs); m > tt.maxXFloor {
				t.Errorf("median slowest job %.2f x the floor, want at most %.2f", m, tt.maxXFloor)
			}
		})
	}
}

// TestAPIWindowBoundary: the API-wide limit scaled down to 40 calls per
// 10 s. One job of 10,000 URLs (334 calls, Enterprise: the purge budget
// never binds) ends within 1.2 times its floor, the start of the window its
// last calls need, and draws no 971; four jobs sharing the quota draw none
// either, and lose nothing.
func TestAPIWindowBoundary(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, jobs, calls int) (took time.Duration, refused int) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			home := plans["enterprise"]
			acct, flex := newAccount(home[urlKind]), newAccount(home[flexKind])
			api := newAPICount(40, 10*time.Second)
			var mu sync.Mutex
			var n429 int
			start := time.Now()
			var wg sync.WaitGroup
			for range jobs {
				wg.Go(func() {
					j := matrixJob{p: New(Options{Plan: "enterprise"}), acct: acct, flexAcct: flex, urlCalls: calls, api: api, refused: &n429, mu: &mu, lookups: 1}
					j.run(t, ctx)
				})
			}
			wg.Wait()
			took, refused = time.Since(start), api.refused
		})
		return took, refused
	}
	t.Run("one job", func(t *testing.T) {
		t.Parallel()
		took, refused := run(t, 1, 334)
		// 335 calls: eight full windows, the ninth starts at 80 s.
		floor := 80*time.Second + simRTT
		if refused > 0 || took.Seconds() > 1.2*floor.Seconds() {
			t.Errorf("took %v (%.2f x the floor %v), %d refused with 971; want at most 1.2 x, none", took, took.Seconds()/floor.Seconds(), floor, refused)
		}
	})
	t.Run("four jobs", func(t *testing.T) {
		t.Parallel()
		took, refused := run(t, 4, 60)
		if refused > 0 {
			t.Errorf("%d refused with 971 (took %v); want none", refused, took)
		}
		t.Logf("244 calls in %v", took)
	})
}

// One job alone on Enterprise, 300 tag requests, 16 at a time; the 150th
// is refused once (Retry-After: 1), as another tool of the account might
// cause. It costs the second asked and little more: a moment's contention,
// not a smaller plan, and the job's own calls across the pause are not
// taken for others' (the crowd's part stays whole).
func TestOne429CostsItsSecond(t *testing.T) {
	t.Parallel()
	run := func(fault bool) (took time.Duration) {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{Plan: "enterprise"})
			api := newAPICount(1200, 5*time.Minute)
			acct := newAccount(plans["enterprise"][flexKind])
			var mu sync.Mutex
			sent := 0
			start := time.Now()
			done := mustWait(t, p, Call{})
			time.Sleep(simRTT)
			done(api.count(ok()))
			calls := make(chan struct{})
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					for range calls {
						for {
							done := mustWait(t, p, tags)
							time.Sleep(simRTT / 2)
							mu.Lock()
							sent++
							refuse := fault && sent == 150
							mu.Unlock()
							a := limited(time.Second)
							if !refuse {
								a = acct.take(1)
							}
							a = api.count(a)
							time.Sleep(simRTT / 2)
							done(a)
							if a.Status == http.StatusOK {
								break
							}
							time.Sleep(a.RetryAfter)
						}
					}
				})
			}
			for range 300 {
				calls <- struct{}{}
			}
			close(calls)
			wg.Wait()
			took = time.Since(start)
		})
		return took
	}
	without, with := run(false), run(true)
	floor := without + time.Second
	if x := with.Seconds() / floor.Seconds(); x > 1.3 {
		t.Errorf("with one 429: %v, %.2f x the floor (%v without it, plus the second asked); want at most 1.3 x", with, x, without)
	}
}
