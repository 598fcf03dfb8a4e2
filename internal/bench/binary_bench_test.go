//go:build linux

package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
//	enterprise/100000-urls: 100,000 URLs, the plan's 500 per request, on an Enterprise
//	account with its rate limits and 50 ms per call, in real time (the floor
//	is 32 s); the figures of BenchmarkPurge, and peak-rss-MB, the child's
//	largest resident set (its VmHWM, see peakRSS): what the container needs.
//
// Linux only: it reads /proc.
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
		w := workload{plan: emulator.PlanEnterprise, rtt: 50 * time.Millisecond, urls: 100_000} // the plan's 500 per request: 200 requests
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
			rss, err := peakRSS(cmd)
			wall := time.Since(start)
			cancel()
			if err != nil {
				b.Errorf("%v", err)
			}
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

// peakRSS runs cmd and returns the largest resident set of its own, in
// bytes: VmHWM from /proc/<pid>/status, read every few milliseconds until the
// process exits (VmHWM only grows, so the last reading is the peak but for
// the last few milliseconds).
//
// Not getrusage's ru_maxrss: Go starts a child with CLONE_VM|CLONE_VFORK,
// and Linux's execve keeps the larger of the new program's peak and that of
// the memory it replaced, which is this benchmark process's; the child's
// ru_maxrss grew with this process from run to run (37 to 70 MB) while
// /usr/bin/time measured the binary at 33-36 MB.
func peakRSS(cmd *exec.Cmd) (float64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	var peak float64
	for {
		if kb := vmHWM(status); kb > peak {
			peak = kb
		}
		select {
		case err := <-done:
			return peak * 1024, err
		case <-tick.C:
		}
	}
}

// vmHWM reads the VmHWM line (kB) of a /proc status file; 0 when the process
// is gone or has no memory of its own yet (a zombie has none).
func vmHWM(status string) float64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
