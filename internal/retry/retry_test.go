package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	p := Default(5)
	tests := []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{0, 0, 0},
		{0, 0.5, 250 * time.Millisecond},
		{0, 0.999999, 499999500 * time.Nanosecond},
		{1, 0.5, 500 * time.Millisecond},
		{2, 0.5, time.Second},
		{5, 0.5, 8 * time.Second},  // 500ms * 32 = 16s
		{6, 0.5, 15 * time.Second}, // 32s: capped at 30s
		{29, 0.5, 15 * time.Second},
		{30, 0.5, 15 * time.Second},
		{63, 0.5, 15 * time.Second},
		{1000, 0.5, 15 * time.Second},
	}
	for _, tt := range tests {
		p.Jitter = func() float64 { return tt.jitter }
		if got := p.Backoff(tt.n); got != tt.want {
			t.Errorf("Backoff(%d) with jitter %v = %v, want %v", tt.n, tt.jitter, got, tt.want)
		}
	}
}

// Full jitter: every wait is in [0, min(cap, base*2^n)), whatever the
// policy's numbers, even where base*2^n overflows.
func TestBackoffNeverNegativeNorAboveCap(t *testing.T) {
	t.Parallel()
	for _, p := range []Policy{Default(5), {Base: time.Hour, Cap: 24 * time.Hour}, {Base: time.Nanosecond, Cap: time.Nanosecond}, {Base: 3 * time.Second, Cap: time.Second}} {
		for _, j := range []float64{0, 0.3, 0.999999999} {
			p.Jitter = func() float64 { return j }
			for n := range 70 {
				limit := p.Cap
				if n < 62 && p.Base<<n > 0 && p.Base<<n < p.Cap {
					limit = p.Base << n
				}
				if d := p.Backoff(n); d < 0 || d > limit || (d == limit && j < 1 && limit > 1) {
					t.Errorf("Backoff(%d) base %v cap %v jitter %v = %v, want in [0, %v)", n, p.Base, p.Cap, j, d, limit)
				}
			}
		}
	}
	// The default jitter, many times.
	p := Default(5)
	for n := range 10 {
		for range 200 {
			if d := p.Backoff(n); d < 0 || d >= min(p.Cap, p.Base<<n) {
				t.Fatalf("Backoff(%d) = %v", n, d)
			}
		}
	}
}

func TestWaitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	p := Default(5)
	p.Jitter = func() float64 { return 0.5 }
	if got := p.Wait(3, Verdict{Retry: true, After: 7 * time.Second}); got != 7*time.Second {
		t.Errorf("Wait with Retry-After 7s = %v", got)
	}
	// Retry-After above the backoff cap is still honoured: the server knows.
	if got := p.Wait(0, Verdict{Retry: true, After: time.Minute}); got != time.Minute {
		t.Errorf("Wait with Retry-After 1m = %v", got)
	}
	if got := p.Wait(3, Verdict{Retry: true}); got != 2*time.Second {
		t.Errorf("Wait without Retry-After = %v, want the backoff", got)
	}
	// "Retry-After: 0" asks for no wait at all, not the backoff.
	if got := p.Wait(3, Verdict{Retry: true, Asked: true}); got != 0 {
		t.Errorf("Wait with Retry-After 0 = %v, want 0", got)
	}
}

var errBoom = errors.New("boom")

func TestDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxRetries int
		verdicts   []Verdict // per attempt; the last repeats
		failures   int       // attempts that fail before one succeeds; -1 never succeeds
		sleepErrAt int       // the sleep (1-based) that reports the context ended; 0 never
		want       int
		wantErr    bool
		wantSleeps []time.Duration
	}{
		{name: "success at once", maxRetries: 5, verdicts: []Verdict{{}}, failures: 0, want: 1},
		{name: "retried then success", maxRetries: 5, verdicts: []Verdict{{Retry: true, After: time.Second}}, failures: 2, want: 3,
			wantSleeps: []time.Duration{time.Second, time.Second}},
		{name: "max-retries 2: exactly 3 attempts", maxRetries: 2, verdicts: []Verdict{{Retry: true, After: 2 * time.Second}}, failures: -1, want: 3, wantErr: true,
			wantSleeps: []time.Duration{2 * time.Second, 2 * time.Second}},
		{name: "max-retries 0: one attempt", maxRetries: 0, verdicts: []Verdict{{Retry: true}}, failures: -1, want: 1, wantErr: true},
		{name: "not retryable", maxRetries: 5, verdicts: []Verdict{{Retry: false}}, failures: -1, want: 1, wantErr: true},
		{name: "retryable, then not", maxRetries: 5, verdicts: []Verdict{{Retry: true, After: time.Second}, {Retry: false}}, failures: -1, want: 2, wantErr: true,
			wantSleeps: []time.Duration{time.Second}},
		{name: "context ends while waiting", maxRetries: 5, verdicts: []Verdict{{Retry: true, After: time.Second}}, failures: -1, sleepErrAt: 2, want: 2, wantErr: true,
			wantSleeps: []time.Duration{time.Second, time.Second}},
		{name: "backoff without Retry-After", maxRetries: 3, verdicts: []Verdict{{Retry: true}}, failures: -1, want: 4, wantErr: true,
			wantSleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Default(tt.maxRetries)
			p.Jitter = func() float64 { return 0.5 }
			var sleeps []time.Duration
			sleep := func(ctx context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				if len(sleeps) == tt.sleepErrAt {
					return context.DeadlineExceeded
				}
				return nil
			}
			calls := 0
			n, err := p.Do(context.Background(), sleep, func(ctx context.Context) (Verdict, error) {
				calls++
				v := tt.verdicts[min(calls, len(tt.verdicts))-1]
				if tt.failures >= 0 && calls > tt.failures {
					return Verdict{}, nil
				}
				return v, errBoom
			})
			if n != tt.want || calls != tt.want {
				t.Errorf("Do = %d attempts (%d calls), want %d", n, calls, tt.want)
			}
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errBoom)) {
				t.Errorf("Do error = %v, want the last attempt's error: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantSleeps, sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(context.Background(), -time.Second); err != nil {
		t.Errorf("Sleep(-1s) = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v", err)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on a cancelled context = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Sleep did not return when the context ended")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
}

// A wait longer than the deadline leaves is not slept: the attempt's error
// comes back at once, saying how long the wait would have been.
func TestDoDoesNotWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	boom := errors.New("429")
	slept := false
	n, err := Default(5).Do(ctx, func(context.Context, time.Duration) error { slept = true; return nil },
		func(context.Context) (Verdict, error) { return Verdict{Retry: true, After: time.Hour}, boom })
	var long *TooLongError
	if n != 1 || slept || !errors.As(err, &long) || long.Wait != time.Hour || !long.Asked || !errors.Is(err, boom) {
		t.Errorf("Do = %d, %v (slept %v); want 1 attempt, no sleep, a TooLongError of 1h asked, wrapping the attempt's error", n, err, slept)
	}
	if long != nil && (long.Left <= 0 || long.Left > time.Minute) {
		t.Errorf("Left = %v, want the minute's rest", long.Left)
	}

	// The backoff too: no wait is slept past the deadline, and it says it
	// was not asked for.
	p := Policy{MaxRetries: 5, Base: time.Hour, Cap: time.Hour, Jitter: func() float64 { return 0.5 }}
	n, err = p.Do(ctx, func(context.Context, time.Duration) error { slept = true; return nil },
		func(context.Context) (Verdict, error) { return Verdict{Retry: true}, boom })
	if n != 1 || slept || !errors.As(err, &long) || long.Wait != 30*time.Minute || long.Asked {
		t.Errorf("Do = %d, %v (slept %v); want a TooLongError of the 30m backoff, not asked", n, err, slept)
	}
}

// max-retries is the number of retries: never more attempts, whatever the
// verdicts say.
func TestMaxRetriesMeansWhatItSays(t *testing.T) {
	t.Parallel()
	for _, max := range []int{0, 1, 3, 10} {
		calls := 0
		n, _ := Default(max).Do(context.Background(), func(context.Context, time.Duration) error { return nil },
			func(context.Context) (Verdict, error) { calls++; return Verdict{Retry: true, Asked: true}, errBoom })
		if diff := cmp.Diff([]int{max + 1, max + 1}, []int{n, calls}); diff != "" {
			t.Errorf("max-retries %d: attempts (-want +got):\n%s", max, diff)
		}
	}
}

// A refusal for a budget shared with others (Contention) is retried while
// the deadline leaves time, whatever max-retries says, and does not spend
// the retries of the errors that do count: with max-retries 1, eight
// contention refusals, a 500 and a success are ten attempts.
func TestContentionIsRetriedWhileTimeRemains(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var waits []time.Duration
	sleep := func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	calls := 0
	n, err := Default(1).Do(ctx, sleep, func(context.Context) (Verdict, error) {
		calls++
		switch {
		case calls <= 8:
			return Verdict{Retry: true, Contention: true, After: time.Second, Asked: true}, errBoom
		case calls == 9:
			return Verdict{Retry: true, After: 2 * time.Second, Asked: true}, errBoom
		}
		return Verdict{}, nil
	})
	if err != nil || n != 10 {
		t.Errorf("Do = %d attempts, %v; want 10, nil", n, err)
	}
	if len(waits) != 9 || waits[8] != 2*time.Second {
		t.Errorf("waits %v, want nine, the Retry-After each", waits)
	}
	// A wait the deadline leaves no time for still fails at once.
	short, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	n, err = Default(1).Do(short, sleep, func(context.Context) (Verdict, error) {
		return Verdict{Retry: true, Contention: true, After: time.Second, Asked: true}, errBoom
	})
	var long *TooLongError
	if n != 1 || !errors.As(err, &long) {
		t.Errorf("with 0.5 s left and Retry-After 1 s: %d attempts, %v; want 1 and a TooLongError", n, err)
	}
}
