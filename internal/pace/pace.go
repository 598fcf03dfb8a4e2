// Package pace spaces purge requests to the account's rate limit, shared by
// every request of a run: when Cloudflare answers 429, every request waits.
package pace

import (
	"context"
	"sync"
	"time"
)

// Pacer is safe for concurrent use.
type Pacer struct {
	mu    sync.Mutex
	until time.Time // no request starts before this
}

// New returns a Pacer with no budget learned yet.
func New() *Pacer { return &Pacer{} }

// Wait blocks until a request carrying urls URLs (0 for tags, hosts,
// prefixes or everything) may be sent.
func (p *Pacer) Wait(ctx context.Context, urls int) error {
	for {
		p.mu.Lock()
		d := time.Until(p.until)
		p.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Throttled records a 429: no request starts for wait.
func (p *Pacer) Throttled(wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := time.Now().Add(wait); u.After(p.until) {
		p.until = u
	}
}
