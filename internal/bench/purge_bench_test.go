package bench

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// purgeCase is one benchmark: a workload and how the run is paced.
type purgeCase struct {
	name string
	w    workload
	// scale, if above 1, runs the emulator's rate limits, the pacer and the
	// retries on a clock that many times faster than real time (see
	// scaledClock); round trips shrink alike. Figures are in that clock's
	// time. CPU time is not scaled, so a scaled case overstates overheads.
	scale float64
}

var (
	proMixed = workload{plan: emulator.PlanPro, rtt: 50 * time.Millisecond, byName: true,
		urls: 3000, tags: 300, filesPerRequest: 30}
	freeTags = workload{plan: emulator.PlanFree, rtt: 50 * time.Millisecond, byName: true,
		tags: 2700, filesPerRequest: 30}
	// Default settings: the zone's plan sizes the URL batches (500 each).
	enterpriseOneEnv = workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond,
		envs: []string{"Staging"}, urls: 6000}
	fourEnvs = workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, byName: true,
		envs: []string{"Production", "Staging", "Development", "QA"}, urls: 2500, tags: 1000, filesPerRequest: 500}
)

// Cases come in pairs: the zone by name (its lookup names the plan) and by
// ID (its read, GET /zones/{zone_id}, names the plan).
var purgeCases = []purgeCase{
	{name: "pro/3000-urls+300-tags/by-name", w: proMixed},
	{name: "pro/3000-urls+300-tags/by-id", w: byID(proMixed)},
	// Free refills 5 tag requests a minute: the 2 requests beyond the burst
	// of 25 make a 24 s floor, so these cases run 10 times faster than real time.
	{name: "free/2700-tags/by-name/time-x10", w: freeTags, scale: 10},
	{name: "free/2700-tags/by-id/time-x10", w: byID(freeTags), scale: 10},
	{name: "free/2700-tags/by-id/no-retry-after/time-x10", w: withoutRetryAfter(byID(freeTags)), scale: 10},
	{name: "enterprise/4-environments/2500-urls+1000-tags-each", w: fourEnvs},
	// 12 requests of 500 URLs; 1.3 x the floor at most.
	{name: "enterprise/staging/6000-urls/default-size/by-id", w: byID(enterpriseOneEnv)},
}

func byID(w workload) workload {
	w.byName = false
	return w
}

func withoutRetryAfter(w workload) workload {
	w.omitRetryAfter = true
	return w
}

// bound is every run's deadline, whatever happens: three floors and a minute.
func bound(floor time.Duration) time.Duration { return 3*floor + time.Minute }

// BenchmarkPurge runs the program (see runner) against the emulator with
// its plan's rate limits and a round trip per call, and reports per run:
//
//	x-floor         wall time / the floor the budget allows (workload.floor)
//	x-min-requests  purge requests sent (retries included) / the fewest possible
//	429s            rate-limited answers
//	lost-items      items never accepted (the run must wait, not fail)
//	peak-heap-MB    the process's largest heap above its start (emulator included)
//	floor-s, wall-s the two times behind x-floor
//
// The 100,000-URL case and the time to the first request run the built
// binary: see BenchmarkBinary.
func BenchmarkPurge(b *testing.B) {
	b.Logf("runs %s", runner)
	for _, c := range purgeCases {
		b.Run(c.name, func(b *testing.B) {
			clock := &scaledClock{start: time.Now(), scale: max(c.scale, 1)}
			var emuNow func() time.Time
			if c.scale > 1 {
				emuNow = clock.Now
			}
			s := newServer(b, c.w, emuNow, clock.real(c.w.rtt))
			floor := c.w.floor()
			var rep report
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s.reset()
				var runClock *scaledClock
				if c.scale > 1 {
					runClock = clock
				}
				// In real time: the client compares the time left with waits
				// of the scaled clock, and must not find it short.
				ctx, cancel := context.WithTimeout(context.Background(), bound(floor))
				heap := startHeapSampler()
				b.StartTimer()

				start := clock.Now()
				ok := runWorkload(ctx, c.w, s.apiURL(), runClock)
				wall := clock.Now().Sub(start)

				b.StopTimer()
				peak := heap.end()
				cancel()
				if !ok {
					b.Errorf("the run failed")
				}
				rep.add(wall, floor, s.tally(c.w), c.w.minRequests(), peak)
				b.StartTimer()
			}
			rep.emit(b, "peak-heap-MB")
		})
	}
}

// BenchmarkMatrix is a matrix of four jobs started together on one Pro
// account, 1,000 URLs and 100 tags each, each purging its own environment,
// each with its own pacer that knows nothing of the others (four
// independent runs, concurrently). Goals: x-floor (of the four together)
// <= 1.3, 429s-per-min-requests <= 0.25, nothing lost.
func BenchmarkMatrix(b *testing.B) {
	var ws []workload
	for _, env := range []string{"Production", "Staging", "Development", "QA"} {
		ws = append(ws, workload{plan: emulator.PlanPro, rtt: 50 * time.Millisecond,
			envs: []string{env}, urls: 1000, tags: 100, filesPerRequest: 30})
	}
	s := newServer(b, ws[0], nil, ws[0].rtt)
	lookups, minRequests := 0, 0
	for _, w := range ws {
		lookups = max(lookups, w.lookups())
		minRequests += w.minRequests()
	}
	floor := floorOf(emulator.PlanPro, ws[0].rtt, lookups, ws...)
	var rep report
	for range b.N {
		b.StopTimer()
		s.reset()
		ctx, cancel := context.WithTimeout(context.Background(), bound(floor))
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		var failed sync.Map
		for i, w := range ws {
			wg.Go(func() {
				if !runWorkload(ctx, w, s.apiURL(), nil) {
					failed.Store(i, true)
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		b.StopTimer()
		cancel()
		failed.Range(func(k, _ any) bool { b.Errorf("job %v failed", k); return true })
		rep.add(wall, floor, s.tally(ws...), minRequests, 0)
		b.StartTimer()
	}
	rep.emit(b, "")
	b.ReportMetric(float64(rep.limited)/float64(rep.runs)/float64(minRequests), "429s-per-min-requests")
}

// BenchmarkRetryAfter answers one tag request of an Enterprise run (20 tag
// requests, zone by ID) with 429 and Retry-After: 2, and reports when its
// retry went: retry-after-s, from the 429's answer to the retry's arrival
// (goal: 2 +- 0.1), and the run's wall time.
func BenchmarkRetryAfter(b *testing.B) {
	w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, tags: 2000, filesPerRequest: 30}
	s := newServer(b, w, nil, w.rtt)
	var after, wall time.Duration
	for range b.N {
		b.StopTimer()
		s.reset()
		s.em.Inject(emulator.Fault{Kind: emulator.FaultRateLimited, PathContains: "/purge_cache", RetryAfter: "2"})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		b.StartTimer()
		start := time.Now()
		ok := runWorkload(ctx, w, s.apiURL(), nil)
		wall += time.Since(start)
		b.StopTimer()
		cancel()
		if !ok {
			b.Errorf("the run failed")
		}
		reqs := s.em.Requests()
		for i, r := range reqs {
			if !r.Fault {
				continue
			}
			for _, later := range reqs[i+1:] {
				if bytes.Equal(later.Body, r.Body) {
					// Arrivals: the 429 was answered a round trip after its own.
					after += later.Time.Sub(r.Time) - w.rtt
					break
				}
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(after.Seconds()/float64(b.N), "retry-after-s")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
}

// BenchmarkTransient429 is an Enterprise zone given by ID, 300 tag
// requests, one of them (the 150th) answered 429 with Retry-After: 1. Its
// floor is measured in the same iteration: the same run without the 429,
// plus the second asked. Goal: x-floor <= 1.5.
func BenchmarkTransient429(b *testing.B) {
	w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, tags: 30_000, filesPerRequest: 30}
	s := newServer(b, w, nil, w.rtt)
	var rep report
	for range b.N {
		b.StopTimer()
		var walls [2]time.Duration
		var t tally
		for i := range walls {
			s.reset()
			s.onPurge = nil
			if i == 1 {
				s.onPurge = func(n int64) {
					if n == 150 {
						s.em.Inject(emulator.Fault{Kind: emulator.FaultRateLimited, PathContains: "/purge_cache", RetryAfter: "1"})
					}
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			b.StartTimer()
			start := time.Now()
			ok := runWorkload(ctx, w, s.apiURL(), nil)
			walls[i] = time.Since(start)
			b.StopTimer()
			cancel()
			if !ok {
				b.Errorf("the run failed")
			}
			t = s.tally(w)
		}
		s.onPurge = nil
		rep.add(walls[1], walls[0]+time.Second, t, w.minRequests(), 0)
		b.StartTimer()
	}
	rep.emit(b, "")
}

// BenchmarkAPILimit scales the API-wide limit down to 100 calls per 10 s
// (the block stays 5 minutes) and purges 150 tag requests on an Enterprise
// zone given by ID, with timeout 90s: 151 calls. Its floor is the window's
// reset: 10 s, then the last round trip. Goals: api-refused (971s) 0,
// x-floor <= 1.3, nothing lost.
func BenchmarkAPILimit(b *testing.B) {
	w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, tags: 15_000, filesPerRequest: 30,
		apiLimit: emulator.APILimit{Quota: 100, Window: 10 * time.Second}, timeout: 90 * time.Second}
	rep, refused := runAPILimit(b, w, 10*time.Second+w.rtt, 2*time.Minute, false)
	rep.emit(b, "")
	b.ReportMetric(float64(refused)/float64(b.N), "api-refused")
}

// runAPILimit runs w b.N times against one emulator and reports each run
// against floor, with the calls refused with 971 in all; each run is
// bounded by bound, and logged when logEach.
func runAPILimit(b *testing.B, w workload, floor, bound time.Duration, logEach bool) (report, int64) {
	s := newServer(b, w, nil, w.rtt)
	var rep report
	var refused int64
	for range b.N {
		b.StopTimer()
		s.reset()
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		b.StartTimer()
		start := time.Now()
		ok := runWorkload(ctx, w, s.apiURL(), nil)
		wall := time.Since(start)
		b.StopTimer()
		cancel()
		if !ok {
			b.Errorf("the run failed")
		}
		refused += s.apiRefused.Load()
		t := s.tally(w)
		if logEach {
			b.Logf("%.3f x the floor, %d 429s, %d 971s, %d lost", wall.Seconds()/floor.Seconds(), t.limited, s.apiRefused.Load(), t.lost)
		}
		rep.add(wall, floor, t, w.minRequests(), 0)
		b.StartTimer()
	}
	return rep, refused
}

// BenchmarkAPILimitWindows scales the API-wide limit down to 40 calls per
// 10 s (the block stays 5 minutes) and purges 10,000 URLs, 30 a request, on
// an Enterprise zone given by ID: 335 calls, nine windows. Its floor is the
// start of the ninth window, 80 s, and a round trip (the emulator's window
// starts with the first call after the last one ended). Goals: x-floor <=
// 1.2, 971s 0, 429s per window at most 1, nothing lost.
func BenchmarkAPILimitWindows(b *testing.B) {
	w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, urls: 10_000, filesPerRequest: 30,
		apiLimit: emulator.APILimit{Quota: 40, Window: 10 * time.Second}, timeout: 3 * time.Minute}
	rep, refused := runAPILimit(b, w, 80*time.Second+w.rtt, 4*time.Minute, true)
	rep.emit(b, "")
	b.ReportMetric(float64(refused)/float64(b.N), "api-refused")
	b.ReportMetric(float64(rep.limited)/float64(b.N)/9, "429s-per-window")
}
