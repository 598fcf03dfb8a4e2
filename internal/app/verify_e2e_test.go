package app

// End-to-end tests of verify: true: the purge through the
// emulator's API, then verification through the emulator's edge, served in
// process on every address a verification dials, as the sandbox does.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// hdr.example: a zone whose environment QA is selected by a header.
const (
	hdrZoneID  = "4ead0000000000000000000000000000"
	hdrProdRef = "4ead00000000000000000000000001"
	hdrQARef   = "4ead00000000000000000000000002"
)

func addHeaderZone(e *emulator.Emulator) {
	e.AddZone(emulator.Zone{ID: hdrZoneID, Name: "hdr.example", AccountID: emulator.ExampleAccountID, Versioning: true,
		Environments: []emulator.Environment{
			{Name: "Production", Ref: hdrProdRef, Expression: `(cf.zone.name eq "hdr.example")`},
			{Name: "QA", Ref: hdrQARef, Expression: `(any(http.request.headers["x-env"][*] eq "qa")) and (cf.zone.name eq "hdr.example")`},
		}})
}

// offsetClock is real time moved by an offset: the emulator's clock (so
// that a copy cached "an hour ago" has Age 3600) and verification's (whose
// Sleep moves it on instead of waiting). The purge's own timestamps are
// real time, so both stay near it.
//
// A frozen clock stops real time at its first reading: from then on only
// Sleep moves it, so what it measures does not depend on how fast the
// machine runs.
type offsetClock struct {
	mu     sync.Mutex
	off    time.Duration
	sleeps int
	frozen bool
	at     time.Time // the first reading, once frozen
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		return time.Now().Add(c.off)
	}
	if c.at.IsZero() {
		c.at = time.Now()
	}
	return c.at.Add(c.off)
}

func (c *offsetClock) freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = true
}

func (c *offsetClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off = d
}

func (c *offsetClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
	c.sleeps++
	return ctx.Err()
}

// edgeRig is a harness whose emulator's edge answers every address a
// verification dials: port 443 with TLS for the test zones' names, any
// other port plain.
type edgeRig struct {
	*harness
	emClock, vClock *offsetClock
	tlsL, plainL    *emulator.PipeListener
	roots           *x509.CertPool
	warmClient      *http.Client
	// warmed is how many edge requests the warm-up made.
	warmed int
}

func newEdgeRig(t *testing.T, opts emulator.Options) *edgeRig {
	t.Helper()
	rig := &edgeRig{emClock: &offsetClock{}, vClock: &offsetClock{}, tlsL: emulator.NewPipeListener(), plainL: emulator.NewPipeListener()}
	opts.Now = rig.emClock.Now
	rig.harness = newHarness(t, opts)
	addHeaderZone(rig.em)
	addGeoZone(rig.em)
	cert, roots, err := emulator.EdgeCertificate("example.com", "*.example.com", "hdr.example", "geo.example")
	if err != nil {
		t.Fatal(err)
	}
	rig.roots = roots
	// Handshakes cut short when a test ends are no news.
	srv := &http.Server{Handler: rig.em.Edge(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() {
		_ = srv.Serve(tls.NewListener(rig.tlsL, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}()
	go func() { _ = srv.Serve(rig.plainL) }()
	tr := &http.Transport{DialContext: rig.plainL.DialContext}
	rig.warmClient = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
		_ = rig.tlsL.Close()
		_ = rig.plainL.Close()
	})
	return rig
}

func (rig *edgeRig) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, port, _ := net.SplitHostPort(addr); port == "443" {
		return rig.tlsL.DialContext(ctx, network, addr)
	}
	return rig.plainL.DialContext(ctx, network, addr)
}

// mod routes the run's verification to the rig's edge, on the rig's clock.
func (rig *edgeRig) mod(env *Env) {
	env.hooks.verifyOptions = func(o *verify.Options) {
		o.DialContext = rig.dial
		o.TLSConfig = &tls.Config{RootCAs: rig.roots, MinVersion: tls.VersionTLS12}
		o.Now, o.Sleep = rig.vClock.Now, rig.vClock.Sleep
	}
}

// warm caches host+path in the environment that addr (an edge IP, or a
// name) and header select, an hour before now by the emulator's clock, so
// that a copy the purge missed would be an old HIT.
func (rig *edgeRig) warm(t *testing.T, addr, host string, header http.Header, paths ...string) {
	t.Helper()
	rig.emClock.set(-time.Hour)
	defer rig.emClock.set(0)
	rig.fetch(t, addr, host, header, paths...)
}

// fetch requests host+path at the edge now, as a visitor would.
func (rig *edgeRig) fetch(t *testing.T, addr, host string, header http.Header, paths ...string) {
	t.Helper()
	for _, p := range paths {
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := rig.warmClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if cs := resp.Header.Get("CF-Cache-Status"); cs != "MISS" && cs != "HIT" && cs != "DYNAMIC" {
			t.Fatalf("warming %s%s: CF-Cache-Status %q", host, p, cs)
		}
		rig.warmed++
	}
}

// verifyRequests are the edge requests that the run's verification made.
func (rig *edgeRig) verifyRequests() []emulator.EdgeRequest {
	return rig.em.EdgeRequests()[rig.warmed:]
}

func (rig *edgeRig) run(inputs map[string]string) run {
	rig.t.Helper()
	in := rig.defaults(inputs)
	if _, ok := inputs["verify"]; !ok {
		in["verify"] = "true"
	}
	return rig.actionIn(rig.dir, in, nil, rig.mod)
}

// checks are the result document's verification, environment by
// environment: "verdict cf_cache_status url".
func checks(t *testing.T, r run) map[string][]string {
	t.Helper()
	d := doc(t, r)
	out := map[string][]string{}
	for _, e := range d.Environments {
		if e.Verification == nil {
			continue
		}
		out[e.Name] = []string{}
		for _, c := range e.Verification.URLs {
			out[e.Name] = append(out[e.Name], strings.TrimSpace(c.Verdict+" "+c.CacheStatus+" "+c.URL))
		}
	}
	return out
}

// commands are the log's lines of one workflow command ("error", "warning").
func commands(r run, kind string) []string {
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "::"+kind+"::") || strings.HasPrefix(l, "::"+kind+" ") {
			out = append(out, l)
		}
	}
	return out
}

func TestVerifyThroughEachEnvironment(t *testing.T) {
	t.Parallel()
	devCookie := http.Header{"Cookie": {emulator.DevelopmentCookie}}
	qaHeader := http.Header{"X-Env": {"qa"}}
	tests := []struct {
		name         string
		zone, env    string
		edgeURL      string
		files        []string
		warmAddr     string
		warmHost     string
		warmHeader   http.Header
		wantEnv      string      // the environment that served every verification request
		wantEdgeIP   []string    // where they reached the edge, if it matters
		wantHeader   http.Header // headers each request carried beyond User-Agent
		wantSelector string
	}{
		{
			name: "Staging by edge IP", zone: zoneID, env: "Staging",
			files:    []string{"https://example.com/", "https://example.com/css/app.css"},
			warmAddr: "1.2.3.4", warmHost: "example.com",
			wantEnv: "Staging", wantEdgeIP: emulator.StagingEdgeIPs, wantSelector: "edge IP 1.2.3.4 or 5.6.7.8",
		},
		{
			name: "Staging by edge IP, the port of edge-url", zone: zoneID, env: emulator.StagingRef, edgeURL: "http://edge.invalid:8787",
			files:    []string{"https://example.com/js/app.js"},
			warmAddr: "5.6.7.8", warmHost: "example.com",
			wantEnv: "Staging", wantEdgeIP: emulator.StagingEdgeIPs, wantSelector: "edge IP 1.2.3.4 or 5.6.7.8",
		},
		{
			name: "Development by cookie", zone: zoneID, env: "Development",
			files:    []string{"https://example.com/", "https://www.example.com/logo.png"},
			warmAddr: "192.0.2.1", warmHost: "example.com", warmHeader: devCookie,
			wantEnv: "Development", wantHeader: devCookie, wantSelector: "cookie development=true",
		},
		{
			name: "an environment selected by a header", zone: hdrZoneID, env: "QA",
			files:    []string{"https://hdr.example/", "https://hdr.example/css/app.css"},
			warmAddr: "192.0.2.1", warmHost: "hdr.example", warmHeader: qaHeader,
			wantEnv: "QA", wantHeader: qaHeader, wantSelector: "header X-Env: qa",
		},
		{
			name: "Production", zone: zoneID, env: "",
			files:    []string{"https://example.com/", "https://example.com/index.html?v=2"},
			warmAddr: "192.0.2.1", warmHost: "example.com",
			wantEnv: "Production",
		},
		{
			name: "Production by name, through edge-url", zone: zoneID, env: "Production", edgeURL: "http://127.0.0.1:8787",
			files:    []string{"https://example.com/"},
			warmAddr: "192.0.2.1", warmHost: "example.com",
			wantEnv: "Production", wantEdgeIP: []string{"127.0.0.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newEdgeRig(t, emulator.Options{})
			for _, f := range tt.files {
				u := strings.TrimPrefix(f, "https://")
				host, p, _ := strings.Cut(u, "/")
				rig.warm(t, tt.warmAddr, host, tt.warmHeader, "/"+p)
			}
			in := map[string]string{"zone": tt.zone, "environment": tt.env, "files": strings.Join(tt.files, "\n")}
			if tt.edgeURL != "" {
				in["edge-url"] = tt.edgeURL
			}
			r := rig.run(in)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.code, r.stdout)
			}
			n := len(tt.files)
			if r.outputs["verified-count"] != itoa(n) || r.outputs["stale-count"] != "0" || r.outputs["purged-count"] != itoa(n) {
				t.Errorf("verified-count %q stale-count %q purged-count %q, want %d, 0, %d",
					r.outputs["verified-count"], r.outputs["stale-count"], r.outputs["purged-count"], n, n)
			}
			name := tt.wantEnv
			var want []string
			for _, f := range tt.files {
				want = append(want, "verified MISS "+f)
			}
			if diff := cmp.Diff(map[string][]string{name: want}, checks(t, r)); diff != "" {
				t.Errorf("verification (-want +got):\n%s", diff)
			}
			d := doc(t, r)
			if !d.Verify || d.VerifiedCount != n || d.Environments[0].Verification.Status != result.VerificationDone {
				t.Errorf("result document: %s", r.outputs["result"])
			}
			if tt.wantSelector != "" && !strings.Contains(d.Environments[0].Verification.Selector, tt.wantSelector) {
				t.Errorf("selector %q, want it to name %q", d.Environments[0].Verification.Selector, tt.wantSelector)
			}
			reqs := rig.verifyRequests()
			if len(reqs) != n {
				t.Fatalf("%d verification requests, want %d: %+v", len(reqs), n, reqs)
			}
			for _, q := range reqs {
				if q.Method != http.MethodGet || q.Environment != tt.wantEnv {
					t.Errorf("%s %s%s served by %q, want GET served by %q", q.Method, q.Host, q.Path, q.Environment, tt.wantEnv)
				}
				if tt.wantEdgeIP != nil && !slices.Contains(tt.wantEdgeIP, q.EdgeIP.String()) {
					t.Errorf("%s%s reached the edge on %v, want one of %v", q.Host, q.Path, q.EdgeIP, tt.wantEdgeIP)
				}
				got := q.Header.Clone()
				if got.Get("User-Agent") != verify.UserAgent {
					t.Errorf("User-Agent %q", got.Get("User-Agent"))
				}
				got.Del("User-Agent")
				want := tt.wantHeader
				if want == nil {
					want = http.Header{}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s%s: headers beyond User-Agent (-want +got):\n%s", q.Host, q.Path, diff)
				}
			}
			if !strings.Contains(r.summary, "### Verification") || !strings.Contains(r.summary, "verified "+itoa(n)+" of") {
				t.Errorf("summary lacks the verification:\n%s", r.summary)
			}
			if !strings.Contains(r.stdout, tt.wantEnv+": verified "+itoa(n)+" of") {
				t.Errorf("log lacks the verification line:\n%s", r.stdout)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A URL whose copy survives the purge (another cache key) is requested
// again, then counted stale: exit 1, an ::error:: naming it, the purge
// still reported purged.
func TestVerifySurvivorIsStale(t *testing.T) {
	t.Parallel()
	const survivor = "https://example.com/css/app.css"
	rig := newEdgeRig(t, emulator.Options{Survivors: []string{survivor}})
	rig.warm(t, "1.2.3.4", "example.com", nil, "/", "/css/app.css")
	rig.vClock.freeze() // the re-requests' 10 s are the sleeps', whatever the load
	r := rig.run(map[string]string{"environment": "Staging", "files": "https://example.com/\n" + survivor})
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stdout)
	}
	want := map[string]string{"purged-count": "2", "failed-count": "0", "verified-count": "1", "stale-count": "1"}
	got := map[string]string{}
	for k := range want {
		got[k] = r.outputs[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	errs := commands(r, "error")
	if len(errs) != 1 || !strings.Contains(errs[0], survivor) || !strings.Contains(errs[0], "Staging") {
		t.Errorf("want one ::error:: naming Staging and %s, got:\n%s", survivor, strings.Join(errs, "\n"))
	}
	// Requested again before it counted stale; the page purged once.
	var again, once int
	for _, q := range rig.verifyRequests() {
		switch q.Path {
		case "/css/app.css":
			again++
			if q.CacheStatus != "HIT" {
				t.Errorf("survivor answered %q", q.CacheStatus)
			}
		case "/":
			once++
		}
	}
	if again < 2 || once != 1 {
		t.Errorf("survivor requested %d times (want more than 1), / %d times (want 1)", again, once)
	}
	d := doc(t, r)
	if d.PurgedCount != 2 || d.StaleCount != 1 {
		t.Errorf("result document: %s", r.outputs["result"])
	}
	for _, c := range d.Environments[0].Verification.URLs {
		if c.URL == survivor && (c.Verdict != result.VerdictStale || c.Attempts != again || c.Age == nil || *c.Age < 3600) {
			t.Errorf("survivor's check: %+v (requests seen %d)", c, again)
		}
	}
	// The re-requests went on the test's frozen clock, for the 10 s of
	// docs/behaviour.md, "Verification": the sleeps make up all of it.
	rig.vClock.mu.Lock()
	sleeps, off := rig.vClock.sleeps, rig.vClock.off
	rig.vClock.mu.Unlock()
	if sleeps == 0 || off != 10*time.Second || again != sleeps+1 {
		t.Errorf("re-requested %d times over %d sleeps totalling %s, want 10 s, a request after each sleep", again, sleeps, off)
	}
	if !strings.Contains(r.summary, "STALE") || !strings.Contains(r.summary, "Cloudflare cache purge") {
		t.Errorf("summary:\n%s", r.summary)
	}
	// Stale first in the summary's table.
	if i, j := strings.Index(r.summary, "app\\.css"), strings.Index(r.summary, "| https\\://example\\.com/ |"); i < 0 || j < 0 || i > j {
		t.Errorf("stale URL not listed first:\n%s", r.summary)
	}
}

// A copy that survives an invalidation is stale too, and everything the
// user reads says it predates the invalidation.
func TestVerifySurvivorOfInvalidationIsStale(t *testing.T) {
	t.Parallel()
	const survivor = "https://example.com/"
	rig := newEdgeRig(t, emulator.Options{Survivors: []string{survivor}})
	rig.warm(t, "192.0.2.1", "example.com", http.Header{"Cookie": {emulator.DevelopmentCookie}}, "/")
	r := rig.run(map[string]string{"environment": "Development", "files": survivor, "invalidate": "true"})
	if r.code != ExitFailed || r.outputs["stale-count"] != "1" {
		t.Fatalf("exit %d, stale-count %q: want 1 and 1\n%s", r.code, r.outputs["stale-count"], r.stdout)
	}
	if errs := commands(r, "error"); len(errs) != 1 || !strings.Contains(errs[0], survivor+" is still served from a copy cached before the invalidation") {
		t.Errorf("::error:: lines:\n%s", strings.Join(errs, "\n"))
	}
	said := regexp.MustCompile(`(?i)before the purge|the purge (was|request)`)
	for where, text := range map[string]string{"log": r.userText(), "result": r.outputs["result"]} {
		if m := said.FindAllString(text, -1); len(m) > 0 {
			t.Errorf("%s of an invalidation says %q:\n%s", where, m, text)
		}
	}
}

// An environment selected by country cannot be selected by a client: a
// warning, and nothing requested for it as if it were Production.
func TestVerifyCountryEnvironmentNotVerifiable(t *testing.T) {
	t.Parallel()
	rig := newEdgeRig(t, emulator.Options{})
	rig.warm(t, "192.0.2.1", "geo.example", nil, "/")
	r := rig.run(map[string]string{"zone": geoZoneID, "environment": "EU, Production", "tags": "html", "verify-urls": "https://geo.example/"})
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stdout)
	}
	// (Another warning says that purging Production purges EU too.)
	var warns []string
	for _, w := range commands(r, "warning") {
		if strings.Contains(w, "verif") {
			warns = append(warns, w)
		}
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "::warning::EU: not verifiable") || !strings.Contains(warns[0], "country") {
		t.Errorf("want one ::warning:: saying EU is not verifiable, got:\n%s", strings.Join(commands(r, "warning"), "\n"))
	}
	d := doc(t, r)
	var statuses []string
	for _, e := range d.Environments {
		statuses = append(statuses, e.Name+" "+e.Verification.Status)
	}
	if diff := cmp.Diff([]string{"EU not_verifiable", "Production done"}, statuses); diff != "" {
		t.Errorf("verification statuses (-want +got):\n%s", diff)
	}
	if !strings.Contains(d.Environments[0].Verification.Reason, "country") {
		t.Errorf("reason %q does not say country", d.Environments[0].Verification.Reason)
	}
	// One request: Production's. None for EU.
	reqs := rig.verifyRequests()
	if len(reqs) != 1 || reqs[0].Environment != "Production" {
		t.Errorf("verification requests: %+v, want one, Production's", reqs)
	}
	if !strings.Contains(r.summary, "**EU** is not verifiable") {
		t.Errorf("summary:\n%s", r.summary)
	}

	// EU alone: nothing requested at all.
	rig2 := newEdgeRig(t, emulator.Options{})
	r = rig2.run(map[string]string{"zone": geoZoneID, "environment": "EU", "tags": "html", "verify-urls": "https://geo.example/"})
	if r.code != 0 || len(rig2.em.EdgeRequests()) != 0 {
		t.Errorf("exit %d, edge requests %+v: want 0 and none", r.code, rig2.em.EdgeRequests())
	}
	if r.outputs["verified-count"] != "0" || r.outputs["stale-count"] != "0" {
		t.Errorf("outputs: %v", r.outputs)
	}
}

// Dynamic pages are reported not cached, a redirect with its Location;
// neither is counted.
func TestVerifyNotCachedAndRedirect(t *testing.T) {
	t.Parallel()
	rig := newEdgeRig(t, emulator.Options{})
	rig.warm(t, "192.0.2.1", "example.com", nil, "/old", "/api/user")
	r := rig.run(map[string]string{"files": "https://example.com/api/user https://example.com/old"})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := map[string][]string{"Production": {"not_cached DYNAMIC https://example.com/api/user", "redirect MISS https://example.com/old"}}
	if diff := cmp.Diff(want, checks(t, r)); diff != "" {
		t.Errorf("verification (-want +got):\n%s", diff)
	}
	d := doc(t, r)
	for _, c := range d.Environments[0].Verification.URLs {
		if c.Verdict == result.VerdictRedirect && (c.Location != "/" || c.HTTPStatus != http.StatusMovedPermanently) {
			t.Errorf("redirect check: %+v", c)
		}
	}
	if r.outputs["verified-count"] != "0" || r.outputs["stale-count"] != "0" {
		t.Errorf("verified-count %q stale-count %q, want 0 and 0", r.outputs["verified-count"], r.outputs["stale-count"])
	}
	for _, w := range []string{"not cached", "redirect to /"} {
		if !strings.Contains(r.stdout, w) || !strings.Contains(r.summary, w) {
			t.Errorf("log or summary lacks %q:\n%s\n%s", w, r.stdout, r.summary)
		}
	}
}

// A HIT cached again after the purge (by a visitor, between the purge and
// the check) is no older than the purge: verified.
func TestVerifyHitCachedSincePurge(t *testing.T) {
	t.Parallel()
	rig := newEdgeRig(t, emulator.Options{})
	rig.warm(t, "192.0.2.1", "example.com", nil, "/")
	r := rig.actionIn(rig.dir, rig.defaults(map[string]string{"files": "https://example.com/", "verify": "true"}), nil, func(env *Env) {
		rig.mod(env)
		routed := env.hooks.verifyOptions
		env.hooks.verifyOptions = func(o *verify.Options) {
			// After the purge, before the check: a visitor's request caches it anew.
			if len(rig.em.Purges()) != 1 {
				t.Errorf("verification set up before the purge was accepted")
			}
			rig.fetch(t, "192.0.2.1", "example.com", nil, "/")
			routed(o)
		}
	})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if diff := cmp.Diff(map[string][]string{"Production": {"verified HIT https://example.com/"}}, checks(t, r)); diff != "" {
		t.Errorf("verification (-want +got):\n%s", diff)
	}
}

// After an invalidation the edge revalidates: EXPIRED counts verified.
func TestVerifyAfterInvalidation(t *testing.T) {
	t.Parallel()
	rig := newEdgeRig(t, emulator.Options{})
	rig.warm(t, "1.2.3.4", "example.com", nil, "/", "/css/app.css")
	r := rig.run(map[string]string{"environment": "Staging", "invalidate": "true", "files": "https://example.com/ https://example.com/css/app.css"})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	want := map[string][]string{"Staging": {"verified EXPIRED https://example.com/", "verified EXPIRED https://example.com/css/app.css"}}
	if diff := cmp.Diff(want, checks(t, r)); diff != "" {
		t.Errorf("verification (-want +got):\n%s", diff)
	}
	if r.outputs["verified-count"] != "2" || len(rig.em.Invalidations()) != 1 || rig.purgeRequests() != 0 {
		t.Errorf("verified-count %q, invalidations %d, purges %d", r.outputs["verified-count"], len(rig.em.Invalidations()), rig.purgeRequests())
	}
	if d := doc(t, r); !d.Invalidate {
		t.Errorf(`result document lacks "invalidate": true`)
	}
}

// verify-urls names what a tag purge covers; those are requested, not the
// tags. Without verify-urls a tag purge has no URL to request.
func TestVerifyURLsWithTagPurge(t *testing.T) {
	t.Parallel()
	cookie := http.Header{"Cookie": {emulator.DevelopmentCookie}}
	rig := newEdgeRig(t, emulator.Options{})
	rig.warm(t, "192.0.2.1", "example.com", cookie, "/css/app.css", "/css/print.css", "/")
	r := rig.run(map[string]string{"environment": "Development", "tags": "css",
		"verify-urls": "https://example.com/css/app.css\nhttps://example.com/css/print.css\nhttps://example.com/"})
	// "/" is tagged html, not css: its hour-old copy is stale.
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	want := map[string][]string{"Development": {
		"verified MISS https://example.com/css/app.css", "verified MISS https://example.com/css/print.css", "stale HIT https://example.com/"}}
	if diff := cmp.Diff(want, checks(t, r)); diff != "" {
		t.Errorf("verification (-want +got):\n%s", diff)
	}
	if r.outputs["verified-count"] != "2" || r.outputs["stale-count"] != "1" || r.outputs["purged-count"] != "1" {
		t.Errorf("outputs %v", r.outputs)
	}
	for _, q := range rig.verifyRequests() {
		if q.Environment != "Development" {
			t.Errorf("%s served by %s", q.Path, q.Environment)
		}
	}

	rig2 := newEdgeRig(t, emulator.Options{})
	r = rig2.run(map[string]string{"environment": "Development", "tags": "css"})
	if r.code != 0 || len(rig2.em.EdgeRequests()) != 0 {
		t.Errorf("exit %d, edge requests %d: want 0 and none", r.code, len(rig2.em.EdgeRequests()))
	}
	if d := doc(t, r); d.Environments[0].Verification == nil || d.Environments[0].Verification.Status != result.VerificationSkipped ||
		!strings.Contains(d.Environments[0].Verification.Reason, "verify-urls") {
		t.Errorf("verification of a tag purge without verify-urls: %s", r.outputs["result"])
	}
}

// A dry run and verify: false request no page.
func TestVerifyNothingRequested(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		inputs map[string]string
	}{
		{"dry run", map[string]string{"dry-run": "true", "verify": "true"}},
		{"verify false", map[string]string{"verify": "false"}},
		{"verify default", map[string]string{"verify": ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rig := newEdgeRig(t, emulator.Options{})
			in := map[string]string{"environment": "Staging, Development", "files": "https://example.com/", "verify-urls": "https://example.com/a.css"}
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := rig.run(in)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stdout)
			}
			if reqs := rig.em.EdgeRequests(); len(reqs) != 0 {
				t.Errorf("pages requested: %+v", reqs)
			}
			if r.outputs["verified-count"] != "0" || r.outputs["stale-count"] != "0" {
				t.Errorf("verified-count %q stale-count %q", r.outputs["verified-count"], r.outputs["stale-count"])
			}
			d := doc(t, r)
			for _, e := range d.Environments {
				if e.Verification != nil {
					t.Errorf("%s: verification %+v", e.Name, e.Verification)
				}
			}
			if strings.Contains(r.stdout, "Verifying") || strings.Contains(r.summary, "### Verification") {
				t.Errorf("says it verified:\n%s\n%s", r.stdout, r.summary)
			}
		})
	}
}

// A site that is down, slow, failing or answering TLS for another host is
// reported not verified, with a warning, counted neither.
func TestVerifySiteFailures(t *testing.T) {
	t.Parallel()
	// Down: port 1, where nothing listens and which no listener of another
	// test can be handed (ports below 1024 are never given to ":0"). A port
	// freed by closing a listener could be, and the request would then land
	// on that test's server.
	const down = "http://127.0.0.1:1"

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) }) // runs before slow.Close

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("CF-Cache-Status", "MISS")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)

	cert, roots, err := emulator.EdgeCertificate("other.example")
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("CF-Cache-Status", "MISS")
	}))
	other.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	other.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	other.StartTLS()
	t.Cleanup(other.Close)

	// Only the slow site is meant to run out of time: the others answer,
	// and get seconds to, however loaded the machine.
	const answers = 30 * time.Second
	tests := []struct {
		name, edgeURL, want string
		timeout             time.Duration
	}{
		{"down", down, "could not fetch it", answers},
		{"slow", slow.URL, "no answer within 200ms", 200 * time.Millisecond},
		{"5xx", failing.URL, "the site answered 503", answers},
		{"TLS for another host", other.URL, "TLS: the certificate is not valid for example.com", answers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			const page = "https://example.com/css/app.css"
			r := h.actionIn(h.dir, h.defaults(map[string]string{"files": page, "verify": "true", "edge-url": tt.edgeURL}), nil, func(env *Env) {
				env.hooks.verifyOptions = func(o *verify.Options) {
					o.RequestTimeout = tt.timeout
					o.TLSConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
				}
			})
			if r.code != 0 {
				t.Fatalf("exit %d, want 0 (not verified is a warning)\n%s", r.code, r.stdout)
			}
			d := doc(t, r)
			v := d.Environments[0].Verification
			if v == nil || len(v.URLs) != 1 || v.URLs[0].Verdict != result.VerdictNotVerified || !strings.Contains(v.URLs[0].Reason, tt.want) {
				t.Fatalf("want not_verified with %q; result: %s", tt.want, r.outputs["result"])
			}
			if r.outputs["verified-count"] != "0" || r.outputs["stale-count"] != "0" || r.outputs["purged-count"] != "1" {
				t.Errorf("outputs %v", r.outputs)
			}
			warns := commands(r, "warning")
			if len(warns) != 1 || !strings.Contains(warns[0], page) || !strings.Contains(warns[0], "not verified") {
				t.Errorf("want one ::warning:: naming %s, got:\n%s", page, strings.Join(warns, "\n"))
			}
		})
	}
}

// Every header that reaches a site is recorded: none carries a credential,
// whichever kind the run used, nor a cookie the site set (a stale URL is
// requested again after the site set one).
func TestVerifySendsNoCredential(t *testing.T) {
	t.Parallel()
	const key, email = "0123456789abcdef0123456789abcdef01234", "ops@example.com"
	for _, auth := range []string{"token", "global key"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []http.Header
			site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h := r.Header.Clone()
				h.Set("Host", r.Host)
				h.Set("X-Test-Path", r.URL.Path)
				mu.Lock()
				seen = append(seen, h)
				mu.Unlock()
				http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret", Path: "/"})
				if r.URL.Path == "/b.js" { // an old copy: stale
					w.Header().Set("CF-Cache-Status", "HIT")
					w.Header().Set("Age", "3600")
					return
				}
				w.Header().Set("CF-Cache-Status", "MISS")
			}))
			t.Cleanup(site.Close)
			h := newHarness(t, emulator.Options{})
			h.em.AddGlobalKey(email, key)
			in := h.defaults(map[string]string{"environment": "Production, Development", "verify": "true", "edge-url": site.URL,
				"files": "https://example.com/ https://example.com/a.css", "verify-urls": "https://example.com/ https://example.com/a.css https://example.com/b.js"})
			secrets := []string{testToken}
			extra := map[string]string{"CLOUDFLARE_ACCOUNT_ID": emulator.ExampleAccountID}
			if auth == "global key" {
				in["api-token"], in["api-key"], in["api-email"] = "", key, email
				secrets = []string{key, email}
				// edge-url from its environment variable this time.
				in["edge-url"], extra["CLOUDFLARE_EDGE_URL"] = "", site.URL
			}
			clock := &offsetClock{}
			r := h.actionIn(h.dir, in, extra, func(env *Env) {
				env.hooks.verifyOptions = func(o *verify.Options) { o.Now, o.Sleep = clock.Now, clock.Sleep }
			})
			if r.code != ExitFailed || r.outputs["verified-count"] != "4" || r.outputs["stale-count"] != "2" {
				t.Fatalf("exit %d, verified-count %q, stale-count %q: want 1, 4, 2\n%s", r.code, r.outputs["verified-count"], r.outputs["stale-count"], r.stdout)
			}
			mu.Lock()
			defer mu.Unlock()
			withCookie, again := 0, 0
			allowed := []string{"Host", "User-Agent", "Cookie", "X-Test-Path"}
			for _, hd := range seen {
				for name, vals := range hd {
					if !slices.Contains(allowed, name) {
						t.Errorf("header %s: %q reached the site", name, vals)
					}
					for _, v := range vals {
						for _, s := range secrets {
							if strings.Contains(strings.ToLower(v), strings.ToLower(s)) {
								t.Errorf("a credential reached the site in %s", name)
							}
						}
					}
				}
				for _, name := range []string{"Authorization", "X-Auth-Key", "X-Auth-Email"} {
					if hd.Get(name) != "" {
						t.Errorf("%s reached the site", name)
					}
				}
				switch c := hd.Get("Cookie"); c {
				case "":
				case emulator.DevelopmentCookie:
					withCookie++
				default:
					t.Errorf("Cookie %q reached the site: only the selector's may", c)
				}
				if hd.Get("Host") != "example.com" || hd.Get("User-Agent") != verify.UserAgent {
					t.Errorf("Host %q, User-Agent %q", hd.Get("Host"), hd.Get("User-Agent"))
				}
				if hd.Get("X-Test-Path") == "/b.js" {
					again++
				}
			}
			// Each environment: 3 URLs, /b.js requested again (the two
			// environments' re-requests share the test's clock, unevenly).
			if again < 4 || len(seen) != 4+again || withCookie < 3 || len(seen)-withCookie < 3 {
				t.Errorf("the site got %d requests, %d of /b.js, %d with the Development cookie", len(seen), again, withCookie)
			}
		})
	}
}

// The README's commands: the sandbox purges and verifies through Staging's
// edge IP offline, and invalidates through Staging's endpoint.
func TestVerifySandboxCLI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--environment", "Staging", "--files", "https://example.com/", "--verify"}, nil, "")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"1 purged, 0 failed", "verified 1 of 1 URL", "edge IP 1.2.3.4", "https://example.com/: verified", "Verified 1 URL, 0 stale"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("sandbox --verify report lacks %q:\n%s", w, r.stdout)
		}
	}

	r = h.cli([]string{"--sandbox", "--environment", "Staging", "--tags", "html", "--invalidate"}, nil, "")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"1 invalidated, 0 failed", "Invalidated 1 item", emulator.StagingRef} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("sandbox --invalidate report lacks %q:\n%s", w, r.stdout)
		}
	}
	if m := purgeWords.FindAllString(r.stdout, -1); len(m) > 0 {
		t.Errorf("sandbox --invalidate says %q:\n%s", m, r.stdout)
	}

	// --json: the result document only, with the verification in it.
	r = h.cli([]string{"--sandbox", "--environment", "Staging", "--files", "https://example.com/", "--verify", "--json"}, nil, "")
	var d result.Result
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
		t.Fatalf("exit %d, --json output: %v\n%s", r.code, err, r.stdout)
	}
	if d.VerifiedCount != 1 || len(d.Environments) != 1 || d.Environments[0].Verification == nil ||
		!slices.ContainsFunc(d.Environments[0].Verification.URLs, func(c result.URLCheck) bool { return c.Verdict == result.VerdictVerified }) {
		t.Errorf("--json verification: %s", r.stdout)
	}
}

// A dead edge and 1,000 verify-urls per environment: one warning per
// environment that counts the URLs it could not check, not one per URL; the
// log lists a bounded number of them; the outputs and the summary stay
// within GitHub's limits.
func TestVerifyDeadEdgeIsBounded(t *testing.T) {
	t.Parallel()
	const down = "http://127.0.0.1:1" // see TestVerifySiteFailures
	h := newHarness(t, emulator.Options{})
	var urls []string
	for i := range 1000 {
		urls = append(urls, "https://example.com/assets/"+itoa(i)+".css")
	}
	r := h.action(h.defaults(map[string]string{"environment": "Production, Development", "tags": "html", "verify": "true",
		"verify-urls": strings.Join(urls, "\n"), "edge-url": down}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 (not verified is a warning)\n%s", r.code, r.stdout)
	}
	var counted []string
	for _, w := range commands(r, "warning") {
		if strings.Contains(w, "could not be checked") {
			counted = append(counted, w)
		} else if strings.Contains(w, "/assets/") {
			t.Errorf("a warning per URL: %s", w)
		}
	}
	if len(counted) != 2 || !strings.Contains(counted[0], "1,000 of 1,000 URLs could not be checked") {
		t.Errorf("want one warning per environment with the count, got:\n%s", strings.Join(counted, "\n"))
	}
	// Past the debug lines (one per request, as for every API call).
	n := 0
	for _, l := range strings.Split(r.stdout, "\n") {
		if !strings.HasPrefix(l, "::debug::") && strings.Contains(l, "/assets/") {
			n++
		}
	}
	if n > 2*60 {
		t.Errorf("the log names %d URLs", n)
	}
	for name, v := range r.outputs {
		if len(v) > 1<<20 {
			t.Errorf("output %s is %d bytes", name, len(v))
		}
	}
	if len(r.outputs["result"]) > 512<<10 || len(r.summary) > 1<<20 {
		t.Errorf("result output %d bytes, summary %d bytes", len(r.outputs["result"]), len(r.summary))
	}
	d := doc(t, r)
	for _, e := range d.Environments {
		if v := e.Verification; v == nil || v.Status != result.VerificationDone {
			t.Errorf("%s: verification %+v", e.Name, v)
		}
	}
}
