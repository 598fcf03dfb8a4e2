package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// zonePurges lists the accepted purges as "zone ref kind [items]", sorted,
// with the seeded zones and refs named.
func (h *harness) zonePurges() []string {
	names := map[string]string{
		emulator.ExampleZoneID: "example.com", emulator.OrgZoneID: "example.org",
		emulator.StagingRef: "Staging", emulator.OrgStagingRef: "Staging", emulator.DevelopmentRef: "Development", emulator.OrgDevelopmentRef: "Development",
		"": "Production",
	}
	var out []string
	for _, p := range h.em.Purges() {
		zone, env := names[p.ZoneID], names[p.EnvironmentRef]
		if p.EnvironmentRef == emulator.OrgStagingRef || p.EnvironmentRef == emulator.OrgDevelopmentRef {
			env = "org-" + env // the refs differ: say which zone's ref went
		}
		out = append(out, fmt.Sprintf("%s %s %s %v", cmpOr(zone, p.ZoneID), cmpOr(env, p.EnvironmentRef), p.Kind, p.Items))
	}
	slices.Sort(out)
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// URLs, hosts and prefixes go to the zone their host is in; a tag to
// every zone. The outputs and the document list both zones.
func TestZonesRouteItems(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	r := h.action(h.defaults(map[string]string{"zone": "example.com\nexample.org",
		"files":    "https://www.example.org/a https://example.com/b https://EXAMPLE.org/c",
		"hosts":    "static.example.org",
		"prefixes": "example.com/blog",
		"tags":     "html"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := []string{
		"example.com Production files [https://example.com/b]",
		"example.com Production prefixes [example.com/blog]",
		"example.com Production tags [html]",
		"example.org Production files [https://www.example.org/a https://example.org/c]",
		"example.org Production hosts [static.example.org]",
		"example.org Production tags [html]",
	}
	if diff := cmp.Diff(want, h.zonePurges()); diff != "" {
		t.Errorf("purges (-want +got)\n%s", diff)
	}
	if got, want := r.outputs["zone-id"], emulator.ExampleZoneID+","+emulator.OrgZoneID; got != want {
		t.Errorf("zone-id = %q, want %q", got, want)
	}
	if r.outputs["purged-count"] != "7" || r.outputs["failed-count"] != "0" {
		t.Errorf("purged %s, failed %s; want 7, 0", r.outputs["purged-count"], r.outputs["failed-count"])
	}
	d := doc(t, r)
	if len(d.Environments) != 0 || len(d.Zones) != 2 {
		t.Fatalf("document: %d top-level environments, %d zones; want 0, 2\n%s", len(d.Environments), len(d.Zones), r.outputs["result"])
	}
	for i, want := range []struct {
		id, name      string
		purged, files int
	}{{emulator.ExampleZoneID, "example.com", 3, 1}, {emulator.OrgZoneID, "example.org", 4, 2}} {
		z := d.Zones[i]
		if z.ID != want.id || z.Name != want.name || z.PurgedCount != want.purged || len(z.Environments) != 1 || z.Environments[0].Batches[0].Count != want.files {
			t.Errorf("zone %d = %+v", i, z)
		}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.outputs["result"]), &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["environments"]; ok {
		t.Error("a document of several zones has top-level environments")
	}
	for _, s := range []string{"| Zones | example\\.com (`" + emulator.ExampleZoneID + "`), example\\.org (`" + emulator.OrgZoneID + "`) |",
		"### Zone example\\.com (`" + emulator.ExampleZoneID + "`)", "### Zone example\\.org (`" + emulator.OrgZoneID + "`)"} {
		if !strings.Contains(r.summary, s) {
			t.Errorf("summary does not say %q:\n%s", s, r.summary)
		}
	}
	if !strings.Contains(r.stdout, "::group::example.org Production") {
		t.Errorf("log has no group for example.org's Production:\n%s", r.stdout)
	}
}

// An item in none of the zones is refused before any request, naming the
// item and the zones; given by ID, a zone is named by its lookup, and the
// refusal comes before any purge.
func TestZonesRefuseItemOfNoZone(t *testing.T) {
	t.Parallel()
	t.Run("by name: nothing sent", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{SecondZone: true})
		r := h.action(h.defaults(map[string]string{"zone": "example.com, example.org", "files": "https://example.com/ https://example.net/x", "tags": "html"}), nil)
		if r.code != ExitConfig || len(h.em.Requests()) != 0 {
			t.Fatalf("exit %d, %d requests; want %d, none\n%s", r.code, len(h.em.Requests()), ExitConfig, r.stdout)
		}
		want := `input files: "https://example.net/x": its host is in none of the zones (example.com, example.org)`
		if !strings.Contains(r.stdout, "::error::"+want) || !strings.Contains(r.summary, "example\\.net/x") {
			t.Errorf("the error does not say %q:\n%s\n%s", want, r.stdout, r.summary)
		}
		cli := h.cli([]string{"--zone", "example.com", "--zone", "example.org", "--hosts", "example.net"},
			map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4"}, "")
		if cli.code != ExitConfig || !strings.Contains(cli.stderr, `--hosts: "example.net": its host is in none of the zones (example.com, example.org): add its zone to --zone`) || len(h.em.Requests()) != 0 {
			t.Errorf("CLI: exit %d, %d requests\n%s", cli.code, len(h.em.Requests()), cli.stderr)
		}
	})
	t.Run("by ID: no purge", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{SecondZone: true})
		r := h.action(h.defaults(map[string]string{"zone": emulator.OrgZoneID + "," + emulator.ExampleZoneID, "prefixes": "example.org/a cdn.example.net/b"}), nil)
		if r.code != ExitConfig || h.purgeRequests() != 0 {
			t.Fatalf("exit %d, %d purges; want %d, none\n%s", r.code, h.purgeRequests(), ExitConfig, r.stdout)
		}
		if want := `input prefixes: "cdn.example.net/b": its host is in none of the zones (example.org, example.com)`; !strings.Contains(r.stdout, want) {
			t.Errorf("the error does not say %q:\n%s", want, r.stdout)
		}
		if r.outputs["failed-count"] != "2" {
			t.Errorf("failed-count %s, want 2 (each prefix, not purged)", r.outputs["failed-count"])
		}
	})
}

// With several zones, a verify-urls or wait-urls URL in none of them is
// refused as an item is: each is requested through its own zone's
// environments only, so one of no zone would be dropped unseen (a wait
// that then waits for nothing, and purges).
func TestZonesRefuseSiteURLOfNoZone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, input string
		more        map[string]string
	}{
		{"verify-urls", "verify-urls", map[string]string{"verify": "true", "verify-urls": "https://example.com/ https://example.net/x"}},
		{"wait-urls", "wait-urls", map[string]string{"wait": "5s", "expect-body": "v2", "wait-urls": "https://example.net/x"}},
		{"verify-urls waited for", "verify-urls", map[string]string{"wait": "5s", "expect-body": "v2", "verify-urls": "https://example.net/x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{SecondZone: true})
			in := map[string]string{"zone": "example.com,example.org", "tags": "html"}
			for k, v := range tc.more {
				in[k] = v
			}
			r := h.action(h.defaults(in), nil)
			if r.code != ExitConfig || len(h.em.Requests()) != 0 {
				t.Fatalf("exit %d, %d requests; want %d, none\n%s", r.code, len(h.em.Requests()), ExitConfig, r.stdout)
			}
			want := `input ` + tc.input + `: "https://example.net/x": its host is in none of the zones (example.com, example.org)`
			if !strings.Contains(r.stdout, "::error::"+want) {
				t.Errorf("the error does not say %q:\n%s", want, r.stdout)
			}
		})
	}
	t.Run("by ID: no purge", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{SecondZone: true})
		r := h.action(h.defaults(map[string]string{"zone": emulator.OrgZoneID + "," + emulator.ExampleZoneID, "tags": "html",
			"verify": "true", "verify-urls": "https://example.org/ https://cdn.example.net/b"}), nil)
		if r.code != ExitConfig || h.purgeRequests() != 0 {
			t.Fatalf("exit %d, %d purges; want %d, none\n%s", r.code, h.purgeRequests(), ExitConfig, r.stdout)
		}
		if want := `input verify-urls: "https://cdn.example.net/b": its host is in none of the zones (example.org, example.com)`; !strings.Contains(r.stdout, want) {
			t.Errorf("the error does not say %q:\n%s", want, r.stdout)
		}
	})
}

// An environment is resolved in each zone: Staging is each zone's own,
// under its own ref. A zone without it is a configuration error that
// names the zone.
func TestZonesEnvironmentInEachZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	r := h.action(h.defaults(map[string]string{"zone": "example.org\nexample.com", "environment": "staging",
		"files": "https://example.com/ https://example.org/", "tags": "css"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := []string{
		"example.com Staging files [https://example.com/]",
		"example.com Staging tags [css]",
		"example.org org-Staging files [https://example.org/]",
		"example.org org-Staging tags [css]",
	}
	if diff := cmp.Diff(want, h.zonePurges()); diff != "" {
		t.Errorf("purges (-want +got)\n%s", diff)
	}
	if got, want := r.outputs["environment-ref"], emulator.OrgStagingRef+","+emulator.StagingRef; got != want {
		t.Errorf("environment-ref = %q, want %q (input order)", got, want)
	}
	if got, want := r.outputs["zone-id"], emulator.OrgZoneID+","+emulator.ExampleZoneID; got != want {
		t.Errorf("zone-id = %q, want %q (input order)", got, want)
	}

	t.Run("a zone without versioning", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{SecondZone: true})
		h.em.AddZone(emulator.Zone{Name: "example.net", AccountID: emulator.ExampleAccountID})
		r := h.action(h.defaults(map[string]string{"zone": "example.com,example.net", "environment": "Staging", "tags": "css"}), nil)
		if r.code != ExitConfig || h.purgeRequests() != 0 {
			t.Fatalf("exit %d, %d purges; want %d, none\n%s", r.code, h.purgeRequests(), ExitConfig, r.stdout)
		}
		if !strings.Contains(r.stdout, "::error::zone example.net (") || !strings.Contains(r.stdout, "zone versioning is not available") {
			t.Errorf("the error does not name the zone:\n%s", r.stdout)
		}
	})
	t.Run("a zone without the environment", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{SecondZone: true})
		h.em.AddZone(emulator.Zone{Name: "example.net", AccountID: emulator.ExampleAccountID, Versioning: true,
			Environments: []emulator.Environment{{Name: "Production", Ref: "0123456789abcdef0123456789abcd", Expression: `(cf.zone.name eq "example.net")`}}})
		r := h.action(h.defaults(map[string]string{"zone": "example.net,example.com", "environment": "Staging", "tags": "css"}), nil)
		if r.code != ExitConfig || h.purgeRequests() != 0 {
			t.Fatalf("exit %d, %d purges; want %d, none\n%s", r.code, h.purgeRequests(), ExitConfig, r.stdout)
		}
		if !strings.Contains(r.stdout, `::error::zone example.net (`) || !strings.Contains(r.stdout, `environment "Staging" is not in the zone`) {
			t.Errorf("the error does not name the zone:\n%s", r.stdout)
		}
	})
}

// Zones by ID and by name mixed: the ID's lookup names its zone, which
// routes its URLs. Without Zone Read, a zone given by ID cannot be named:
// items to route stop the run before any purge; tags alone go on.
func TestZonesByIDAndName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	r := h.action(h.defaults(map[string]string{"zone": emulator.OrgZoneID + "\nexample.com", "environment": "Development",
		"files": "https://example.com/a https://www.example.org/b", "dry-run": "false"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := []string{
		"example.com Development files [https://example.com/a]",
		"example.org org-Development files [https://www.example.org/b]",
	}
	if diff := cmp.Diff(want, h.zonePurges()); diff != "" {
		t.Errorf("purges (-want +got)\n%s", diff)
	}
	if d := doc(t, r); len(d.Zones) != 2 || d.Zones[0].Name != "example.org" || d.Zones[1].ID != emulator.ExampleZoneID {
		t.Errorf("zones = %+v", d.Zones)
	}

	const noZoneRead = "nOzOnErEaD-0123456789abcdefghijklmnopqrstu"
	h.em.AddToken(emulator.Token{Value: noZoneRead, Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneVersioningRead}})
	t.Run("a lookup refused, items to route", func(t *testing.T) {
		before := h.purgeRequests()
		r := h.action(h.defaults(map[string]string{"api-token": noZoneRead, "zone": emulator.OrgZoneID + "," + emulator.ExampleZoneID, "files": "https://example.org/"}), nil)
		if r.code != ExitFailed || h.purgeRequests() != before {
			t.Fatalf("exit %d, %d purges; want %d, none\n%s", r.code, h.purgeRequests()-before, ExitFailed, r.stdout)
		}
		if !strings.Contains(r.stdout, "(zone "+emulator.OrgZoneID+")") || !strings.Contains(r.stdout, "give the zone by name") {
			t.Errorf("the error does not name the zone and say what to do:\n%s", r.stdout)
		}
		if r.outputs["failed-count"] != "1" {
			t.Errorf("failed-count %s, want 1", r.outputs["failed-count"])
		}
	})
	t.Run("a lookup refused, tags only", func(t *testing.T) {
		before := h.purgeRequests()
		r := h.action(h.defaults(map[string]string{"api-token": noZoneRead, "zone": emulator.OrgZoneID + "," + emulator.ExampleZoneID, "tags": "html"}), nil)
		if r.code != 0 || h.purgeRequests() != before+2 {
			t.Fatalf("exit %d, %d purges; want 0, 2\n%s", r.code, h.purgeRequests()-before, r.stdout)
		}
		if d := doc(t, r); len(d.Zones) != 2 || d.Zones[0].ID != emulator.OrgZoneID || d.Zones[0].Name != "" {
			t.Errorf("zones = %+v", d.Zones)
		}
	})
}

// A matrix over zones, one zone per job, works as before: one zone routes
// nothing and each job purges its own.
func TestZonesMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	for _, job := range []map[string]string{
		{"zone": emulator.OrgZoneID, "environment": "Staging", "files": "https://www.example.org/"},
		{"zone": "example.com", "environment": "Staging", "files": "https://www.example.com/"},
	} {
		r := h.action(h.defaults(job), nil)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", job, r.code, r.stdout)
		}
		d := doc(t, r)
		if len(d.Zones) != 0 || len(d.Environments) != 1 || r.outputs["zone-id"] == "" || strings.Contains(r.outputs["zone-id"], ",") {
			t.Errorf("%v: a one-zone document: zones %v, environments %d, zone-id %q", job, d.Zones, len(d.Environments), r.outputs["zone-id"])
		}
	}
	want := []string{
		"example.com Staging files [https://www.example.com/]",
		"example.org org-Staging files [https://www.example.org/]",
	}
	if diff := cmp.Diff(want, h.zonePurges()); diff != "" {
		t.Errorf("purges (-want +got)\n%s", diff)
	}
}

// The sandbox has two zones: a run of both, verified, works offline.
func TestZonesSandbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--zone", "example.com,example.org", "--environment", "Staging,Development",
		"--files", "https://example.com/ https://www.example.org/css/app.css", "--tags", "html", "--verify"}, nil, "")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{"Zone: example.com (" + emulator.ExampleZoneID + ")", "Zone: example.org (" + emulator.OrgZoneID + ")",
		"Staging (environment endpoint, ref " + emulator.OrgStagingRef + ")", "Verified 4 URLs, 0 stale."} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("report does not say %q:\n%s", s, r.stdout)
		}
	}
	dry := h.cli([]string{"--sandbox", "--zone", "example.com,example.org", "--files", "https://example.com/ https://www.example.org/", "--dry-run"}, nil, "")
	if dry.code != 0 || !strings.Contains(dry.stdout, "Zone: example.org ("+emulator.OrgZoneID+")\nProduction (zone endpoint: purges every environment): 1 URL in 1 request\n  https://www.example.org/\n") {
		t.Errorf("dry run: exit %d\n%s\n%s", dry.code, dry.stdout, dry.stderr)
	}
}

// The zones share the run's one pacer, which takes the slowest of their
// plans: the budgets are the account's, never one per zone.
func TestSlowestPlan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		plans []string
		want  string
	}{
		{[]string{"enterprise", "pro"}, "pro"},
		{[]string{"Business Website", "Enterprise Website"}, "Business Website"},
		{[]string{"free", "business", ""}, "free"},
		{[]string{"", "unknown"}, ""},
	} {
		if got := slowestPlan(tt.plans); got != tt.want {
			t.Errorf("slowestPlan(%q) = %q, want %q", tt.plans, got, tt.want)
		}
	}
}

// A zone given twice, by name and by ID, is purged once: the run is then
// of one zone.
func TestZonesGivenTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	r := h.action(h.defaults(map[string]string{"zone": "example.com," + emulator.ExampleZoneID, "tags": "html", "files": "https://example.com/"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := []string{"example.com Production files [https://example.com/]", "example.com Production tags [html]"}
	if diff := cmp.Diff(want, h.zonePurges()); diff != "" {
		t.Errorf("purges (-want +got)\n%s", diff)
	}
	if !strings.Contains(r.stdout, "::warning::zone example.com ("+emulator.ExampleZoneID+") is given twice") || r.outputs["zone-id"] != emulator.ExampleZoneID {
		t.Errorf("zone-id %q; log:\n%s", r.outputs["zone-id"], r.stdout)
	}
}

// The zones of one account share its purge budget: the run's one pacer
// holds their requests together to the plan's, never one budget per zone.
// Two Pro zones (25 tag requests in the bucket, then 5 a second) send 40
// requests, 20 each: one budget per zone would send 50 at once and meet
// 429s; one for the account meets none.
func TestZonesShareOneBudget(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	h := newHarness(t, emulator.Options{Plan: emulator.PlanPro, RateLimits: true, SecondZone: true, Now: clock.Now})
	var tags []string
	for i := range 2000 { // 20 requests of 100 tags, in each zone
		tags = append(tags, fmt.Sprintf("tag%04d", i))
	}
	r := h.actionIn(h.dir, h.defaults(map[string]string{"zone": "example.com,example.org", "tags": strings.Join(tags, ",")}), nil, func(e *Env) {
		// The run's pacer, on the fake clock: it reads the zones' plan.
		e.hooks.now, e.hooks.paceSleep, e.hooks.sleep = clock.Now, nil, clock.Sleep
	})
	if r.code != 0 || r.outputs["purged-count"] != "4000" {
		t.Fatalf("exit %d, purged %s\n%s", r.code, r.outputs["purged-count"], r.stdout)
	}
	limited := 0
	for _, q := range h.em.Requests() {
		if q.Status == 429 {
			limited++
		}
	}
	if limited != 0 || len(h.em.Purges()) != 40 {
		t.Errorf("%d purges, %d answered 429; want 40, none", len(h.em.Purges()), limited)
	}
}

// A lookup of one zone of several that the API refuses names that zone;
// one not found names it too.
func TestZonesLookupFailureNamesTheZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	const purgeOnly = "pUrGeOnLy-0123456789abcdefghijklmnopqrstu"
	h.em.AddToken(emulator.Token{Value: purgeOnly, Permissions: []emulator.Permission{emulator.PermCachePurge}})
	r := h.action(h.defaults(map[string]string{"api-token": purgeOnly, "zone": "example.org,example.com", "tags": "html"}), nil)
	if r.code != ExitFailed || h.purgeRequests() != 0 {
		t.Fatalf("exit %d, %d purges\n%s", r.code, h.purgeRequests(), r.stdout)
	}
	if !strings.Contains(r.stdout, "::error::zone lookup failed (HTTP 403): Cloudflare error 10000: Authentication error (zone example.org). The token needs") {
		t.Errorf("the error does not name example.org:\n%s", r.stdout)
	}
	r = h.action(h.defaults(map[string]string{"zone": "example.com,example.net", "tags": "html"}), nil)
	if r.code != ExitConfig || !strings.Contains(r.stdout, `::error::zone "example.net" was not found`) {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
}

// Each zone's plan sizes its own URL batches: 500 on Enterprise, 30 on Pro.
func TestZonesBatchesSizedPerZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{SecondZone: true})
	h.em.AddZone(emulator.Zone{Name: "example.net", AccountID: emulator.ExampleAccountID, Plan: emulator.PlanPro})
	var files []string
	for i := range 40 {
		files = append(files, fmt.Sprintf("https://example.com/%d.css", i), fmt.Sprintf("https://www.example.net/%d.css", i))
	}
	r := h.action(h.defaults(map[string]string{"zone": "example.com,example.net", "files": strings.Join(files, "\n")}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	per := map[string][]int{}
	for _, p := range h.em.Purges() {
		per[p.ZoneID] = append(per[p.ZoneID], len(p.Items))
	}
	d := doc(t, r)
	net := d.Zones[1].ID
	slices.Sort(per[net])
	if diff := cmp.Diff(map[string][]int{emulator.ExampleZoneID: {40}, net: {10, 30}}, per); diff != "" {
		t.Errorf("URLs per request, per zone (-want +got)\n%s", diff)
	}
}

// A deploy that lands, over two zones: each zone's URLs are waited for,
// verified and warmed through that zone's environments only.
func TestZonesDeploySandbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--deploy-after", "1s", "--zone", "example.com,example.org", "--environment", "Staging",
		"--files", "https://example.com/ https://www.example.org/app.css", "--expect-header", "X-Build: v2", "--wait", "1m", "--verify", "--warm"}, nil, "")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{
		"example.com Staging: https://example.com/: ready after", "example.org Staging: https://www.example.org/app.css: ready after",
		"Verified 2 URLs, 0 stale, 0 outdated.", "Warmed 2 requests, 0 failed.",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the report lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "example.com Staging: https://www.example.org") || strings.Contains(r.stdout, "example.org Staging: https://example.com/") {
		t.Errorf("a URL was waited for through another zone's environment:\n%s", r.stdout)
	}
}

// The wait's default URLs are each zone's first purged URLs, as the
// verification's are: a zone whose URLs come after the first 20 of the
// run is waited for too, not purged unwaited.
func TestZonesWaitDefaultURLsPerZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	var files []string
	for i := range 21 {
		files = append(files, fmt.Sprintf("https://example.com/p%d", i))
	}
	files = append(files, "https://www.example.org/last")
	r := h.cli([]string{"--sandbox", "--zone", "example.com,example.org", "--environment", "Staging",
		"--files", strings.Join(files, " "), "--expect-header", "X-Build: v2", "--wait", "1m"}, nil, "")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if w := "example.org Staging: https://www.example.org/last: ready after"; !strings.Contains(r.stdout, w) {
		t.Errorf("the report lacks %q:\n%s", w, r.stdout)
	}
	if strings.Contains(r.stdout, "https://example.com/p20:") {
		t.Errorf("more than 20 URLs of example.com were waited for:\n%s", r.stdout)
	}
}

// With several zones, the sitemap is read through an environment of the
// zone its host is in, not through the first zone's, whose selector
// cannot reach another zone's host.
func TestZonesSitemapReadThroughItsZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--zone", "example.org,example.com", "--environment", "Development",
		"--files", "https://example.com/ https://example.org/", "--warm", "--warm-sitemap", "https://example.com/sitemap.xml", "--json"}, nil, "")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var d struct {
		Sitemap *result.Sitemap `json:"sitemap"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Sitemap == nil || d.Sitemap.Error != "" || d.Sitemap.Pages == 0 {
		t.Errorf("sitemap = %+v, want read, with pages\n%s", d.Sitemap, r.stderr)
	}
}
