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

// API sends one purge request (with its retries) and returns the purge id
// and the number of attempts.
type API interface {
	Purge(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, err error)
}

// Progress is a snapshot for progress lines.
type Progress struct {
	Done, Total       int // requests
	Items, TotalItems int
	Failed            int // requests failed for good
	Elapsed           time.Duration
}

// Options tunes a run.
type Options struct {
	// Concurrency bounds the requests in flight; the pacer bounds their rate.
	Concurrency int
	// Progress, if set, is called after every finished request.
	Progress func(Progress)
}

// DefaultConcurrency keeps enough requests in flight to hide round trips
// without opening a flood of connections.
const DefaultConcurrency = 16

// Run sends every batch to every target and returns one result per target,
// in plan order whatever order the requests finished in.
func Run(ctx context.Context, p plan.Plan, api API, o Options) []result.Environment {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	envs := Planned(p)
	total, totalItems := p.Requests(), 0
	for _, b := range p.Batches {
		totalItems += b.Count()
	}
	totalItems *= len(p.Targets)

	start := time.Now()
	var done, items, failed atomic.Int64
	var mu sync.Mutex // serialises Progress calls
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for ti, t := range p.Targets {
		for bi, b := range p.Batches {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				out := &envs[ti].Batches[bi]
				id, attempts, err := send(ctx, api, p.ZoneID, t.Ref, b)
				out.Attempts = attempts
				if err != nil {
					out.Status = result.Failed
					out.Error = batchError(ctx, err)
					out.Items = b.Values()
					failed.Add(1)
				} else {
					out.Status = result.Purged
					out.ID = id
				}
				d := done.Add(1)
				it := items.Add(int64(b.Count()))
				if o.Progress != nil {
					mu.Lock()
					o.Progress(Progress{Done: int(d), Total: total, Items: int(it), TotalItems: totalItems, Failed: int(failed.Load()), Elapsed: time.Since(start)})
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	return envs
}

// send is api.Purge, with a panic turned into the batch's failure: a bug
// in one request must not lose the other batches' outcomes.
func send(ctx context.Context, api API, zoneID, ref string, b plan.Batch) (id string, attempts int, err error) {
	defer func() {
		if p := recover(); p != nil {
			id, err = "", fmt.Errorf("internal error (please report it): %v", p)
		}
	}()
	return api.Purge(ctx, zoneID, ref, b)
}

// Planned lays out the plan as results with every batch planned: the dry
// run's answer, and the starting point of a real run.
func Planned(p plan.Plan) []result.Environment {
	envs := make([]result.Environment, len(p.Targets))
	for i, t := range p.Targets {
		e := result.Environment{Name: t.Name, Ref: t.Ref, Endpoint: result.EndpointEnvironment}
		if t.IsZone() {
			e.Endpoint = result.EndpointZone
		}
		e.Batches = make([]result.Batch, len(p.Batches))
		for j, b := range p.Batches {
			e.Batches[j] = result.Batch{Kind: string(b.Kind), Count: b.Count(), Status: result.Planned}
		}
		envs[i] = e
	}
	return envs
}

// Fail marks every batch not purged as failed with err: what a run that
// stopped before its purges (a failed lookup) reports for its items.
func Fail(envs []result.Environment, p plan.Plan, err *result.Error) {
	for i := range envs {
		for j := range envs[i].Batches {
			b := &envs[i].Batches[j]
			if b.Status != result.Purged {
				b.Status, b.Error, b.Items = result.Failed, err, p.Batches[j].Values()
			}
		}
	}
}

func batchError(ctx context.Context, err error) *result.Error {
	e := result.NewError(err)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		// Not a failed call: the run ended. Say so, without "purge failed".
		e.Step, e.HTTPStatus = "", 0
		e.Message = "not purged: the run's timeout ran out before Cloudflare confirmed this batch"
		e.Hint = "Raise timeout: the purge was paced to the account's rate limit and needed longer."
	case errors.Is(err, context.Canceled):
		e.Step, e.HTTPStatus = "", 0
		e.Message = "not purged: the run was cancelled before Cloudflare confirmed this batch"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The deadline came while waiting to retry: the last error stands,
		// but it was not the last word.
		e.Message += " (then the run's timeout ran out before another attempt)"
	}
	return e
}
