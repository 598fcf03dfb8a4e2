// Package warm requests, after a purge, the pages the first visitors will ask for,
// through each environment's selector (as package verify sends requests), so that
// they find the new build in the cache of the data center that answers the runner
// (and the upper tier with Tiered Cache). A request that does not come back 2xx is
// a warning, never a failure of the run.
package warm

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// DefaultConcurrency is how many warm requests are in flight at once, over
// every environment: a few, so that warming never looks like an attack.
const DefaultConcurrency = 4

// Target is one environment to warm.
type Target struct {
	Name, Expression string
	URLs             []string
}

// Options tune Run.
type Options struct {
	Fetch       verify.Options
	Concurrency int // 0: DefaultConcurrency
}

// Run requests every target's URLs and returns one Warm per target, in order.
func Run(ctx context.Context, targets []Target, o Options) []*result.Warm {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	out := make([]*result.Warm, len(targets))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		w := &result.Warm{Status: result.WarmDone, Failures: []result.WarmFailure{}}
		out[i] = w
		if len(t.URLs) == 0 {
			w.Status, w.Reason = result.WarmSkipped, "no URL to request"
			continue
		}
		f, err := verify.NewFetcher("warm", t.Name, t.Expression, o.Fetch)
		if err != nil {
			w.Status, w.Reason = result.WarmNotWarmable, o.Fetch.SiteText(err.Error())
			continue
		}
		defer f.Close()
		w.Selector = f.SiteText(f.Selector())
		var mu sync.Mutex
		for _, u := range t.URLs {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				mu.Lock()
				fail(w, u, 0, "the run's deadline passed before it could be requested")
				mu.Unlock()
				continue
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				a := f.Get(ctx, u, 0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case a.Failure != "":
					fail(w, u, 0, f.SiteText(a.Failure))
				case a.Status >= 200 && a.Status < 300:
					w.Requested++
					w.WarmedCount++
				case a.Status >= 300 && a.Status < 400:
					fail(w, u, a.Status, f.SiteText("a redirect (to "+a.Header.Get("Location")+") is not followed; warm its destination"))
				default:
					fail(w, u, a.Status, fmt.Sprintf("the site answered %d %s", a.Status, http.StatusText(a.Status)))
				}
			}()
		}
	}
	wg.Wait()
	return out
}

// fail records a request that did not warm.
func fail(w *result.Warm, u string, status int, reason string) {
	w.Requested++
	w.FailedCount++
	if len(w.Failures) < result.MaxWarmFailures {
		w.Failures = append(w.Failures, result.WarmFailure{URL: u, HTTPStatus: status, Reason: reason})
	}
}
