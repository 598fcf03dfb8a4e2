package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
	"github.com/cloudflare-purge/cloudflare-purge/internal/wait"
	"github.com/cloudflare-purge/cloudflare-purge/internal/warm"
)

// The cost of the steps around a purge (wait, verify, warm) against the
// emulator's edge, each on a cache with nothing in it, so that every request
// reaches the origin: the origin answers after originDelay, and the edge adds
// edgeRTT to every answer (a network round trip). The floor of a step is one
// origin answer plus one round trip: what it would cost if every request went
// at once.
const (
	originDelay = 50 * time.Millisecond
	edgeRTT     = 10 * time.Millisecond
	benchRuns   = 3
)

// benchZone has three environments selected by what a client sends.
var benchTargets = []struct{ name, expr string }{
	{"Production", ""},
	{"Development", `(any(http.request.cookies["env"][*] eq "dev")) and (cf.zone.name eq "bench.example")`},
	{"QA", `(any(http.request.headers["x-env"][*] eq "qa")) and (cf.zone.name eq "bench.example")`},
}

func newBenchEdge(b *testing.B) (*emulator.Emulator, string) {
	b.Helper()
	em := emulator.New(emulator.Options{Origin: emulator.Origin{Delay: originDelay}})
	envs := []emulator.Environment{{Name: "Production", Ref: "be0000000000000000000000000001", Expression: `(cf.zone.name eq "bench.example")`}}
	for i, t := range benchTargets[1:] {
		envs = append(envs, emulator.Environment{Name: t.name, Ref: fmt.Sprintf("be00000000000000000000000000%02d", i+2), Expression: t.expr})
	}
	em.AddZone(emulator.Zone{ID: "be000000000000000000000000000000", Name: "bench.example", AccountID: emulator.ExampleAccountID, Versioning: true, Environments: envs})
	edge := em.Edge()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(edgeRTT)
		edge.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	return em, srv.URL
}

func benchURLs(n int) []string {
	u := make([]string, n)
	for i := range u {
		u[i] = fmt.Sprintf("https://bench.example/page/%d/", i)
	}
	return u
}

// BenchmarkDeploySteps measures wait (the new build already served: one
// round), verify (with an expectation) and warm, for 20 and 200 URLs in 3
// environments: requests sent, and seconds as a ratio to the floor, min and
// median of benchRuns runs.
//
//	go test -run '^$' -bench DeploySteps -benchtime 1x ./internal/bench/
func BenchmarkDeploySteps(b *testing.B) {
	expect := verify.Expectation{Header: emulator.BuildHeader, Value: "v2"}
	for _, n := range []int{20, 200} {
		for _, step := range []string{"wait", "verify", "warm"} {
			b.Run(fmt.Sprintf("%s/urls=%d/envs=3", step, n), func(b *testing.B) {
				for range b.N {
					var walls []time.Duration
					requests := 0
					for range benchRuns {
						em, edgeURL := newBenchEdge(b)
						fetch := verify.Options{EdgeURL: edgeURL, Expect: expect}
						urls := benchURLs(n)
						start := time.Now()
						switch step {
						case "wait":
							var ts []wait.Target
							for _, t := range benchTargets {
								ts = append(ts, wait.Target{Name: t.name, Expression: t.expr, URLs: urls, Bust: true})
							}
							if w := wait.Run(context.Background(), ts, wait.Options{Fetch: fetch, Expect: expect, For: time.Minute}); w.Status != "ready" {
								b.Fatalf("wait %s: %s", w.Status, w.Reason)
							}
						case "verify":
							var ts []verify.Target
							for _, t := range benchTargets {
								ts = append(ts, verify.Target{Name: t.name, Expression: t.expr, URLs: urls, PurgedAt: start})
							}
							for _, v := range verify.Run(context.Background(), ts, fetch) {
								if v.VerifiedCount != n {
									b.Fatalf("verified %d of %d: %+v", v.VerifiedCount, n, v.URLs[0])
								}
							}
						case "warm":
							var ts []warm.Target
							for _, t := range benchTargets {
								ts = append(ts, warm.Target{Name: t.name, Expression: t.expr, URLs: urls})
							}
							for _, w := range warm.Run(context.Background(), ts, warm.Options{Fetch: fetch}) {
								if w.WarmedCount != n {
									b.Fatalf("warmed %d of %d", w.WarmedCount, n)
								}
							}
						}
						walls = append(walls, time.Since(start))
						requests = len(em.EdgeRequests())
					}
					slices.Sort(walls)
					floor := originDelay + edgeRTT
					b.ReportMetric(float64(requests), "requests")
					b.ReportMetric(walls[0].Seconds(), "min-s")
					b.ReportMetric(walls[len(walls)/2].Seconds(), "median-s")
					b.ReportMetric(float64(walls[0])/float64(floor), "min-x-floor")
					b.ReportMetric(float64(walls[len(walls)/2])/float64(floor), "median-x-floor")
					b.ReportMetric(0, "ns/op")
				}
			})
		}
	}
}
