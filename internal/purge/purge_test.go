package purge

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// fakeAPI answers purges in an order of its choosing and fails the batches
// whose first item is in fail. With gateAt, its first calls wait until
// that many are in flight at once (or seconds have passed), so that a
// test sees the concurrency reach its bound however the scheduler runs.
type fakeAPI struct {
	fail     map[string]bool
	inFlight atomic.Int32
	peak     atomic.Int32
	mu       sync.Mutex
	n        int

	gateAt   int32
	gateOnce sync.Once
	gate     chan struct{}
}

func (f *fakeAPI) openGate() { f.gateOnce.Do(func() { close(f.gate) }) }

func (f *fakeAPI) Purge(ctx context.Context, zoneID, ref string, b plan.Batch) (string, int, error) {
	cur := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		p := f.peak.Load()
		if cur <= p || f.peak.CompareAndSwap(p, cur) {
			break
		}
	}
	if f.gate != nil {
		if cur >= f.gateAt {
			f.openGate()
		}
		select {
		case <-f.gate:
		case <-time.After(10 * time.Second):
			f.openGate() // the bound was never reached: peak says so
		}
	}
	time.Sleep(time.Millisecond) // let requests overlap
	if f.fail[b.Values()[0]] {
		return "", 3, &cloudflare.Error{Step: cloudflare.StepPurge, Status: 400, Details: []cloudflare.Detail{{Code: 1136, Message: "no URL purge here"}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return fmt.Sprintf("%s-%s", ref, b.Values()[0]), 1, nil
}

// Invalidate answers like Purge, with ids that say so.
func (f *fakeAPI) Invalidate(ctx context.Context, zoneID, ref string, b plan.Batch) (string, int, error) {
	id, n, err := f.Purge(ctx, zoneID, ref, b)
	if err == nil {
		id = "inv-" + id
	}
	return id, n, err
}

func tags(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("t%03d", i)
	}
	return s
}

func TestRunRecordsEveryBatchInPlanOrder(t *testing.T) {
	t.Parallel()
	batches := plan.Build(config.Items{Tags: tags(450)}, 30)
	envs := result.Layout([]result.Environment{{Name: "Staging", Ref: "s", Endpoint: result.EndpointEnvironment}, {Name: "Production", Endpoint: result.EndpointZone}}, plan.Layout(batches))
	api := &fakeAPI{fail: map[string]bool{"t200": true}, gateAt: 3, gate: make(chan struct{})}
	var calls int
	Run(context.Background(), api, "zone", batches, envs, Options{Concurrency: 3, Progress: func(result.Progress) { calls++ }})

	type row struct {
		Env, ID string
		Status  result.Status
		Count   int
		Items   int
	}
	var got []row
	for _, e := range envs {
		for _, b := range e.Batches {
			got = append(got, row{e.Name, b.ID, b.Status, b.Count, len(b.Items)})
		}
	}
	want := []row{
		{"Staging", "s-t000", result.Purged, 100, 100},
		{"Staging", "s-t100", result.Purged, 100, 100},
		{"Staging", "", result.Failed, 100, 100},
		{"Staging", "s-t300", result.Purged, 100, 100},
		{"Staging", "s-t400", result.Purged, 50, 50},
		{"Production", "-t000", result.Purged, 100, 100},
		{"Production", "-t100", result.Purged, 100, 100},
		{"Production", "", result.Failed, 100, 100},
		{"Production", "-t300", result.Purged, 100, 100},
		{"Production", "-t400", result.Purged, 50, 50},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if f := envs[0].Batches[2]; f.Error == nil || f.Error.Code != 1136 || f.Attempts != 3 {
		t.Errorf("failed batch: %+v", f)
	}
	if peak := api.peak.Load(); peak != 3 {
		t.Errorf("%d requests in flight at most, want 3: the bound, and reached", peak)
	}
	if calls != 10 {
		t.Errorf("progress called %d times, want once per request (10)", calls)
	}
}

func TestRunTimeoutFailsWhatWasNotConfirmed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	batches := plan.Build(config.Items{Everything: true}, 30)
	envs := result.Layout([]result.Environment{{Name: "Production"}}, plan.Layout(batches))
	Run(ctx, apiFunc(func(ctx context.Context) error { return &cloudflare.Error{Step: cloudflare.StepPurge, Err: ctx.Err()} }), "zone", batches, envs, Options{})
	b := envs[0].Batches[0]
	if b.Status != result.Failed || b.Error == nil || b.Error.Message != "not purged: the run was cancelled before Cloudflare confirmed this batch" {
		t.Errorf("batch: %+v %+v", b, b.Error)
	}
}

type apiFunc func(ctx context.Context) error

func (f apiFunc) Purge(ctx context.Context, _, _ string, _ plan.Batch) (string, int, error) {
	return "", 1, f(ctx)
}

func (f apiFunc) Invalidate(ctx context.Context, _, _ string, _ plan.Batch) (string, int, error) {
	return "", 1, f(ctx)
}

// A batch that was waiting to retry when the run was cancelled is
// reported cancelled, not as the last answer's failure.
func TestRunCancelWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	batches := plan.Build(config.Items{Everything: true}, 30)
	envs := result.Layout([]result.Environment{{Name: "Production"}}, plan.Layout(batches))
	Run(ctx, apiFunc(func(context.Context) error {
		cancel() // the signal comes while the policy waits before a retry
		return &cloudflare.Error{Step: cloudflare.StepPurge, Status: 500}
	}), "zone", batches, envs, Options{})
	want := &result.Error{Kind: result.KindAPI, Message: "not purged: the run was cancelled before Cloudflare confirmed this batch"}
	if diff := cmp.Diff(want, envs[0].Batches[0].Error); diff != "" {
		t.Errorf("batch error (-want +got):\n%s", diff)
	}
}

// With Invalidate every batch goes to the invalidation endpoints, and what
// was not confirmed says "not invalidated".
func TestRunInvalidates(t *testing.T) {
	t.Parallel()
	batches := plan.Build(config.Items{Tags: tags(150)}, 30)
	envs := result.Layout([]result.Environment{{Name: "Staging", Ref: "s"}}, plan.Layout(batches))
	Run(context.Background(), &fakeAPI{}, "zone", batches, envs, Options{Invalidate: true})
	if got := []string{envs[0].Batches[0].ID, envs[0].Batches[1].ID}; !cmp.Equal(got, []string{"inv-s-t000", "inv-s-t100"}) {
		t.Errorf("ids %q: want the invalidations'", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	envs = result.Layout([]result.Environment{{Name: "Staging", Ref: "s"}}, plan.Layout(batches))
	Run(ctx, apiFunc(func(ctx context.Context) error { return ctx.Err() }), "zone", batches, envs, Options{Invalidate: true})
	if got, want := envs[0].Batches[0].Error.Message, "not invalidated: the run was cancelled before Cloudflare confirmed this batch"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// A batch whose request got no answer before the run's timeout is not
// said to have been paced: the hint points at api-url. One never sent
// says it waited for its turn.
func TestRunTimeoutHint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		attempts int
		want     string
	}{
		{1, "Raise timeout, or check api-url: the request was sent and no answer came before the run's timeout."},
		{0, "Raise timeout: the run's timeout ran out before this batch was sent (it waited for its turn, under the account's rate limits or behind the requests before it)."},
	} {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		batches := plan.Build(config.Items{Everything: true}, 30)
		envs := result.Layout([]result.Environment{{Name: "Production"}}, plan.Layout(batches))
		Run(ctx, attemptsAPI{tt.attempts}, "zone", batches, envs, Options{})
		cancel()
		if e := envs[0].Batches[0].Error; e == nil || e.Hint != tt.want {
			t.Errorf("%d attempts: error %+v, want hint %q", tt.attempts, e, tt.want)
		}
	}
}

// attemptsAPI is a server that never answered: the run's deadline ended
// its calls after the given attempts.
type attemptsAPI struct{ attempts int }

func (a attemptsAPI) Purge(ctx context.Context, _, _ string, _ plan.Batch) (string, int, error) {
	return "", a.attempts, &cloudflare.Error{Step: cloudflare.StepPurge, Attempts: a.attempts, Err: fmt.Errorf("%w (%w)", cloudflare.ErrRunTimeout, ctx.Err())}
}

func (a attemptsAPI) Invalidate(ctx context.Context, z, r string, b plan.Batch) (string, int, error) {
	return a.Purge(ctx, z, r, b)
}
