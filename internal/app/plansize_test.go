package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

func manyURLs(n int) string {
	u := make([]string, n)
	for i := range u {
		u[i] = fmt.Sprintf("https://example.com/%04d.js", i)
	}
	return strings.Join(u, "\n")
}

// batchSizes are the counts of the first environment's batches.
func batchSizes(t *testing.T, r run) []int {
	t.Helper()
	var sizes []int
	for _, b := range doc(t, r).Environments[0].Batches {
		sizes = append(sizes, b.Count)
	}
	return sizes
}

// Without files-per-request, URLs go as many per request as the zone's plan
// takes: 500 on Enterprise, 30 on the others; by name (the lookup has the
// plan) and by ID (a read of the zone has it); a dry run plans the same.
func TestFilesPerRequestFollowsThePlan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		plan emulator.Plan
		zone string
		dry  bool
		want []int
	}{
		{emulator.PlanEnterprise, emulator.ExampleZoneID, false, []int{500, 500, 100}},
		{emulator.PlanEnterprise, emulator.ExampleZoneName, false, []int{500, 500, 100}},
		{emulator.PlanEnterprise, emulator.ExampleZoneID, true, []int{500, 500, 100}},
		{emulator.PlanPro, emulator.ExampleZoneID, false, append(repeat(30, 36), 20)},
		{emulator.PlanFree, emulator.ExampleZoneName, true, append(repeat(30, 36), 20)},
	} {
		t.Run(fmt.Sprintf("%s/%s/dry-run=%v", tt.plan, tt.zone, tt.dry), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{Plan: tt.plan})
			// The purge count is checked exactly: an attempt that a loaded
			// machine's scheduler holds past the harness's short timeout
			// would be retried and counted twice.
			h.RequestTimeout = 30 * time.Second
			r := h.action(h.defaults(map[string]string{"zone": tt.zone, "files": manyURLs(1100), "dry-run": fmt.Sprint(tt.dry)}), nil)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stdout)
			}
			if diff := cmp.Diff(tt.want, batchSizes(t, r)); diff != "" {
				t.Errorf("batch sizes (-want +got):\n%s", diff)
			}
			if want := len(tt.want); !tt.dry && h.purgeRequests() != want {
				t.Errorf("%d purge requests, want %d\n%s", h.purgeRequests(), want, r.stdout)
			}
		})
	}
}

func repeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// A size the zone's plan refuses is refused before any purge: exit 2,
// naming the input, the value and the plan's limit; nothing is sent.
func TestFilesPerRequestAboveThePlanRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{Plan: emulator.PlanPro})
	r := h.action(h.defaults(map[string]string{"environment": "Staging", "files": manyURLs(100), "files-per-request": "31"}), nil)
	want := `::error::input files-per-request: "31": the zone is on the pro plan, which takes at most 30 URLs per purge request`
	if r.code != 2 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d, want 2 and %q:\n%s", r.code, want, r.stdout)
	}
	if n := h.purgeRequests(); n != 0 {
		t.Errorf("%d purge requests sent, want none", n)
	}
	if diff := cmp.Diff([]string{zoneRead}, h.paths()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if r.outputs["failed-count"] != "100" || r.outputs["purged-count"] != "0" {
		t.Errorf("outputs %v: want every item failed", r.outputs)
	}

	// The CLI names the flag.
	c := h.cli([]string{"--zone", emulator.ExampleZoneName, "--api-token", testToken, "--api-url", h.srv.URL + "/client/v4",
		"--files", "https://example.com/a", "--files-per-request", "31"}, nil, "")
	if c.code != 2 || !strings.Contains(c.stderr, `--files-per-request: "31": the zone is on the pro plan, which takes at most 30`) {
		t.Errorf("CLI: exit %d, want 2 naming the flag:\n%s", c.code, c.stderr)
	}
}

// A zone given by ID whose plan cannot be read (a token without Zone Read)
// gets 30 URLs per request, which every plan takes, and says why.
func TestFilesPerRequestWithoutThePlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{Plan: emulator.PlanEnterprise})
	const purgeOnly = "pUrGe0nLy-0123456789abcdefghijklmnopqrst"
	h.em.AddToken(emulator.Token{Value: purgeOnly, Permissions: []emulator.Permission{emulator.PermCachePurge}})
	in := h.defaults(map[string]string{"files": manyURLs(100)})
	in["api-token"] = purgeOnly
	r := h.action(in, nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if diff := cmp.Diff([]int{30, 30, 30, 10}, batchSizes(t, r)); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stdout, "The zone's plan could not be read") || !strings.Contains(r.stdout, "files-per-request: 500") {
		t.Errorf("the log does not say why 30:\n%s", r.stdout)
	}
}

// A run of many small URL requests that the API-wide quota cannot carry is
// refused with the ways that fit: the plan's larger requests, prefixes.
func TestRefusalSaysWhatFits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{APILimit: emulator.APILimit{Quota: 10, Window: time.Minute}})
	r := h.action(h.defaults(map[string]string{"files": manyURLs(3000), "files-per-request": "30", "timeout": "30s"}), nil)
	for _, want := range []string{"its 100 purge requests need at least", "Cloudflare's API-wide limit",
		"an empty files-per-request (500 URLs per request, the most the zone's plan takes)", "prefixes, hosts or tags instead of many URLs"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("log lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 || h.purgeRequests() != 0 {
		t.Errorf("exit %d, %d purges: want 2, none", r.code, h.purgeRequests())
	}
	// With the plan's size, 6 requests fit.
	h.em.Reset()
	r = h.action(h.defaults(map[string]string{"files": manyURLs(3000), "timeout": "30s"}), nil)
	if r.code != 0 || h.purgeRequests() != 6 {
		t.Errorf("default size: exit %d, %d purges: want 0, 6\n%s", r.code, h.purgeRequests(), r.stdout)
	}
}

// A dry run reads the zone's plan for the size of its URL requests, and
// the answer tells the API-wide limit: a run that the limit could not let
// through in time is warned of, and still nothing is sent.
func TestDryRunWarnsOfTheAPILimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{APILimit: emulator.APILimit{Quota: 2, Window: time.Minute}})
	r := h.action(h.defaults(map[string]string{"files": manyURLs(3000), "timeout": "5s", "dry-run": "true"}), nil)
	for _, want := range []string{"::warning::Without dry-run, this run would be refused", "its 6 purge requests need at least", "Cloudflare's API-wide limit", "2 calls per 1m0s"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("log lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 0 || h.purgeRequests() != 0 {
		t.Errorf("exit %d, %d purges: want 0, none", r.code, h.purgeRequests())
	}
	if diff := cmp.Diff([]string{zoneRead}, h.paths()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
