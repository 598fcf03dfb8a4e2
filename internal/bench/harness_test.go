package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// budget is one of a plan's purge buckets, as Cloudflare publishes them
// (docs/cloudflare.md, "Limits"):
// the floors are computed from these, not from the pacer's own numbers.
type budget struct{ rate, burst float64 }

// budgets per plan: URLs, then tag/host/prefix/everything requests.
var budgets = map[emulator.Plan][2]budget{
	emulator.PlanFree:       {{800, 800}, {5.0 / 60, 25}},
	emulator.PlanPro:        {{1500, 1500}, {5, 25}},
	emulator.PlanBusiness:   {{1500, 1500}, {10, 50}},
	emulator.PlanEnterprise: {{3000, 3000}, {50, 500}},
}

// workload is what one run purges, where, and against which account.
type workload struct {
	plan emulator.Plan
	// rtt is the emulator's added latency: every call takes this long.
	rtt time.Duration
	// byName gives the zone by name (one lookup) rather than by ID.
	byName bool
	// envs are the environment input; empty: Production only.
	envs       []string
	urls, tags int // per environment
	// filesPerRequest is the flag's value; 0: not given (the plan's most).
	filesPerRequest int
	omitRetryAfter  bool
	// apiLimit scales the emulator's API-wide limit (zero: Cloudflare's).
	apiLimit emulator.APILimit
	// timeout is the run's (zero: the action's default, 5 minutes).
	timeout time.Duration
}

// The example zone, with a fourth environment for runs that purge four at once.
const qaRef = "c0ffee0ddba11c0ffee0ddba11c0ff"

func zoneWithFourEnvironments(plan emulator.Plan) emulator.Zone {
	z := emulator.Zone{
		ID: emulator.ExampleZoneID, Name: emulator.ExampleZoneName,
		AccountID: emulator.ExampleAccountID, AccountName: "Example Account",
		Plan: plan, Versioning: true,
		Environments: []emulator.Environment{
			{Name: "Production", Ref: emulator.ProductionRef, Version: 3, Expression: `(cf.zone.name eq "example.com")`},
			{Name: "Staging", Ref: emulator.StagingRef, Version: 4, Expression: `(cf.zone.name eq "example.com" and http.host eq "staging.example.com")`},
			{Name: "Development", Ref: emulator.DevelopmentRef, Version: 4, Expression: `(cf.zone.name eq "example.com" and http.cookie contains "env=development")`},
			{Name: "QA", Ref: qaRef, Version: 4, Expression: `(cf.zone.name eq "example.com" and http.host eq "qa.example.com")`},
		},
	}
	// And one environment per job of BenchmarkMatrixProcesses.
	for i := range maxMatrixJobs {
		name := jobEnvironment(i)
		z.Environments = append(z.Environments, emulator.Environment{Name: name, Ref: envRefs[name], Version: 4,
			Expression: fmt.Sprintf(`(cf.zone.name eq "example.com" and http.host eq "job%d.example.com")`, i)})
	}
	return z
}

var envRefs = func() map[string]string {
	m := map[string]string{
		"Production": "", "Staging": emulator.StagingRef, "Development": emulator.DevelopmentRef, "QA": qaRef,
	}
	for i := range maxMatrixJobs {
		m[jobEnvironment(i)] = fmt.Sprintf("%030x", 0xb0b0000+i)
	}
	return m
}()

// maxMatrixJobs is the most jobs of a matrix the benchmarks run, each
// purging an environment of its own.
const maxMatrixJobs = 20

func jobEnvironment(i int) string { return fmt.Sprintf("Job%02d", i+1) }

func (w workload) urlList() []string {
	u := make([]string, w.urls)
	for i := range u {
		u[i] = fmt.Sprintf("https://example.com/assets/%06d/app.css", i)
	}
	return u
}

func (w workload) tagList() []string {
	t := make([]string, w.tags)
	for i := range t {
		t[i] = fmt.Sprintf("tag-%05d", i)
	}
	return t
}

func (w workload) targets() []string {
	if len(w.envs) == 0 {
		return []string{"Production"}
	}
	return w.envs
}

// lookups are the calls a run cannot skip before its purges: the zone's
// lookup by name, or its read by ID (for the plan); the environments.
func (w workload) lookups() int {
	n := 1
	if slices.ContainsFunc(w.envs, func(e string) bool { return e != "Production" }) {
		n++
	}
	return n
}

// minRequests is the fewest purge requests: per kind, ceil(items / limit),
// for every environment.
func (w workload) minRequests() int {
	size, err := plan.FilesPerRequest(string(w.plan), w.filesPerRequest, true)
	if err != nil {
		panic(err)
	}
	per := ceilDiv(w.urls, size) + ceilDiv(w.tags, plan.ListItemsPerRequest)
	return per * len(w.targets())
}

// floor is the fastest the account's budget allows: the lookups, one after
// the other; each bucket's demand beyond its burst, at its refill rate (the
// two buckets refill side by side); and the last request's round trip.
func (w workload) floor() time.Duration {
	return floorOf(w.plan, w.rtt, w.lookups(), w)
}

// floorOf is the floor of runs sharing one account, at once: the longest
// chain of lookups, then the budget's drain for all their purges together,
// then the last round trip.
func floorOf(p emulator.Plan, rtt time.Duration, lookups int, ws ...workload) time.Duration {
	b, ok := budgets[p]
	if !ok {
		panic("unknown plan " + p)
	}
	var urlTokens, reqTokens float64
	for _, w := range ws {
		envs := float64(len(w.targets()))
		urlTokens += float64(w.urls) * envs
		reqTokens += float64(ceilDiv(w.tags, plan.ListItemsPerRequest)) * envs
	}
	drain := max(0, (urlTokens-b[0].burst)/b[0].rate, (reqTokens-b[1].burst)/b[1].rate)
	return time.Duration(lookups+1)*rtt + time.Duration(drain*float64(time.Second))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// args are the CLI flags of the run, with the URLs on standard input.
func (w workload) args(apiURL string) []string {
	zone := emulator.ExampleZoneID
	if w.byName {
		zone = emulator.ExampleZoneName
	}
	a := []string{
		"--zone", zone, "--api-url", apiURL, "--api-token", emulator.SandboxToken,
		"--environment", strings.Join(w.targets(), ","), "--json",
	}
	if w.filesPerRequest > 0 {
		a = append(a, "--files-per-request", fmt.Sprint(w.filesPerRequest))
	}
	if w.urls > 0 {
		a = append(a, "--files-from", "-")
	}
	if w.tags > 0 {
		a = append(a, "--tags", strings.Join(w.tagList(), ","))
	}
	if w.timeout > 0 {
		a = append(a, "--timeout", w.timeout.String())
	}
	return a
}

func (w workload) stdin() string { return strings.Join(w.urlList(), "\n") }

// server is the emulator behind a loopback listener, with the time of the
// first request it received.
type server struct {
	em    *emulator.Emulator
	srv   *httptest.Server
	first atomic.Pointer[time.Time]
	// purges counts the purge requests received; onPurge, if set, sees each
	// (from 1) before the emulator does: a benchmark injects faults so.
	purges  atomic.Int64
	onPurge func(n int64)
	// apiRefused counts the answers refused for the API-wide limit (971).
	apiRefused atomic.Int64
}

func newServer(tb testing.TB, w workload, now func() time.Time, latency time.Duration) *server {
	s := &server{em: emulator.New(emulator.Options{
		Plan: w.plan, RateLimits: true, OmitRetryAfter: w.omitRetryAfter, Latency: latency, Now: now,
		APILimit: w.apiLimit,
	})}
	s.em.AddZone(zoneWithFourEnvironments(w.plan))
	s.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		t := time.Now()
		s.first.CompareAndSwap(nil, &t)
		if strings.HasSuffix(r.URL.Path, "/purge_cache") {
			if n := s.purges.Add(1); s.onPurge != nil {
				s.onPurge(n)
			}
		}
		s.em.ServeHTTP(&sniffer{ResponseWriter: rw, s: s}, r)
	}))
	tb.Cleanup(s.srv.Close)
	return s
}

// sniffer counts the emulator's 971 answers.
type sniffer struct {
	http.ResponseWriter
	s      *server
	status int
}

func (w *sniffer) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *sniffer) Write(b []byte) (int, error) {
	if w.status == http.StatusTooManyRequests && strings.Contains(string(b), `"code":971`) {
		w.s.apiRefused.Add(1)
	}
	return w.ResponseWriter.Write(b)
}

func (s *server) apiURL() string { return s.srv.URL + "/client/v4" }

func (s *server) reset() {
	s.em.Reset()
	s.first.Store(nil)
	s.purges.Store(0)
	s.apiRefused.Store(0)
}

// tally is what the emulator saw of one run.
type tally struct {
	purges, limited, lookups int
	lost                     int // items of the workload never accepted
}

func (s *server) tally(ws ...workload) tally {
	var t tally
	for _, r := range s.em.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/purge_cache"):
			t.purges++
		default:
			t.lookups++
		}
		if r.Status == http.StatusTooManyRequests {
			t.limited++
		}
	}
	accepted := map[string]bool{}
	for _, p := range s.em.Purges() {
		for _, item := range p.Items {
			accepted[p.EnvironmentRef+" "+item] = true
		}
	}
	for _, w := range ws {
		for _, env := range w.targets() {
			for _, items := range [][]string{w.urlList(), w.tagList()} {
				for _, item := range items {
					if !accepted[envRefs[env]+" "+item] {
						t.lost++
					}
				}
			}
		}
	}
	return t
}

// report sums runs' figures and reports their means as b's metrics.
type report struct {
	runs          int
	wall, floor   time.Duration
	xFloor, xMin  float64
	limited, lost int
	peakBytes     float64 // the largest of the runs
}

func (r *report) add(wall, floor time.Duration, t tally, minPurges int, peakBytes float64) {
	r.runs++
	r.wall += wall
	r.floor = floor
	r.xFloor += wall.Seconds() / floor.Seconds()
	r.xMin += float64(t.purges) / float64(minPurges)
	r.limited += t.limited
	r.lost += t.lost
	r.peakBytes = max(r.peakBytes, peakBytes)
}

// emit reports the means; memUnit names the memory figure ("" for none).
func (r *report) emit(b *testing.B, memUnit string) {
	n := float64(r.runs)
	b.ReportMetric(r.xFloor/n, "x-floor")
	b.ReportMetric(r.xMin/n, "x-min-requests")
	b.ReportMetric(float64(r.limited)/n, "429s")
	b.ReportMetric(float64(r.lost)/n, "lost-items")
	b.ReportMetric(r.floor.Seconds(), "floor-s")
	b.ReportMetric(r.wall.Seconds()/n, "wall-s")
	if memUnit != "" {
		b.ReportMetric(math.Round(r.peakBytes/(1<<20)*10)/10, memUnit)
	}
}

// heapSampler records the largest heap (live and not yet collected
// objects, runtime/metrics' /memory/classes/heap/objects:bytes) of this
// process while it runs, above what it was at the start.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	base uint64
	peak atomic.Uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), base: readHeap()}
	h.done.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if v := readHeap(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// end stops sampling and returns the peak above the start, in bytes.
func (h *heapSampler) end() float64 {
	close(h.stop)
	h.done.Wait()
	return float64(h.peak.Load() - min(h.base, h.peak.Load()))
}

// scaledClock runs scale times faster than real time, from when it was
// made: the emulator's rate limits, the pacer and the retries all keep time
// by it, so a run whose floor is minutes takes seconds.
type scaledClock struct {
	start time.Time
	scale float64
}

func (c scaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.scale))
}

func (c scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return retry.Sleep(ctx, time.Duration(float64(d)/c.scale))
}

func (c scaledClock) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}
