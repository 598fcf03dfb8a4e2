package app

// End-to-end tests of a deploy that lands: wait for the new build before the
// purge, verify with an expectation (and the one purge again), warm. The
// emulator's origin deploys when the test says (Emulator.Deploy), from a hook
// in the waits of the run, so that nothing races the clock: the run's waits
// move the emulator's clock on instead of sleeping.

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
	"github.com/cloudflare-purge/cloudflare-purge/internal/wait"
)

// deployRig is an edgeRig whose origin deploys at the n-th wait of the
// run (wait's pauses and verification's re-requests alike), never when n is 0;
// every such wait moves the emulator's clock on.
type deployRig struct {
	*edgeRig
	mu          sync.Mutex
	sleeps      int
	deployAt    int
	purgesAtDep int // purge requests sent when the origin deployed; -1: not yet
}

func newDeployRig(t *testing.T, deployAt int, origin emulator.Origin) *deployRig {
	origin.DeployAfter = -1
	rig := &deployRig{edgeRig: newEdgeRig(t, emulator.Options{Origin: origin}), deployAt: deployAt, purgesAtDep: -1}
	return rig
}

func (rig *deployRig) sleep(ctx context.Context, d time.Duration) error {
	rig.mu.Lock()
	rig.sleeps++
	if rig.sleeps == rig.deployAt {
		rig.em.Deploy()
		rig.purgesAtDep = rig.purgeRequests()
	}
	rig.mu.Unlock()
	return rig.emClock.Sleep(ctx, d)
}

func (rig *deployRig) modDeploy(env *Env) {
	env.hooks.verifyOptions = func(o *verify.Options) {
		o.DialContext = rig.dial
		o.TLSConfig = &tls.Config{RootCAs: rig.roots, MinVersion: tls.VersionTLS12}
		o.Now, o.Sleep = rig.emClock.Now, rig.sleep
	}
	env.hooks.waitOptions = func(o *wait.Options) { o.Now, o.Sleep = rig.emClock.Now, rig.sleep }
}

func (rig *deployRig) runDeploy(inputs map[string]string) run {
	rig.t.Helper()
	return rig.actionIn(rig.dir, rig.defaults(inputs), nil, rig.modDeploy)
}

// purgedFiles are the files of each purge request the emulator accepted, in order.
func (rig *deployRig) purgedFiles() [][]string {
	var out [][]string
	for _, p := range rig.em.Purges() {
		out = append(out, p.Items)
	}
	return out
}

func TestWaitPurgesOnlyOnceTheOriginServesTheNewBuild(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, input, value string }{
		{"a header", "expect-header", "x-build: v2"},
		{"the body", "expect-body", "build v2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newDeployRig(t, 3, emulator.Origin{})
			// Visitors have the old build cached in both environments.
			rig.warm(t, "1.2.3.4", "example.com", nil, "/", "/about/")
			rig.warm(t, "192.0.2.1", "example.com", http.Header{"Cookie": {emulator.DevelopmentCookie}}, "/", "/about/")
			r := rig.runDeploy(map[string]string{"environment": "Staging,Development", "files": "https://example.com/ https://example.com/about/",
				"wait": "2m", tt.input: tt.value, "verify": "true"})
			if r.code != ExitOK {
				t.Fatalf("exit %d, want 0\n%s", r.code, r.stdout)
			}
			if rig.purgesAtDep != 0 {
				t.Errorf("%d purge requests were sent before the origin served the new build; want none", rig.purgesAtDep)
			}
			d := doc(t, r)
			if d.Wait == nil || d.Wait.Status != result.WaitStatusReady || len(d.Wait.URLs) != 4 {
				t.Fatalf("wait = %+v, want ready with 4 URLs (2 per environment)", d.Wait)
			}
			for _, c := range d.Wait.URLs {
				if c.State != result.WaitReady || c.Attempts != 4 {
					t.Errorf("wait %s %s: %s after %d requests, want ready after 4 (the origin deployed at the third pause, before the fourth round)", c.Environment, c.URL, c.State, c.Attempts)
				}
			}
			// Every wait request carried a cache-busting parameter of its own.
			seen := map[string]bool{}
			for _, er := range rig.verifyRequests() {
				if strings.Contains(er.RawQuery, verify.CacheBustParam+"=") {
					if seen[er.RawQuery] {
						t.Errorf("query %q sent twice: each wait request needs a new one", er.RawQuery)
					}
					seen[er.RawQuery] = true
				}
			}
			if len(seen) != 16 {
				t.Errorf("%d cache-busting requests, want 16 (4 URLs, 4 rounds)", len(seen))
			}
			want := map[string][]string{
				"Staging":     {"verified MISS https://example.com/", "verified MISS https://example.com/about/"},
				"Development": {"verified MISS https://example.com/", "verified MISS https://example.com/about/"},
			}
			if diff := cmp.Diff(want, checks(t, r)); diff != "" {
				t.Errorf("verification (-want +got):\n%s", diff)
			}
			if r.outputs["outdated-count"] != "0" || r.outputs["verified-count"] != "4" {
				t.Errorf("outputs %v", r.outputs)
			}
			if !strings.Contains(r.summary, "Wait for the new build") {
				t.Errorf("the summary does not show the wait:\n%s", r.summary)
			}
		})
	}
}

func TestWaitThatNeverSeesTheNewBuildPurgesNothing(t *testing.T) {
	t.Parallel()
	rig := newDeployRig(t, 0, emulator.Origin{})
	r := rig.runDeploy(map[string]string{"environment": "Staging", "files": "https://example.com/ https://example.com/css/app.css",
		"wait": "90s", "expect-header": "X-Build: v2", "verify": "true"})
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stdout)
	}
	if n := rig.purgeRequests(); n != 0 {
		t.Errorf("%d purge requests sent, want none", n)
	}
	if r.outputs["purged-count"] != "0" || r.outputs["failed-count"] != "2" {
		t.Errorf("outputs %v, want 0 purged, 2 failed", r.outputs)
	}
	errs := commands(r, "error")
	for _, u := range []string{"https://example.com/ ", "https://example.com/css/app.css "} {
		if !slices.ContainsFunc(errs, func(l string) bool {
			return strings.Contains(l, u+"did not serve the new build") && strings.Contains(l, "X-Build: v1")
		}) {
			t.Errorf("no ::error:: for %s naming what it served (X-Build: v1):\n%s", u, strings.Join(errs, "\n"))
		}
	}
	d := doc(t, r)
	if d.Wait.Status != result.WaitStatusTimedOut || d.Error == nil || d.Error.Step != "wait" {
		t.Errorf("wait %+v, error %+v: want timed_out and the run's error at step wait", d.Wait, d.Error)
	}
	if !strings.Contains(r.summary, "timed out") || !strings.Contains(r.summary, "Not purged") {
		t.Errorf("the summary does not say the wait timed out and nothing was purged:\n%s", r.summary)
	}
}

func TestAnOutdatedCopyIsPurgedOnceMoreWhenTheOriginHasTheNewBuild(t *testing.T) {
	t.Parallel()
	// No wait: the purge comes before the deploy, verification finds the
	// old build cached again; the deploy lands while the origin is asked.
	rig := newDeployRig(t, 1, emulator.Origin{})
	rig.warm(t, "1.2.3.4", "example.com", nil, "/", "/css/app.css")
	r := rig.runDeploy(map[string]string{"environment": "Staging", "files": "https://example.com/ https://example.com/css/app.css",
		"expect-header": "X-Build: v2", "verify": "true", "verify-urls": "https://example.com/"})
	if r.code != ExitOK {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stdout)
	}
	want := [][]string{{"https://example.com/", "https://example.com/css/app.css"}, {"https://example.com/"}}
	if diff := cmp.Diff(want, rig.purgedFiles()); diff != "" {
		t.Errorf("purges (-want +got):\n%s", diff)
	}
	v := doc(t, r).Environments[0].Verification
	if v.Repurge == nil || v.Repurge.Status != result.Purged || v.Repurge.ID == "" {
		t.Fatalf("repurge %+v, want purged with an id", v.Repurge)
	}
	c := v.URLs[0]
	if c.Verdict != result.VerdictVerified || !c.Repurged || c.Seen != "X-Build: v2" {
		t.Errorf("check %+v, want verified after the second purge, serving X-Build: v2", c)
	}
	if r.outputs["outdated-count"] != "0" || r.outputs["verified-count"] != "1" {
		t.Errorf("outputs %v", r.outputs)
	}
	if !strings.Contains(r.summary, "Second purge") {
		t.Errorf("the summary does not show the second purge:\n%s", r.summary)
	}
}

func TestAURLWhoseOriginNeverDeploysIsOutdated(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, input, value, seen string }{
		{"a header", "expect-header", "X-Build: v2", "X-Build: v1"},
		{"the body", "expect-body", "build v2", "a body without the text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newDeployRig(t, 0, emulator.Origin{})
			r := rig.runDeploy(map[string]string{"environment": "Staging", "files": "https://example.com/", tt.input: tt.value, "verify": "true"})
			if r.code != ExitFailed {
				t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stdout)
			}
			if n := rig.purgeRequests(); n != 1 {
				t.Errorf("%d purge requests, want 1: the origin never served the new build, a second purge would change nothing", n)
			}
			if r.outputs["outdated-count"] != "1" || r.outputs["purged-count"] != "1" {
				t.Errorf("outputs %v, want 1 outdated, 1 purged", r.outputs)
			}
			errs := commands(r, "error")
			if !slices.ContainsFunc(errs, func(l string) bool {
				return strings.Contains(l, "https://example.com/ does not serve the new build") && strings.Contains(l, tt.seen)
			}) {
				t.Errorf("no ::error:: naming the URL and what it served (%s):\n%s", tt.seen, strings.Join(errs, "\n"))
			}
			c := doc(t, r).Environments[0].Verification.URLs[0]
			if c.Verdict != result.VerdictOutdated || c.OriginServes || !strings.Contains(c.OriginSeen, tt.seen) {
				t.Errorf("check %+v, want outdated, the origin seen serving the old build", c)
			}
		})
	}
}

func TestWarmFromASitemapThroughTwoEnvironments(t *testing.T) {
	t.Parallel()
	rig := newDeployRig(t, 0, emulator.Origin{DeployAfter: 0, SitemapPages: 3})
	rig.em.Deploy()
	r := rig.runDeploy(map[string]string{"environment": "Staging,Development", "files": "https://example.com/ https://example.com/css/app.css",
		"warm": "true", "warm-sitemap": "https://example.com/sitemap.xml"})
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	// The sitemap's 8 pages (5 + 3), and the purged css, which it does not list.
	pages := []string{"/", "/about/", "/blog/", "/blog/hello-world/", "/contact/", "/page/1/", "/page/2/", "/page/3/", "/css/app.css"}
	got := map[string][]string{}
	for _, er := range rig.verifyRequests() {
		if er.Path == "/sitemap.xml" {
			continue
		}
		got[er.Environment] = append(got[er.Environment], er.Path)
		if er.Header.Get("Authorization") != "" || er.Method != http.MethodGet {
			t.Errorf("warm request %s %s carries %v", er.Method, er.Path, er.Header)
		}
	}
	for _, env := range []string{"Staging", "Development"} {
		if diff := cmp.Diff(pages, got[env], cmpSorted); diff != "" {
			t.Errorf("%s warmed (-want +got):\n%s", env, diff)
		}
	}
	if r.outputs["warmed-count"] != "18" {
		t.Errorf("warmed-count %q, want 18 (9 pages, 2 environments)", r.outputs["warmed-count"])
	}
	var d result.Result
	if err := json.Unmarshal([]byte(r.outputs["result"]), &d); err != nil {
		t.Fatal(err)
	}
	if d.Sitemap == nil || d.Sitemap.Pages != 8 || d.Environments[1].Warm.WarmedCount != 9 {
		t.Errorf("sitemap %+v, Development's warm %+v", d.Sitemap, d.Environments[1].Warm)
	}
	if !strings.Contains(r.summary, "### Warming") {
		t.Errorf("the summary does not show the warming:\n%s", r.summary)
	}
}

var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

func TestWaitToldAtOnceThatTheCacheKeyIgnoresTheQueryString(t *testing.T) {
	t.Parallel()
	rig := newDeployRig(t, 0, emulator.Origin{IgnoreQuery: true})
	rig.warm(t, "1.2.3.4", "example.com", nil, "/")
	r := rig.runDeploy(map[string]string{"environment": "Staging", "files": "https://example.com/",
		"wait": "10m", "timeout": "20m", "expect-header": "X-Build: v2"})
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stdout)
	}
	if n := rig.purgeRequests(); n != 0 {
		t.Errorf("%d purge requests, want none", n)
	}
	if rig.sleeps != 0 {
		t.Errorf("the wait paused %d times before telling: want it told after the first answer", rig.sleeps)
	}
	errs := commands(r, "error")
	if len(errs) == 0 || !strings.Contains(errs[0], "ignores the query string") || !strings.Contains(errs[0], "wait-urls") {
		t.Errorf("errors %q, want one saying the cache key ignores the query string, pointing to wait-urls", errs)
	}
	if d := doc(t, r); d.Wait.Status != result.WaitStatusQueryIgnored {
		t.Errorf("wait status %q", d.Wait.Status)
	}
}

// The README's command: the sandbox's origin deploys a moment after the start;
// the run waits for it, purges, verifies the new build and warms, offline.
// Real time: the deploy comes after 1 s, the wait allows a minute.
func TestDeploySandboxCLI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--deploy-after", "1s", "--environment", "Staging,Development", "--files", "https://example.com/",
		"--expect-header", "X-Build: v2", "--wait", "1m", "--verify", "--warm"}, nil, "")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"Wait for the new build (X-Build: v2): ready after", "Staging: https://example.com/: ready after",
		"https://example.com/: verified (HTTP 200, CF-Cache-Status MISS); serves X-Build: v2", "Verified 2 URLs, 0 stale, 0 outdated.", "Warmed 2 requests, 0 failed."} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the report lacks %q:\n%s", w, r.stdout)
		}
	}
	for _, w := range []string{"Waiting for the new build: 0/2 ready", "The new build is served"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("the log lacks %q:\n%s", w, r.stderr)
		}
	}

	r = h.cli([]string{"--deploy-after", "5s", "--zone", "example.com", "--files", "https://example.com/"}, nil, "")
	if r.code != ExitConfig || !strings.Contains(r.stderr, "--deploy-after is for the sandbox") {
		t.Errorf("--deploy-after without --sandbox: exit %d, %s", r.code, r.stderr)
	}
}
