package bench

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/app"
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
	fourEnvs = workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, byName: true,
		envs: []string{"Production", "Staging", "Development", "QA"}, urls: 2500, tags: 1000, filesPerRequest: 500}
)

// Cases come in pairs. "plan-known": the zone is given by name, and the
// lookup's answer names the plan, which the program passes to its pacer.
// "plan-learned": the zone is given by ID, so no call names the plan and the
// pacer learns the budget from 429s, starting from Enterprise's.
var purgeCases = []purgeCase{
	{name: "pro/3000-urls+300-tags/plan-known", w: proMixed},
	{name: "pro/3000-urls+300-tags/plan-learned", w: byID(proMixed)},
	// Free refills 5 tag requests a minute: the 2 requests beyond the burst
	// of 25 make a 24 s floor, so these cases run 10 times faster than real time.
	{name: "free/2700-tags/plan-known/time-x10", w: freeTags, scale: 10},
	{name: "free/2700-tags/plan-learned/time-x10", w: byID(freeTags), scale: 10},
	{name: "free/2700-tags/plan-learned/no-retry-after/time-x10", w: withoutRetryAfter(byID(freeTags)), scale: 10},
	// Zone versioning is an Enterprise feature: the learned budget starts right.
	{name: "enterprise/4-environments/2500-urls+1000-tags-each", w: fourEnvs},
}

func byID(w workload) workload {
	w.byName = false
	return w
}

func withoutRetryAfter(w workload) workload {
	w.omitRetryAfter = true
	return w
}

// BenchmarkPurge runs the whole program in-process (app.Main, as the CLI)
// against the emulator with its plan's rate limits and a round trip per
// call, and reports per run:
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
	for _, c := range purgeCases {
		b.Run(c.name, func(b *testing.B) {
			clock := scaledClock{start: time.Now(), scale: max(c.scale, 1)}
			var emuNow func() time.Time
			if c.scale > 1 {
				emuNow = clock.Now
			}
			s := newServer(b, c.w, emuNow, clock.real(c.w.rtt))
			args, stdin := c.w.args(s.apiURL()), c.w.stdin()
			floor := c.w.floor()
			var rep report
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s.reset()
				env := app.Env{
					Args: args, Stdin: strings.NewReader(stdin), Stdout: io.Discard, Stderr: io.Discard,
					Getenv: func(string) string { return "" },
				}
				if c.scale > 1 {
					env = env.WithClock(clock.Now, clock.Sleep)
				}
				// Bound the run whatever happens: three floors and a minute.
				ctx, cancel := context.WithTimeout(context.Background(), clock.real(3*floor+time.Minute))
				heap := startHeapSampler()
				b.StartTimer()

				start := clock.Now()
				code := app.Main(ctx, env)
				wall := clock.Now().Sub(start)

				b.StopTimer()
				peak := heap.end()
				cancel()
				if code != 0 {
					b.Errorf("exit code %d", code)
				}
				rep.add(wall, floor, s.tally(c.w), c.w.minRequests(), peak)
				b.StartTimer()
			}
			rep.emit(b, "peak-heap-MB")
		})
	}
}
