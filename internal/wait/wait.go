// Package wait waits, before a purge, until the new build is what the origin
// serves: it requests each wait URL through each environment's selector (as
// package verify sends requests) until every one serves the expectation, with
// backoff and jitter, within the wait's limit and the run's deadline. A purge sent
// before that would only let the old build be cached again.
//
// Default wait URLs carry a query parameter of the action's own, new on each
// request, so that Cloudflare has no copy under that cache key and asks the origin.
// A HIT on such a request means the zone's cache key ignores the query string: the
// wait could never see the origin, so it stops at once and says so.
package wait

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// Defaults of Options.
const (
	DefaultConcurrency   = 4
	DefaultFirstInterval = time.Second
	DefaultMaxInterval   = 10 * time.Second
	DefaultProgressEvery = 10 * time.Second
)

// Target is one environment to wait through.
type Target struct {
	Name, Expression string
	URLs             []string
	// Bust: the URLs are the default ones; each request adds
	// verify.CacheBustParam with a new value.
	Bust bool
}

// Progress is a snapshot of a wait, for progress lines.
type Progress struct {
	Ready, Total int
	Elapsed      time.Duration
}

// Options tune Run.
type Options struct {
	Fetch       verify.Options // where and how requests go (edge URL, dialer, TLS, timeout)
	Expect      verify.Expectation
	For         time.Duration // the wait's limit
	Concurrency int           // requests in flight (0: DefaultConcurrency)
	// FirstInterval is the pause after the first round of requests; each next
	// one is half as long again, up to MaxInterval, with ±25% jitter.
	FirstInterval, MaxInterval time.Duration
	ProgressEvery              time.Duration
	Progress                   func(Progress)
	Now                        func() time.Time
	Sleep                      func(ctx context.Context, d time.Duration) error
}

func (o *Options) fill() {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.FirstInterval <= 0 {
		o.FirstInterval = DefaultFirstInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = DefaultProgressEvery
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = retry.Sleep
	}
}

// entry is one URL through one environment.
type entry struct {
	check *result.WaitCheck
	f     *verify.Fetcher
	bust  bool
}

// Run waits until every target's URLs serve o.Expect, or the wait ends. Its
// Status says which; nothing is purged unless it is result.WaitStatusReady.
func Run(ctx context.Context, targets []Target, o Options) *result.Wait {
	o.fill()
	start := o.Now()
	w := &result.Wait{Expect: o.Expect.String(), LimitMS: o.For.Milliseconds(), URLs: []result.WaitCheck{}}
	defer func() {
		w.DurationMS = o.Now().Sub(start).Milliseconds()
		// What the sites sent enters the result as verification's does.
		for i := range w.URLs {
			w.URLs[i] = o.Fetch.BoundWait(w.URLs[i])
		}
	}()

	var entries []entry
	for _, t := range targets {
		f, err := verify.NewFetcher("wait", t.Name, t.Expression, o.Fetch)
		for _, u := range t.URLs {
			c := result.WaitCheck{Environment: t.Name, URL: u, State: result.WaitNotReady}
			if err != nil {
				c.State, c.Reason = result.WaitNotWaitable, err.Error()
			} else if why := f.Unreachable(u); why != "" {
				// No request through this environment reaches it: polling
				// it would only fail the wait.
				c.State, c.Reason = result.WaitNotWaitable, why
			}
			w.URLs = append(w.URLs, c)
		}
		if err != nil {
			continue
		}
		defer f.Close()
		for _, c := range w.URLs[len(w.URLs)-len(t.URLs):] {
			if c.State != result.WaitNotWaitable {
				entries = append(entries, entry{f: f, bust: t.Bust})
			}
		}
	}
	k := 0
	for i := range w.URLs {
		if w.URLs[i].State == result.WaitNotWaitable {
			continue
		}
		entries[k].check = &w.URLs[i]
		k++
	}

	// The wait ends at end by its clock (o.Now), or with the run (ctx); wctx
	// bounds the requests in real time too.
	end := start.Add(o.For)
	wctx, cancel := context.WithTimeout(ctx, o.For)
	defer cancel()
	interval := o.FirstInterval
	lastProgress := time.Duration(-1)
	final := false
	for {
		ignored := poll(wctx, entries, &o, start)
		w.Requests = 0
		ready := 0
		for _, e := range entries {
			w.Requests += e.check.Attempts
			if e.check.State == result.WaitReady {
				ready++
			}
		}
		elapsed := o.Now().Sub(start)
		if lastProgress < 0 || elapsed-lastProgress >= o.ProgressEvery || ready == len(entries) {
			lastProgress = elapsed
			o.Progress(Progress{Ready: ready, Total: len(entries), Elapsed: elapsed})
		}
		switch {
		case ignored != nil:
			w.Status = result.WaitStatusQueryIgnored
			w.Reason = "a request for " + ignored.URL + " with a query parameter of its own (" + verify.CacheBustParam + ") was a HIT through " + ignored.Environment +
				": the zone's cache key ignores the query string, so the wait cannot reach the origin through the edge. Give wait-urls: a version endpoint or the origin's own address, which Cloudflare does not cache"
			return w
		case ready == len(entries):
			w.Status = result.WaitStatusReady
			return w
		case errors.Is(ctx.Err(), context.Canceled):
			w.Status, w.Reason = result.WaitStatusStopped, "the run was cancelled while waiting"
			return w
		case final || ctx.Err() != nil || wctx.Err() != nil || !o.Now().Before(end):
			w.Status, w.Reason = result.WaitStatusTimedOut, timedOut(ctx, o.For)
			return w
		}
		d := jitter(interval)
		interval = min(o.MaxInterval, interval*3/2)
		left := end.Sub(o.Now())
		if dl, ok := ctx.Deadline(); ok {
			left = min(left, time.Until(dl))
		}
		if d >= left*3/4 {
			// One last round shortly before the end, not at it: its
			// requests need time to come back.
			d, final = left*3/4, true
		}
		if err := o.Sleep(ctx, d); err != nil && !errors.Is(ctx.Err(), context.Canceled) {
			final = true
		}
	}
}

func timedOut(ctx context.Context, limit time.Duration) string {
	if ctx.Err() != nil {
		return "the run's timeout ended the wait before every URL served the new build"
	}
	return "the wait (" + limit.String() + ") ended before every URL served the new build"
}

// jitter is d within ±25%.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// poll requests every entry not yet ready, a few at a time, and records what
// each served. It returns a check whose cache-busting request was a HIT.
func poll(ctx context.Context, entries []entry, o *Options, start time.Time) *result.WaitCheck {
	sem := make(chan struct{}, o.Concurrency)
	var mu sync.Mutex
	var ignored *result.WaitCheck
	var wg sync.WaitGroup
	for _, e := range entries {
		if e.check.State == result.WaitReady {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ignored
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			u := e.check.URL
			if e.bust {
				u = verify.CacheBust(u)
			}
			a := e.f.Get(ctx, u, o.Expect.BodyLimit())
			c := e.check
			c.Attempts++
			if a.Failure != "" {
				if ctx.Err() == nil || c.Reason == "" {
					c.Reason = a.Failure
				}
				return
			}
			ok, seen := o.Expect.Check(a.Header, a.Body)
			c.HTTPStatus, c.CacheStatus, c.Seen, c.Reason = a.Status, a.CacheStatus(), seen, ""
			if e.bust && c.CacheStatus == "HIT" {
				mu.Lock()
				if ignored == nil {
					ignored = c
				}
				mu.Unlock()
				return
			}
			if ok && a.Status < 300 {
				c.State, c.AfterMS = result.WaitReady, o.Now().Sub(start).Milliseconds()
			}
		}()
	}
	wg.Wait()
	return ignored
}
