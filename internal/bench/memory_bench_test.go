//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// memoryGoal is the most a run may hold, whatever its legal input (500,000
// items, 50 environments): what a container needs.
const memoryGoal = 256 << 20

// Sizes of BenchmarkMemory's runs: large enough that whatever grows with
// items times environments dominates the binary's own footprint. The
// environment variables BENCH_MEMORY_URLS and BENCH_MEMORY_ENVS change them
// (500000 and 50: the input's limits).
const (
	memURLs = 200_000
	memEnvs = 20
)

// sizeFrom is the number in the environment variable name, else def.
func sizeFrom(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkMemory runs the built binary on memURLs URLs in memEnvs
// environments (or the sizes asked, see sizeFrom) and reports its peak resident set (VmHWM, see peakRSS),
// min and median of 3 runs, against memoryGoal:
//
//	dry-run: resolved and planned, nothing sent; every item listed in
//	the reports.
//	all-failed: the zone lookup fails at once (the token is refused), so
//	every item of every environment ends failed, and the reports list them.
//
// Each as the CLI with --json (the whole document on standard output) and
// as the action (the outputs, the job summary and the log). Run it with
// -benchtime 1x: each iteration is 3 runs.
func BenchmarkMemory(b *testing.B) {
	bin := buildBinary(b)
	envs := make([]string, sizeFrom("BENCH_MEMORY_ENVS", memEnvs))
	zone := emulator.Zone{
		ID: emulator.ExampleZoneID, Name: emulator.ExampleZoneName,
		AccountID: emulator.ExampleAccountID, Plan: emulator.PlanEnterprise, Versioning: true,
	}
	for i := range envs {
		envs[i] = fmt.Sprintf("Env%02d", i+1)
		zone.Environments = append(zone.Environments, emulator.Environment{
			Name: envs[i], Ref: fmt.Sprintf("%030x", i+1), Version: 1,
			Expression: fmt.Sprintf(`(cf.zone.name eq "example.com" and http.host eq "env%d.example.com")`, i+1),
		})
	}
	em := emulator.New(emulator.Options{})
	em.AddZone(zone)
	srv := newLoopback(b, em)
	w := workload{urls: sizeFrom("BENCH_MEMORY_URLS", memURLs)}
	workspace := b.TempDir()
	urls := filepath.Join(workspace, "urls.txt")
	if err := os.WriteFile(urls, []byte(w.stdin()), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, run := range []struct {
		name  string
		token string
		flags []string
		want  int // exit code
	}{
		{"dry-run", emulator.SandboxToken, []string{"--dry-run"}, 0},
		{"all-failed", "not-the-token-" + strings.Repeat("x", 20), nil, 1},
	} {
		for _, mode := range []string{"cli-json", "action"} {
			b.Run(run.name+"/"+mode, func(b *testing.B) {
				var rss []float64
				for range b.N {
					for range 3 {
						cmd := exec.Command(bin)
						dir := b.TempDir()
						if mode == "cli-json" {
							cmd.Args = append(cmd.Args, "--zone", emulator.ExampleZoneName, "--api-url", srv+"/client/v4", "--api-token", run.token,
								"--environment", strings.Join(envs, ","), "--files-from", urls, "--json")
							cmd.Args = append(cmd.Args, run.flags...)
						} else {
							cmd.Env = []string{
								"GITHUB_ACTIONS=true", "INPUT_ZONE=" + emulator.ExampleZoneName, "INPUT_API-URL=" + srv + "/client/v4",
								"INPUT_API-TOKEN=" + run.token, "INPUT_ENVIRONMENT=" + strings.Join(envs, ","), "INPUT_FILES-FROM=urls.txt", "GITHUB_WORKSPACE=" + workspace,
								"INPUT_DRY-RUN=" + fmt.Sprint(run.name == "dry-run"),
								"GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary"),
							}
						}
						if mode == "cli-json" {
							cmd.Env = []string{}
						}
						var out bytes.Buffer
						if mode == "action" {
							cmd.Stdout = &out
						}
						cmd.Stderr = &out
						got, err := peakRSS(cmd)
						code := 0
						if ee, ok := err.(*exec.ExitError); ok {
							code = ee.ExitCode()
						} else if err != nil {
							b.Fatal(err)
						}
						if code != run.want {
							b.Fatalf("exit code %d, want %d\n%s", code, run.want, out.Bytes()[:min(out.Len(), 4000)])
						}
						rss = append(rss, got)
					}
				}
				slices.Sort(rss)
				mb := func(v float64) float64 { return math.Round(v/(1<<20)*10) / 10 }
				b.ReportMetric(mb(rss[0]), "peak-rss-MB-min")
				b.ReportMetric(mb(rss[len(rss)/2]), "peak-rss-MB-median")
				b.ReportMetric(mb(memoryGoal), "goal-MB")
				if rss[len(rss)/2] > memoryGoal {
					b.Logf("the median peak, %.1f MB, is above the %.0f MB goal", mb(rss[len(rss)/2]), mb(memoryGoal))
				}
			})
		}
	}
}

// newLoopback serves h on 127.0.0.1 for the benchmark's life.
func newLoopback(b *testing.B, em *emulator.Emulator) string {
	s := httptest.NewServer(em)
	b.Cleanup(s.Close)
	return s.URL
}
