package app

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// A run of one zone writes what it wrote before zones could be several:
// the result document, the outputs, the summary and the CLI's report, byte
// for byte (the durations and purge ids aside), so that workflows reading
// them keep working.
func TestOneZoneUnchanged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs map[string]string
	}{
		{"by-id", map[string]string{"environment": "Production, Staging",
			"files": "https://example.com/ https://www.example.com/css/app.css", "tags": "html"}},
		{"by-name", map[string]string{"zone": "example.com", "environment": "Staging",
			"files": "https://example.com/", "hosts": "www.example.com", "prefixes": "example.com/blog"}},
		{"dry-run", map[string]string{"zone": "example.com", "environment": "Development", "dry-run": "true",
			"files": "https://example.com/a https://example.com/b", "tags": "css"}},
		{"unknown-environment", map[string]string{"environment": "Nope", "tags": "html"}},
		// One zone routes nothing: a URL of another host goes to it, as
		// before (a custom hostname of Cloudflare for SaaS is one).
		{"other-host", map[string]string{"files": "https://shop.example.net/", "tags": "html"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			r := h.action(h.defaults(c.inputs), nil)
			ids := r.outputs["purge-ids"]
			var b strings.Builder
			for _, name := range []string{"zone-id", "environment-ref", "purge-ids", "purged-count", "failed-count", "verified-count", "stale-count"} {
				fmt.Fprintf(&b, "%s=%s\n", name, r.outputs[name])
			}
			fmt.Fprintf(&b, "exit=%d\n\nresult:\n%s\n\nsummary:\n%s", r.code, r.outputs["result"], r.summary)
			goldenFile(t, "onezone-"+c.name+".txt", normalizeRun(b.String(), ids))

			args := []string{"--api-url", h.srv.URL + "/client/v4", "--api-token", testToken}
			in := h.defaults(c.inputs)
			for _, k := range slices.Sorted(maps.Keys(in)) {
				switch k {
				case "api-url", "api-token":
					continue
				}
				args = append(args, "--"+k+"="+in[k])
			}
			cli := h.cli(args, nil, "")
			human := h.cli(append(args, "--json"), nil, "")
			goldenFile(t, "onezone-"+c.name+"-cli.txt", normalizeRun(fmt.Sprintf("exit=%d\n%s\njson:\n%s", cli.code, cli.stdout, human.stdout), ""))
		})
	}
}

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenFile compares got with testdata/name; -update rewrites it.
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/app -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if intended, run go test ./internal/app -update:\n%s", name, diff)
	}
}

var (
	durationRow = regexp.MustCompile(`(?m)^\| Duration \| [^|]+ \|$`)
	durationMS  = regexp.MustCompile(`("duration_ms":)\d+`)
	humanMS     = regexp.MustCompile(`\(\d+ms\)`)
	purgeID     = regexp.MustCompile(`[0-9a-f]{32}`)
)

// normalizeRun replaces what changes from run to run: durations and purge
// ids, in plan order where ids lists them (the zone's id and the
// environments' refs are fixed).
func normalizeRun(s, ids string) string {
	s = durationRow.ReplaceAllString(s, "| Duration | (duration) |")
	if ids != "" {
		for i, id := range strings.Split(ids, ",") {
			s = strings.ReplaceAll(s, id, fmt.Sprintf("(id %d)", i+1))
		}
	}
	s = durationMS.ReplaceAllString(s, "${1}0")
	s = humanMS.ReplaceAllString(s, "(0ms)")
	return purgeID.ReplaceAllStringFunc(s, func(id string) string {
		if id == emulator.ExampleZoneID {
			return id
		}
		return "(id)"
	})
}
