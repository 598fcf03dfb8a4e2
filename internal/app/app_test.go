package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

const (
	zoneID = emulator.ExampleZoneID
	// zoneRead reads a zone given by ID for its plan, which sizes the URL batches.
	zoneRead = "GET /zones/" + zoneID
	envs     = "GET /zones/" + zoneID + "/environments"
	zoneP    = "POST /zones/" + zoneID + "/purge_cache"
	stageP   = "POST /zones/" + zoneID + "/environments/" + emulator.StagingRef + "/purge_cache"
	devP     = "POST /zones/" + zoneID + "/environments/" + emulator.DevelopmentRef + "/purge_cache"
)

// Every environment and kind goes to its endpoint, in both modes: a purge
// through purge_cache, an invalidation through invalidate_cache (the rows'
// calls are written for a purge; an invalidation swaps the endpoint) and
// never purge_cache; the outputs, the result document, the summary and the
// log say which.
func TestActionEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		inputs    map[string]string
		wantCalls []string
		wantRefs  string
		wantCount string
		wantKinds []string // per accepted request: environment ref + kind + item count
	}{
		{
			name:      "Staging by name",
			inputs:    map[string]string{"environment": "Staging", "files": "https://example.com/a.css https://example.com/b.js"},
			wantCalls: []string{zoneRead, envs, stageP},
			wantRefs:  emulator.StagingRef,
			wantCount: "2",
			wantKinds: []string{emulator.StagingRef + " files 2"},
		},
		{
			name:      "Development by ref",
			inputs:    map[string]string{"environment": emulator.DevelopmentRef, "tags": "html,css"},
			wantCalls: []string{envs, devP},
			wantRefs:  emulator.DevelopmentRef,
			wantCount: "2",
			wantKinds: []string{emulator.DevelopmentRef + " tags 2"},
		},
		{
			name:      "staging case-insensitively",
			inputs:    map[string]string{"environment": "staging", "hosts": "www.example.com"},
			wantCalls: []string{envs, stageP},
			wantRefs:  emulator.StagingRef,
			wantCount: "1",
			wantKinds: []string{emulator.StagingRef + " hosts 1"},
		},
		{
			name:      "Production needs no environments call",
			inputs:    map[string]string{"environment": "", "purge-everything": "true"},
			wantCalls: []string{zoneP},
			wantCount: "1",
			wantKinds: []string{" purge_everything 0"},
		},
		{
			name:      "Production by name uses the zone endpoint",
			inputs:    map[string]string{"environment": "Production", "prefixes": "www.example.com/assets"},
			wantCalls: []string{zoneP},
			wantCount: "1",
			wantKinds: []string{" prefixes 1"},
		},
		{
			name:      "several environments, one environments call",
			inputs:    map[string]string{"environment": "Staging\nDevelopment, Staging", "tags": "a"},
			wantCalls: []string{envs, stageP, devP},
			wantRefs:  emulator.StagingRef + "," + emulator.DevelopmentRef,
			wantCount: "2",
			wantKinds: []string{emulator.StagingRef + " tags 1", emulator.DevelopmentRef + " tags 1"},
		},
		{
			name:      "zone by name",
			inputs:    map[string]string{"zone": "example.com", "tags": "a"},
			wantCalls: []string{"GET /zones", zoneP},
			wantCount: "1",
			wantKinds: []string{" tags 1"},
		},
		{
			name:      "Staging by name, files",
			inputs:    map[string]string{"environment": "Staging", "files": "https://example.com/a.css https://example.com/b.js"},
			wantCalls: []string{zoneRead, envs, stageP},
			wantRefs:  emulator.StagingRef,
			wantCount: "2",
			wantKinds: []string{emulator.StagingRef + " files 2"},
		},
		{
			name:      "Staging by ref, tags",
			inputs:    map[string]string{"environment": emulator.StagingRef, "tags": "html, css"},
			wantCalls: []string{envs, stageP},
			wantRefs:  emulator.StagingRef,
			wantCount: "2",
			wantKinds: []string{emulator.StagingRef + " tags 2"},
		},
		{
			name: "Development by name, files with headers",
			inputs: map[string]string{"environment": "Development", "files": `{"url": "https://example.com/a.css", "headers": {"CF-Device-Type": "mobile"}}` + "\n" +
				`{"url": "https://example.com/a.css", "headers": {"CF-IPCountry": "DE"}}`},
			wantCalls: []string{zoneRead, envs, devP},
			wantRefs:  emulator.DevelopmentRef,
			wantCount: "2",
			wantKinds: []string{emulator.DevelopmentRef + " files 2"},
		},
		{
			name:      "Development by ref, hosts",
			inputs:    map[string]string{"environment": emulator.DevelopmentRef, "hosts": "www.example.com example.com"},
			wantCalls: []string{envs, devP},
			wantRefs:  emulator.DevelopmentRef,
			wantCount: "2",
			wantKinds: []string{emulator.DevelopmentRef + " hosts 2"},
		},
		{
			name:      "Staging, prefixes",
			inputs:    map[string]string{"environment": "Staging", "prefixes": "www.example.com/assets\nexample.com/img/"},
			wantCalls: []string{envs, stageP},
			wantRefs:  emulator.StagingRef,
			wantCount: "2",
			wantKinds: []string{emulator.StagingRef + " prefixes 2"},
		},
		{
			name:      "Development, everything",
			inputs:    map[string]string{"environment": "Development", "purge-everything": "true"},
			wantCalls: []string{envs, devP},
			wantRefs:  emulator.DevelopmentRef,
			wantCount: "1",
			wantKinds: []string{emulator.DevelopmentRef + " purge_everything 0"},
		},
		{
			name:      "Production, everything, through the zone endpoint",
			inputs:    map[string]string{"environment": "", "purge-everything": "true"},
			wantCalls: []string{zoneP},
			wantCount: "1",
			wantKinds: []string{" purge_everything 0"},
		},
		{
			name:      "Production by name, files, through the zone endpoint",
			inputs:    map[string]string{"environment": "Production", "files": "https://example.com/"},
			wantCalls: []string{zoneRead, zoneP},
			wantCount: "1",
			wantKinds: []string{" files 1"},
		},
		{
			name:      "Production, prefixes and hosts",
			inputs:    map[string]string{"prefixes": "www.example.com/assets", "hosts": "static.example.com"},
			wantCalls: []string{zoneP, zoneP},
			wantCount: "2",
			wantKinds: []string{" hosts 1", " prefixes 1"},
		},
		{
			name:      "every kind in two environments",
			inputs:    map[string]string{"environment": "Staging, Development", "files": "https://example.com/", "tags": "html", "hosts": "example.com", "prefixes": "example.com/css"},
			wantCalls: []string{zoneRead, envs, stageP, stageP, stageP, stageP, devP, devP, devP, devP},
			wantRefs:  emulator.StagingRef + "," + emulator.DevelopmentRef,
			wantCount: "8",
			wantKinds: []string{
				emulator.StagingRef + " files 1", emulator.StagingRef + " tags 1", emulator.StagingRef + " hosts 1", emulator.StagingRef + " prefixes 1",
				emulator.DevelopmentRef + " files 1", emulator.DevelopmentRef + " tags 1", emulator.DevelopmentRef + " hosts 1", emulator.DevelopmentRef + " prefixes 1",
			},
		},
	}
	for _, tt := range tests {
		for _, invalidate := range []bool{false, true} {
			name := tt.name
			if invalidate {
				name += ", invalidated"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, emulator.Options{})
				in := h.defaults(tt.inputs)
				wantCalls := slices.Clone(tt.wantCalls)
				if invalidate {
					in["invalidate"] = "true"
					for i, c := range wantCalls {
						wantCalls[i] = strings.Replace(c, "/purge_cache", "/invalidate_cache", 1)
					}
				}
				r := h.action(in, nil)
				if r.code != 0 {
					t.Fatalf("exit code %d, want 0\nstdout:\n%s", r.code, r.stdout)
				}
				// Requests run concurrently: compare them as a set after the lookups.
				if diff := cmp.Diff(sortedTail(wantCalls), sortedTail(h.paths())); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
				accepted, other := h.em.Purges(), h.em.Invalidations()
				if invalidate {
					accepted, other = other, accepted
					if n := h.purgeRequests(); n != 0 {
						t.Errorf("%d purge_cache requests in invalidate mode, want none", n)
					}
				}
				if len(other) != 0 {
					t.Errorf("the emulator accepted requests of the other mode: %+v", other)
				}
				var kinds []string
				for _, p := range accepted {
					if p.Invalidate != invalidate {
						t.Errorf("%+v: Invalidate is %v, want %v", p, p.Invalidate, invalidate)
					}
					kinds = append(kinds, fmt.Sprintf("%s %s %d", p.EnvironmentRef, p.Kind, len(p.Items)))
				}
				if diff := cmp.Diff(sortedTail(tt.wantKinds), sortedTail(kinds)); diff != "" {
					t.Errorf("accepted (-want +got):\n%s", diff)
				}
				want := map[string]string{
					"zone-id":         zoneID,
					"environment-ref": tt.wantRefs,
					"purged-count":    tt.wantCount,
					"failed-count":    "0",
				}
				got := map[string]string{}
				for k := range want {
					got[k] = r.outputs[k]
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("outputs (-want +got):\n%s", diff)
				}
				if ids := strings.Split(r.outputs["purge-ids"], ","); len(ids) != len(accepted) {
					t.Errorf("purge-ids %q: want %d ids", r.outputs["purge-ids"], len(accepted))
				}
				var doc result.Result
				if err := json.Unmarshal([]byte(r.outputs["result"]), &doc); err != nil {
					t.Fatalf("result output is not JSON: %v", err)
				}
				if fmt.Sprint(doc.PurgedCount) != tt.wantCount || doc.ZoneID != zoneID || doc.Invalidate != invalidate {
					t.Errorf("result document disagrees with outputs: %+v", doc)
				}
				if !strings.Contains(r.stdout, "::group::") || !strings.Contains(r.stdout, "::endgroup::") {
					t.Errorf("no ::group:: per environment in the log:\n%s", r.stdout)
				}
				if invalidate {
					checkSaysInvalidated(t, r, tt.wantCount)
				} else if !strings.Contains(r.summary, "Cloudflare cache purge: done") {
					t.Errorf("summary:\n%s", r.summary)
				}
			})
		}
	}
}

// sortedTail keeps the order of lookups (GETs) and sorts the purges, which
// run concurrently.
func sortedTail(s []string) []string {
	var gets, rest []string
	for _, v := range s {
		if strings.HasPrefix(v, "GET ") {
			gets = append(gets, v)
		} else {
			rest = append(rest, v)
		}
	}
	slices.Sort(rest)
	return append(gets, rest...)
}

func TestActionBatchesInPlanOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	var urls []string
	for i := range 65 {
		urls = append(urls, fmt.Sprintf("https://example.com/%d.js", i))
	}
	r := h.action(h.defaults(map[string]string{"environment": "Staging,Development", "files": strings.Join(urls, "\n"), "tags": "x", "files-per-request": "30"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if got := h.purgeRequests(); got != 8 { // (3 file batches + 1 tag batch) x 2
		t.Errorf("purge requests = %d, want 8", got)
	}
	if r.outputs["purged-count"] != "132" {
		t.Errorf("purged-count = %q, want 132", r.outputs["purged-count"])
	}
	// purge-ids are in plan order: environment, then batch.
	var doc result.Result
	if err := json.Unmarshal([]byte(r.outputs["result"]), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range doc.Environments {
		for _, b := range e.Batches {
			ids = append(ids, b.ID)
		}
	}
	if diff := cmp.Diff(strings.Join(ids, ","), r.outputs["purge-ids"]); diff != "" {
		t.Errorf("purge-ids not in plan order (-want +got):\n%s", diff)
	}
	wantSizes := []int{30, 30, 5, 1}
	for _, e := range doc.Environments {
		var sizes []int
		for _, b := range e.Batches {
			sizes = append(sizes, b.Count)
		}
		if diff := cmp.Diff(wantSizes, sizes); diff != "" {
			t.Errorf("%s batch sizes (-want +got):\n%s", e.Name, diff)
		}
	}
}

func TestActionFilesFromAndBaseURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	list := "# changed by the deploy\ncss/app.css\n/index.html\n{\"url\": \"/img/cat.jpg\", \"headers\": {\"CF-Device-Type\": \"mobile\"}}\nhttps://cdn.example.com/x.js\n"
	if err := os.WriteFile(filepath.Join(h.dir, "changed.txt"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.action(h.defaults(map[string]string{"files-from": "changed.txt", "base-url": "https://www.example.com/"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	var got []string
	for _, p := range h.em.Purges() {
		got = append(got, fmt.Sprintf("%s %v", p.Kind, p.Items))
	}
	slices.Sort(got)
	want := []string{
		"files [https://www.example.com/css/app.css https://www.example.com/index.html https://cdn.example.com/x.js]",
		"files [https://www.example.com/img/cat.jpg]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("purges (-want +got):\n%s", diff)
	}
}

func TestActionDryRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"environment": "Staging", "tags": "a,b", "dry-run": "true"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if diff := cmp.Diff([]string{envs}, h.paths()); diff != "" {
		t.Errorf("a dry run makes only read-only calls (-want +got):\n%s", diff)
	}
	want := map[string]string{"purged-count": "0", "failed-count": "0", "environment-ref": emulator.StagingRef, "purge-ids": "", "zone-id": zoneID}
	for k, v := range want {
		if r.outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, r.outputs[k], v)
		}
	}
	if !strings.Contains(r.summary, "Dry run") {
		t.Errorf("summary does not say dry run:\n%s", r.summary)
	}
}

func TestActionRefusesConfigurationThatDoesNotMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(*emulator.Emulator)
		inputs   map[string]string
		want     []string // in the ::error
		wantCode int
	}{
		{
			name:     "unknown environment lists the zone's",
			inputs:   map[string]string{"environment": "Staging,Preview", "tags": "a"},
			want:     []string{`environment "Preview" is not in the zone`, "Production (ref " + emulator.ProductionRef, "Staging (ref", "Development (ref"},
			wantCode: 2,
		},
		{
			name:     "unknown zone name",
			inputs:   map[string]string{"zone": "nope.example", "tags": "a"},
			want:     []string{`zone "nope.example" was not found`},
			wantCode: 2,
		},
		{
			name: "ambiguous zone name",
			setup: func(e *emulator.Emulator) {
				e.AddZone(emulator.Zone{ID: "11111111111111111111111111111111", Name: "example.com", AccountID: "22222222222222222222222222222222", AccountName: "Other"})
			},
			inputs:   map[string]string{"zone": "example.com", "tags": "a"},
			want:     []string{"exists in 2 accounts", "account-id 22222222222222222222222222222222", "set account-id"},
			wantCode: 2,
		},
		{
			// A refusal of the lookup, as the purge of an unknown zone ID
			// would be: exit 1 either way, with the 7003 hint.
			name:     "unknown zone ID",
			inputs:   map[string]string{"zone": "44444444444444444444444444444444", "environment": "Staging", "tags": "a"},
			want:     []string{"Cloudflare error 7003", "check zone (and account)"},
			wantCode: 1,
		},
		{
			name: "zone without versioning",
			setup: func(e *emulator.Emulator) {
				e.AddZone(emulator.Zone{ID: "33333333333333333333333333333333", Name: "plain.example", AccountID: emulator.ExampleAccountID})
			},
			inputs:   map[string]string{"zone": "33333333333333333333333333333333", "environment": "Staging", "tags": "a"},
			want:     []string{"zone versioning is not available"},
			wantCode: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			if tt.setup != nil {
				tt.setup(h.em)
			}
			r := h.action(h.defaults(tt.inputs), nil)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.wantCode, r.stdout)
			}
			if n := h.purgeRequests(); n != 0 {
				t.Errorf("%d purge requests sent, want none", n)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("log lacks %q:\n%s", w, r.stdout)
				}
			}
			if r.outputs["failed-count"] == "0" || r.outputs["purged-count"] != "0" {
				t.Errorf("outputs: every item ends failed: %v", r.outputs)
			}
			if !strings.Contains(r.summary, "failed") {
				t.Errorf("summary:\n%s", r.summary)
			}
		})
	}
}

func TestActionAccountIDNarrowsZoneLookup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	h.em.AddZone(emulator.Zone{ID: "11111111111111111111111111111111", Name: "example.com", AccountID: "22222222222222222222222222222222"})
	r := h.action(h.defaults(map[string]string{"zone": "example.com", "account-id": emulator.ExampleAccountID, "tags": "a"}), nil)
	if r.code != 0 || r.outputs["zone-id"] != zoneID {
		t.Fatalf("exit %d, zone-id %q\n%s", r.code, r.outputs["zone-id"], r.stdout)
	}
	if q := h.em.Requests()[0].RawQuery; !strings.Contains(q, "account.id="+emulator.ExampleAccountID) {
		t.Errorf("zone lookup query %q lacks account.id", q)
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": zoneID}

	r := h.cli([]string{"--environment", "Staging", "--files-from", "-", "--json"}, vars, "https://example.com/a\nhttps://example.com/b\n")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	var doc result.Result
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json prints only the result document: %v\n%s", err, r.stdout)
	}
	if doc.PurgedCount != 2 || doc.EnvironmentRefs[0] != emulator.StagingRef {
		t.Errorf("result: %+v", doc)
	}

	r = h.cli([]string{"--tags", "a", "--dry-run"}, vars, "")
	if r.code != 0 || !strings.Contains(r.stdout, "DRY RUN") {
		t.Errorf("dry run: exit %d\n%s", r.code, r.stdout)
	}

	r = h.cli([]string{"--help"}, vars, "")
	if r.code != 0 || !strings.Contains(r.stdout, "--files-from") || !strings.Contains(r.stdout, "CLOUDFLARE_API_TOKEN") {
		t.Errorf("--help: exit %d\n%s", r.code, r.stdout)
	}
	r = h.cli([]string{"--version"}, vars, "")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "cloudflare-purge ") {
		t.Errorf("--version: exit %d %q", r.code, r.stdout)
	}
	r = h.cli([]string{"--tags", "a", "stray"}, vars, "")
	if r.code != 2 || !strings.Contains(r.stderr, `unexpected argument "stray"`) {
		t.Errorf("stray argument: exit %d\n%s", r.code, r.stderr)
	}
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	// A real token in the environment must not reach the sandbox, nor the sandbox a real account.
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": "real-token-must-not-be-used", "CLOUDFLARE_ZONE_ID": "ffffffffffffffffffffffffffffffff"}
	r := h.cli([]string{"--sandbox", "--environment", "Staging", "--files", "https://example.com/"}, vars, "")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"Staging", emulator.StagingRef, "Purged 1 item, 0 failed"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("sandbox report lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestActionWarnsThatProductionCoversTheOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"environment": "Staging,Production", "tags": "a"}), nil)
	if r.code != 0 || !strings.Contains(r.stdout, "::warning::Production is purged through the zone endpoint, which purges every environment") {
		t.Errorf("exit %d; want a warning that Production covers Staging:\n%s", r.code, r.stdout)
	}
	r = h.action(h.defaults(map[string]string{"environment": "Staging,Development", "tags": "a"}), nil)
	if strings.Contains(r.stdout, "::warning::") {
		t.Errorf("a warning without Production:\n%s", r.stdout)
	}
}
