// Package retry is the run's one retry policy: how many attempts a request
// gets and how long to wait between them. The SDK's own retries are off.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy decides the waits between attempts.
type Policy struct {
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// Base and Cap bound the exponential backoff: attempt n waits a random
	// time in [0, min(Cap, Base*2^n)) ("full jitter").
	Base, Cap time.Duration
	// Jitter returns a number in [0, 1); nil uses math/rand.
	Jitter func() float64
}

// Default is the policy of a run, with its max-retries.
func Default(maxRetries int) Policy {
	return Policy{MaxRetries: maxRetries, Base: 500 * time.Millisecond, Cap: 30 * time.Second}
}

// Verdict is what one attempt tells the policy.
type Verdict struct {
	// Retry is true for errors worth another attempt: 408, 429, 5xx, a
	// network failure, an answer that is not the API's JSON.
	Retry bool
	// After is the server's Retry-After; Asked says it sent one, so that
	// "Retry-After: 0" means at once rather than "use the backoff".
	After time.Duration
	Asked bool
	// Contention marks a refusal for a budget shared with others (the
	// account's purge budget): it is retried while the deadline leaves
	// time, and does not count against MaxRetries, so that jobs sharing an
	// account lose nothing to one another.
	Contention bool
}

// Backoff is the wait before retry number n (0-based) when the server did
// not say how long to wait.
func (p Policy) Backoff(n int) time.Duration {
	d := p.Cap
	if n < 63 && p.Base <= p.Cap>>n { // Base<<n <= Cap, without overflowing
		d = p.Base << n
	}
	j := p.Jitter
	if j == nil {
		j = rand.Float64
	}
	return time.Duration(j() * float64(d))
}

// Wait is the wait before retry n given the attempt's verdict: exactly
// what the server asked for, else the backoff.
func (p Policy) Wait(n int, v Verdict) time.Duration {
	if v.Asked || v.After > 0 {
		return max(v.After, 0)
	}
	return p.Backoff(n)
}

// Do calls attempt until it succeeds, fails for good, the retries are spent
// or ctx ends; a refusal marked Contention is retried until the deadline
// leaves no time for its wait, and spends no retry. It returns the number
// of attempts made and the last error.
// The wait before each retry goes through sleep, so that callers can share
// a pause among concurrent requests (and tests need no real time).
func (p Policy) Do(ctx context.Context, sleep func(context.Context, time.Duration) error, attempt func(ctx context.Context) (Verdict, error)) (int, error) {
	retries, contended := 0, 0 // retries counted against MaxRetries; and not
	for made := 1; ; made++ {
		v, err := attempt(ctx)
		if err == nil || !v.Retry || (!v.Contention && retries >= p.MaxRetries) {
			return made, err
		}
		var wait time.Duration
		if v.Contention {
			wait = p.Wait(contended, v)
			contended++
		} else {
			wait = p.Wait(retries, v)
			retries++
		}
		if deadline, ok := ctx.Deadline(); ok {
			if left := time.Until(deadline); left < wait {
				// The run would end while waiting: fail now, with the answer
				// that asked for the wait, rather than at the deadline.
				return made, &TooLongError{Wait: wait, Left: max(left, 0), Asked: v.Asked || v.After > 0, Err: err}
			}
		} else if v.Contention && contended > maxContended {
			// No deadline to bound them: a bound of its own.
			return made, err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return made, err
		}
	}
}

// TooLongError is an attempt's error when the wait before the next attempt
// would outlast the context's deadline, so no retry was made.
type TooLongError struct {
	Wait  time.Duration // the wait before the next attempt
	Left  time.Duration // what the deadline left when it was due
	Asked bool          // the server asked for Wait (Retry-After); false: the backoff
	Err   error
}

func (e *TooLongError) Error() string { return e.Err.Error() }
func (e *TooLongError) Unwrap() error { return e.Err }

// maxContended bounds the contention retries of a call without a deadline
// (a run always has one: its timeout).
const maxContended = 100

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
