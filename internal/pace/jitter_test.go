package pace

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// A 429 with Retry-After 8 s, 10 s left before the deadline: Cloudflare's
// wait fits, so the other calls of the kind do not fail at once because the
// pacer's own jitter (up to half the Retry-After more) would not fit: near
// the deadline the jitter gives way.
func TestJitterGivesWayToTheDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{Plan: "enterprise"})
		p.jitter = func() float64 { return 0.99 }
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d1, _ := p.Wait(ctx, tags)
		d2, _ := p.Wait(ctx, tags) // sent with it, before the 429 came
		d1(limited(8 * time.Second))
		d2(ok())
		if _, err := p.Wait(ctx, tags); err != nil {
			t.Errorf("another tag call after a Retry-After of 8 s with 10 s left: %v", err)
		}
	})
}
