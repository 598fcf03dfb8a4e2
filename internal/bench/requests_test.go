package bench

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/app"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// Every run sends the calls it cannot skip and no other: the zone's read
// for a zone ID (its plan paces the run and sizes the URL batches; a dry run
// reads it for URLs only) or its lookup for a name, no
// environments call for Production, one environments call
// however many environments, and per environment and kind ceil(items /
// per-request limit) purges, each carrying one kind.
func TestRunsSendOnlyTheCallsTheyNeed(t *testing.T) {
	t.Parallel()
	const (
		urls, tags, hosts, prefixes = 550, 250, 2, 1 // 2 + 3 + 1 + 1 requests per environment (Enterprise: 500 URLs a request; 4 x 550 URLs within its burst)
		perEnv                      = 7
	)
	tests := []struct {
		name   string
		zone   string
		envs   string
		dryRun bool
		want   map[string]int
	}{
		{name: "zone ID, Production", zone: emulator.ExampleZoneID, envs: "Production",
			want: map[string]int{"GET zone": 1, "POST zone purge": perEnv}},
		{name: "zone ID, no environment", zone: emulator.ExampleZoneID,
			want: map[string]int{"GET zone": 1, "POST zone purge": perEnv}},
		{name: "zone name, Production", zone: emulator.ExampleZoneName, envs: "production",
			want: map[string]int{"GET zones": 1, "POST zone purge": perEnv}},
		{name: "zone ID, three environments", zone: emulator.ExampleZoneID, envs: "Staging,Development,QA",
			want: map[string]int{"GET zone": 1, "GET environments": 1, "POST environment purge": 3 * perEnv}},
		{name: "zone ID, dry run", zone: emulator.ExampleZoneID, envs: "Staging", dryRun: true,
			want: map[string]int{"GET zone": 1, "GET environments": 1}},
		{name: "zone name, four environments", zone: emulator.ExampleZoneName, envs: "Production,Staging,Development,QA",
			want: map[string]int{"GET zones": 1, "GET environments": 1, "POST zone purge": perEnv, "POST environment purge": 3 * perEnv}},
		{name: "dry run", zone: emulator.ExampleZoneName, envs: "Staging", dryRun: true,
			want: map[string]int{"GET zones": 1, "GET environments": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := workload{plan: emulator.PlanEnterprise}
			s := newServer(t, w, nil, 0)
			var lists [4][]string
			for i, n := range []int{urls, tags, hosts, prefixes} {
				for j := range n {
					lists[i] = append(lists[i], fmt.Sprintf([]string{"https://example.com/%d.css", "tag-%d", "h%d.example.com", "example.com/p%d/"}[i], j))
				}
			}
			args := []string{
				"--zone", tt.zone, "--api-url", s.apiURL(), "--api-token", emulator.SandboxToken,
				"--files", strings.Join(lists[0], "\n"), "--tags", strings.Join(lists[1], ","),
				"--hosts", strings.Join(lists[2], ","), "--prefixes", strings.Join(lists[3], ","),
			}
			if tt.envs != "" {
				args = append(args, "--environment", tt.envs)
			}
			if tt.dryRun {
				args = append(args, "--dry-run")
			}
			var stdout, stderr bytes.Buffer
			code := app.Main(context.Background(), app.Env{
				Args: args, Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
				Getenv: func(string) string { return "" },
			})
			if code != 0 {
				t.Fatalf("exit code %d\n%s\n%s", code, stdout.String(), stderr.String())
			}
			got := map[string]int{}
			for _, r := range s.em.Requests() {
				got[r.Method+" "+callKind(r.Path)]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			// One kind per request, as few requests as the limits allow.
			kinds := map[string]int{}
			for _, p := range s.em.Purges() {
				kinds[p.Kind]++
			}
			wantKinds := map[string]int{}
			if n := got["POST zone purge"] + got["POST environment purge"]; n > 0 {
				envs := n / perEnv
				wantKinds = map[string]int{"files": 2 * envs, "tags": 3 * envs, "hosts": envs, "prefixes": envs}
			}
			if diff := cmp.Diff(wantKinds, kinds); diff != "" {
				t.Errorf("purges per kind (-want +got):\n%s", diff)
			}
		})
	}
}

// callKind names an API path by what it does.
func callKind(path string) string {
	switch {
	case strings.HasSuffix(path, "/environments"):
		return "environments"
	case strings.Contains(path, "/environments/") && strings.HasSuffix(path, "/purge_cache"):
		return "environment purge"
	case strings.HasSuffix(path, "/purge_cache"):
		return "zone purge"
	case strings.HasSuffix(path, "/zones"):
		return "zones"
	case strings.Contains(path, "/zones/") && strings.Count(strings.TrimPrefix(path, "/client/v4"), "/") == 2:
		return "zone"
	}
	return path
}
