//go:build linux

package bench

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// BenchmarkBinary builds the action once, as its Dockerfile does, and runs
// the binary (a child process, empty environment, CLI mode) against the
// emulator served by this process:
//
//	first-request: from starting the process to the emulator receiving its
//	first request (median and largest of b.N runs), for one URL on a zone
//	given by ID.
//	enterprise/100000-urls: 100,000 URLs, 500 per request, on an Enterprise
//	account with its rate limits and 50 ms per call, in real time (the floor
//	is 32 s); the figures of BenchmarkPurge, and peak-rss-MB, the child's
//	largest resident set (getrusage ru_maxrss): what the container needs.
//
// Linux only: ru_maxrss is in kilobytes there.
func BenchmarkBinary(b *testing.B) {
	bin := buildBinary(b)

	b.Run("first-request", func(b *testing.B) {
		w := workload{plan: emulator.PlanEnterprise, urls: 1, filesPerRequest: 30}
		s := newServer(b, w, nil, 0)
		args, stdin := w.args(s.apiURL()), w.stdin()
		var took []time.Duration
		for range b.N {
			s.reset()
			cmd := exec.Command(bin, args...)
			cmd.Env = []string{}
			cmd.Stdin = strings.NewReader(stdin)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			first := s.first.Load()
			if first == nil {
				b.Fatal("the emulator received no request")
			}
			took = append(took, first.Sub(start))
		}
		slices.Sort(took)
		b.ReportMetric(ms(took[len(took)/2]), "ms-to-first-request")
		b.ReportMetric(ms(took[len(took)-1]), "ms-to-first-request-max")
	})

	b.Run("enterprise/100000-urls", func(b *testing.B) {
		w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, urls: 100_000, filesPerRequest: 500}
		s := newServer(b, w, nil, w.rtt)
		args, stdin := w.args(s.apiURL()), w.stdin()
		floor := w.floor()
		var rep report
		for range b.N {
			s.reset()
			ctx, cancel := context.WithTimeout(context.Background(), 3*floor+time.Minute)
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = []string{}
			cmd.Stdin = strings.NewReader(stdin)
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			cancel()
			if err != nil {
				b.Errorf("%v", err)
			}
			rss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024
			b.StopTimer()
			rep.add(wall, floor, s.tally(w), w.minRequests(), rss)
			b.StartTimer()
		}
		rep.emit(b, "peak-rss-MB")
	})
}

// buildBinary builds the action as the Dockerfile does, into a temporary
// directory (the build cache is the developer's: a warm build takes seconds).
func buildBinary(b *testing.B) string {
	b.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Fatalf("the go command is needed to build the binary: %v", err)
	}
	bin := filepath.Join(b.TempDir(), "cloudflare-purge")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "github.com/cloudflare-purge/cloudflare-purge")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
