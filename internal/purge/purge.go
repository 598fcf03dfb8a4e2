// Package purge sends a plan's batches, a bounded number at a time, and
// records every batch as purged or failed: nothing is lost when some fail.
package purge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// API sends one purge or invalidation request (with its retries) and
// returns its id, the number of attempts and when the first left (zero
// when none did), failed or not.
type API interface {
	Purge(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, sentAt time.Time, err error)
	Invalidate(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, sentAt time.Time, err error)
}

// Options tunes a run.
type Options struct {
	// Concurrency bounds the requests in flight; the pacer bounds their rate
	// and, while the account's budget is shared, their number (its part).
	Concurrency int
	// Progress, if set, is called after every finished request.
	Progress func(result.Progress)
	// Invalidate sends every batch to the invalidate_cache endpoints: the
	// content is marked stale, not deleted.
	Invalidate bool
}

// DefaultConcurrency keeps enough requests in flight to hide round trips
// without opening a flood of connections: the most, for a job alone on its
// account; the pacer lets fewer go while the budget is shared.
const DefaultConcurrency = 16

// Zone is one zone's share of the plan: the batches that each of its
// environments gets.
type Zone struct {
	ID      string
	Batches []plan.Batch
}

// Run sends every batch of each zone to every environment of that zone in
// envs, which lays them out as planned (result.Layout), and records each
// batch's outcome in place: envs[i].Batches[j] is
// zones[envs[i].Zone].Batches[j] sent to envs[i] (its Ref; "" for the
// zone endpoint), whatever order the requests finished in. Each
// environment's FirstSentAt is when its first request left. The zones'
// requests share the concurrency bound, as they share the pacer.
func Run(ctx context.Context, api API, zones []Zone, envs []result.Environment, o Options) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	total, totalItems := 0, 0
	for _, e := range envs {
		for _, b := range zones[e.Zone].Batches {
			total++
			totalItems += b.Count()
		}
	}

	start := time.Now()
	var done, items, failed, failedItems atomic.Int64
	var mu sync.Mutex // serialises Progress calls and FirstSentAt
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for ti := range envs {
		ref, zoneID := envs[ti].Ref, zones[envs[ti].Zone].ID
		for bi, b := range zones[envs[ti].Zone].Batches {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				out := &envs[ti].Batches[bi]
				id, attempts, sentAt, err := send(ctx, api, o.Invalidate, zoneID, ref, b)
				out.Attempts = attempts
				if !sentAt.IsZero() {
					mu.Lock()
					if first := &envs[ti].FirstSentAt; first.IsZero() || sentAt.Before(*first) {
						*first = sentAt
					}
					mu.Unlock()
				}
				if err != nil {
					out.Status = result.Failed
					out.Error = batchError(ctx, err, attempts, o.Invalidate)
					failed.Add(1)
					failedItems.Add(int64(b.Count()))
				} else {
					out.Status = result.Purged
					out.ID = id
					items.Add(int64(b.Count()))
				}
				d := done.Add(1)
				if o.Progress != nil {
					mu.Lock()
					o.Progress(result.Progress{Done: int(d), Total: total, Failed: int(failed.Load()),
						Items: int(items.Load()), FailedItems: int(failedItems.Load()), TotalItems: totalItems, Elapsed: time.Since(start)})
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
}

// send is api.Purge or api.Invalidate, with a panic turned into the
// batch's failure: a bug in one request must not lose the other batches'
// outcomes.
func send(ctx context.Context, api API, invalidate bool, zoneID, ref string, b plan.Batch) (id string, attempts int, sentAt time.Time, err error) {
	defer func() {
		if p := recover(); p != nil {
			id, err = "", fmt.Errorf("internal error (please report it): %v", p)
		}
	}()
	if invalidate {
		return api.Invalidate(ctx, zoneID, ref, b)
	}
	return api.Purge(ctx, zoneID, ref, b)
}

// batchError is a failed batch's error. attempts is how many of its
// requests reached the network: a hint must not blame pacing for a
// server that did not answer.
func batchError(ctx context.Context, err error, attempts int, invalidate bool) *result.Error {
	not := "not purged"
	if invalidate {
		not = "not invalidated"
	}
	e := result.NewError(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		// Not a failed call: the run ended. Say so, without "purge failed".
		e.Step, e.HTTPStatus = "", 0
		e.Message = not + ": the run's timeout ran out before Cloudflare confirmed this batch"
		if attempts > 0 {
			e.Hint = "Raise timeout, or check api-url: the request was sent and no answer came before the run's timeout."
		} else {
			e.Hint = "Raise timeout: the run's timeout ran out before this batch was sent (it waited for its turn, under the account's rate limits or behind the requests before it)."
		}
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		// Also when the cancel came while the batch waited to retry: the
		// last answer was not the last word, the cancel was.
		e = &result.Error{Kind: result.ErrorAPI, Message: not + ": the run was cancelled before Cloudflare confirmed this batch"}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The deadline came while waiting to retry: the last error stands,
		// but it was not the last word.
		e.Message += " (then the run's timeout ran out before another attempt)"
	}
	return e
}
