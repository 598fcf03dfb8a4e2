//go:build linux

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
)

// BenchmarkMatrixProcesses is a matrix of 4, 10 and 20 jobs started
// together, each a process of the built binary (CLI mode, empty
// environment), against one emulator with Pro's purge budget and 50 ms per
// call: each job purges 600 URLs and 60 tags in an environment of its own,
// on the zone given by ID, with the same token (so one API-wide quota, as a
// matrix has). Beside it, in the same iteration, a naive client: each job a
// goroutine sending its requests one after the other and, on a 429, waiting
// as Retry-After says (a second without one), for as long as the run's
// deadline allows. Per run (each logged) and as means:
//
//	x-floor          the slowest job's time over the floor of all the jobs
//	                 together (floorOf: the lookups, the budget's drain, a round trip)
//	429s/needed      answers 429 over the purge requests the jobs need
//	lost-items       items the emulator never accepted
//	api-refused      answers 971 (the API-wide limit tripped)
//	failed-jobs      jobs that did not exit 0
//
// and the same for the naive client, prefixed naive-.
func BenchmarkMatrixProcesses(b *testing.B) {
	bin := buildBinary(b)
	const rtt = 50 * time.Millisecond
	for _, jobs := range []int{4, 10, 20} {
		b.Run(fmt.Sprintf("%d-jobs", jobs), func(b *testing.B) {
			ws := make([]workload, jobs)
			needed := 0
			for i := range ws {
				ws[i] = workload{plan: emulator.PlanPro, rtt: rtt, envs: []string{jobEnvironment(i)},
					urls: 600, tags: 60, filesPerRequest: 30}
				needed += ws[i].minRequests()
			}
			s := newServer(b, ws[0], nil, rtt)
			floor := floorOf(emulator.PlanPro, rtt, ws[0].lookups(), ws...)
			var ours, naive matrixReport
			for range b.N {
				b.StopTimer()
				s.reset()
				b.StartTimer()
				slowest, failed := runProcesses(b, bin, s, ws, bound(floor))
				b.StopTimer()
				r := ours.add(slowest, floor, s, ws, needed, failed)
				s.reset()
				slowest, failed = runNaive(s, ws, bound(floor))
				n := naive.add(slowest, floor, s, ws, needed, failed)
				b.Logf("%d jobs, floor %v: ours %s; naive %s", jobs, floor.Round(time.Millisecond), r, n)
				b.StartTimer()
			}
			ours.emit(b, "")
			naive.emit(b, "naive-")
		})
	}
}

// matrixRun is one run's figures.
type matrixRun struct {
	xFloor, perNeeded            float64
	lost, refused971, failedJobs int
}

func (r matrixRun) String() string {
	return fmt.Sprintf("slowest %.2f x floor, 429s %.2f of needed, %d lost, %d 971s, %d jobs failed", r.xFloor, r.perNeeded, r.lost, r.refused971, r.failedJobs)
}

type matrixReport struct{ runs []matrixRun }

func (m *matrixReport) add(slowest, floor time.Duration, s *server, ws []workload, needed, failed int) matrixRun {
	t := s.tally(ws...)
	r := matrixRun{
		xFloor: slowest.Seconds() / floor.Seconds(), perNeeded: float64(t.limited) / float64(needed),
		lost: t.lost, refused971: int(s.apiRefused.Load()), failedJobs: failed,
	}
	m.runs = append(m.runs, r)
	return r
}

func (m *matrixReport) emit(b *testing.B, prefix string) {
	n := float64(len(m.runs))
	var x, per, lost, refused, failed float64
	for _, r := range m.runs {
		x += r.xFloor
		per += r.perNeeded
		lost += float64(r.lost)
		refused += float64(r.refused971)
		failed += float64(r.failedJobs)
	}
	b.ReportMetric(x/n, prefix+"x-floor")
	b.ReportMetric(per/n, prefix+"429s/needed")
	b.ReportMetric(lost/n, prefix+"lost-items")
	b.ReportMetric(refused/n, prefix+"api-refused")
	b.ReportMetric(failed/n, prefix+"failed-jobs")
}

// runProcesses starts every job's process at once and returns the slowest
// one's time (from the start of all to its exit) and how many failed.
func runProcesses(b *testing.B, bin string, s *server, ws []workload, limit time.Duration) (slowest time.Duration, failed int) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmds := make([]*exec.Cmd, len(ws))
	outs := make([]bytes.Buffer, len(ws))
	for i, w := range ws {
		cmds[i] = exec.CommandContext(ctx, bin, w.args(s.apiURL())...)
		cmds[i].Env = []string{}
		cmds[i].Stdin = strings.NewReader(w.stdin())
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			b.Fatalf("job %d: %v", i, err)
		}
		wg.Go(func() {
			err := cmd.Wait()
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, took)
			if err != nil {
				failed++
				b.Logf("job %d: %v\n%s", i, err, lastLines(outs[i].String(), 5))
			}
		})
	}
	wg.Wait()
	return slowest, failed
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// runNaive runs every job as the naive client: one request at a time, a
// 429 waited as Retry-After says, until the deadline.
func runNaive(s *server, ws []workload, limit time.Duration) (slowest time.Duration, failed int) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for _, w := range ws {
		wg.Go(func() {
			err := naiveJob(ctx, client, s.apiURL(), w)
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, took)
			if err != nil {
				failed++
			}
		})
	}
	wg.Wait()
	return slowest, failed
}

// naiveJob is what a short script does: read the zone (for its plan, as
// ours does), list the environments, then send the purges in order.
func naiveJob(ctx context.Context, client *http.Client, apiURL string, w workload) error {
	zone := apiURL + "/zones/" + emulator.ExampleZoneID
	for _, path := range []string{zone, zone + "/environments"} {
		if err := naiveCall(ctx, client, http.MethodGet, path, nil); err != nil {
			return err
		}
	}
	purge := zone + "/environments/" + envRefs[w.envs[0]] + "/purge_cache"
	urls := w.urlList()
	for i := 0; i < len(urls); i += w.filesPerRequest {
		body, _ := json.Marshal(map[string][]string{"files": urls[i:min(len(urls), i+w.filesPerRequest)]})
		if err := naiveCall(ctx, client, http.MethodPost, purge, body); err != nil {
			return err
		}
	}
	tags := w.tagList()
	for i := 0; i < len(tags); i += plan.ListItemsPerRequest {
		body, _ := json.Marshal(map[string][]string{"tags": tags[i:min(len(tags), i+plan.ListItemsPerRequest)]})
		if err := naiveCall(ctx, client, http.MethodPost, purge, body); err != nil {
			return err
		}
	}
	return nil
}

func naiveCall(ctx context.Context, client *http.Client, method, url string, body []byte) error {
	for {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+emulator.SandboxToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode/100 == 2:
			return nil
		case res.StatusCode != http.StatusTooManyRequests:
			return fmt.Errorf("%s %s: %s", method, url, res.Status)
		}
		wait := time.Second
		if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
			wait = time.Duration(secs) * time.Second
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}
