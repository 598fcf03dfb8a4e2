package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// fakeClock is the time of the emulator's rate limits and of the runs'
// waits. Every wait moves it forward by its length, at once: waits of
// concurrent requests add up rather than overlap, which only makes time
// pass faster than it would; nothing really sleeps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.mu.Lock()
		c.now = c.now.Add(d)
		c.mu.Unlock()
	}
	return ctx.Err()
}

// Matrix jobs share one account's purge budget. Four runs purge at once
// against one Free account (25 tag requests in the bucket, 5 a minute;
// 800 URLs a second): they meet 429s, and all finish with nothing lost.
func TestConcurrentRunsShareOneAccount(t *testing.T) {
	t.Parallel()
	for _, omit := range []bool{false, true} {
		name := "with Retry-After"
		if omit {
			name = "without Retry-After"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			h := newHarness(t, emulator.Options{Plan: emulator.PlanFree, RateLimits: true, OmitRetryAfter: omit, Now: clock.Now})
			// A token without Zone Read: the runs cannot read the zone's
			// plan, so their pacers learn the shared budget from the 429s.
			const purgeOnly = "pUrGe0nLy-0123456789abcdefghijklmnopqrstu"
			h.em.AddToken(emulator.Token{Value: purgeOnly, Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneVersioningRead}})
			const runs = 4
			envNames := []string{"Staging", "Development", "Staging", "Production"}
			type job struct {
				urls, tags []string
				r          run
			}
			jobs := make([]job, runs)
			for j := range jobs {
				for i := range 300 { // 10 requests of 30 URLs
					jobs[j].urls = append(jobs[j].urls, fmt.Sprintf("https://example.com/job%d/%03d.css", j, i))
				}
				for i := range 800 { // 8 requests of 100 tags
					jobs[j].tags = append(jobs[j].tags, fmt.Sprintf("job%d-tag%03d", j, i))
				}
			}
			var wg sync.WaitGroup
			for j := range jobs {
				dir := filepath.Join(h.dir, fmt.Sprint("job", j))
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				wg.Go(func() {
					jobs[j].r = h.actionIn(dir, h.defaults(map[string]string{
						"environment": envNames[j],
						"files":       strings.Join(jobs[j].urls, "\n"),
						"tags":        strings.Join(jobs[j].tags, ","),
						"max-retries": "20",
						"api-token":   purgeOnly,
					}), nil, func(e *Env) {
						e.hooks.sleep = clock.Sleep
						// The run's pacer, on the fake clock.
						e.hooks.now, e.hooks.paceSleep = clock.Now, nil
					})
				})
			}
			wg.Wait()

			total := 0
			for j, jb := range jobs {
				if jb.r.code != 0 {
					t.Errorf("run %d: exit %d\n%s", j, jb.r.code, jb.r.stdout)
				}
				if want := fmt.Sprint(len(jb.urls) + len(jb.tags)); jb.r.outputs["purged-count"] != want || jb.r.outputs["failed-count"] != "0" {
					t.Errorf("run %d: purged-count %q failed-count %q, want %s and 0", j, jb.r.outputs["purged-count"], jb.r.outputs["failed-count"], want)
				}
				var n int
				fmt.Sscan(jb.r.outputs["purged-count"], &n)
				total += n
			}
			// Every item was accepted exactly once.
			var want, got []string
			for _, jb := range jobs {
				want = append(want, jb.urls...)
				want = append(want, jb.tags...)
			}
			purges := h.em.Purges()
			for _, p := range purges {
				got = append(got, p.Items...)
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("accepted items (-want +got):\n%s", diff)
			}
			if total != len(want) || len(purges) != runs*18 {
				t.Errorf("purged-counts add up to %d in %d purges, want %d in %d", total, len(purges), len(want), runs*18)
			}
			limited := 0
			for _, r := range h.em.Requests() {
				if r.Status == 429 {
					limited++
				}
			}
			if limited == 0 {
				t.Errorf("no request was rate limited: the test does not test sharing a budget")
			}
			t.Logf("%d purges, %d answered 429, fake time passed %v", len(purges), limited, clock.Now().Sub(newFakeClock().Now()))
		})
	}
}
