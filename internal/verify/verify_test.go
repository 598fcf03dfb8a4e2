package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	production  = `(cf.zone.name eq "example.com")`
	staging     = `((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq "example.com")`
	development = `((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com")`
	byHeader    = `any(http.request.headers["x-env"][*] eq "qa")`
	byCountry   = `(cf.zone.name eq "example.com" and ip.geoip.country eq "GB")`
)

// fakeClock is a clock that only Sleep moves.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func age(n int) *int { return &n }

var ignoreReason = cmpopts.IgnoreFields(result.URLCheck{}, "Reason")

// answers serves fixed answers by path and counts the requests.
type answers struct {
	mu    sync.Mutex
	reqs  []*http.Request
	byURL map[string]func(w http.ResponseWriter, n int) // n: how many requests for this path before
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	n := 0
	for _, q := range a.reqs {
		if q.URL.Path == r.URL.Path {
			n++
		}
	}
	a.reqs = append(a.reqs, r.Clone(context.Background()))
	h := a.byURL[r.URL.Path]
	a.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, n)
}

func (a *answers) requests() []*http.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*http.Request(nil), a.reqs...)
}

func cached(status string, ageSec int) func(http.ResponseWriter, int) {
	return func(w http.ResponseWriter, _ int) {
		if status != "" {
			w.Header().Set("CF-Cache-Status", status)
		}
		if ageSec >= 0 {
			w.Header().Set("Age", strconv.Itoa(ageSec))
		}
		_, _ = w.Write([]byte("page"))
	}
}

func TestVerdicts(t *testing.T) {
	t.Parallel()
	a := &answers{byURL: map[string]func(http.ResponseWriter, int){
		"/miss":        cached("MISS", -1),
		"/expired":     cached("EXPIRED", 0),
		"/revalidated": cached("REVALIDATED", 0),
		"/updating":    cached("UPDATING", 100),
		"/stale":       cached("STALE", 100),
		"/hit-fresh":   cached("HIT", 6), // purge sent 5 s ago: 6 <= 5+1
		"/dynamic":     cached("DYNAMIC", -1),
		"/bypass":      cached("BYPASS", -1),
		"/none":        cached("", -1),
		"/hit-no-age":  cached("HIT", -1),
		"/odd":         cached("IGNORED", -1),
		"/redirect": func(w http.ResponseWriter, _ int) {
			w.Header().Set("Location", "https://example.com/new")
			w.Header().Set("CF-Cache-Status", "HIT")
			w.Header().Set("Age", "9999")
			w.WriteHeader(http.StatusMovedPermanently)
		},
		"/503": func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusServiceUnavailable) },
		"/404-miss": func(w http.ResponseWriter, _ int) {
			w.Header().Set("CF-Cache-Status", "MISS")
			w.WriteHeader(http.StatusNotFound)
		},
		"/403": func(w http.ResponseWriter, _ int) { w.WriteHeader(http.StatusForbidden) },
	}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	clock := newClock()
	paths := []string{"/miss", "/expired", "/revalidated", "/updating", "/stale", "/hit-fresh", "/dynamic", "/bypass",
		"/none", "/hit-no-age", "/odd", "/redirect", "/503", "/404-miss", "/403"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, "http://example.com"+p+"?q=1#frag")
	}
	got := Run(context.Background(), []Target{{Name: "Production", Expression: production, URLs: urls, PurgedAt: clock.Now().Add(-5 * time.Second)}},
		Options{EdgeURL: srv.URL, Now: clock.Now, Sleep: clock.Sleep})
	u := func(p, verdict string, status int, cache string, ag *int) result.URLCheck {
		return result.URLCheck{URL: "http://example.com" + p + "?q=1#frag", Verdict: verdict, HTTPStatus: status, CacheStatus: cache, Age: ag, Attempts: 1}
	}
	redirect := u("/redirect", result.VerdictRedirect, 301, "HIT", age(9999))
	redirect.Location = "https://example.com/new"
	want := []*result.Verification{{
		Status: result.VerificationDone, Selector: "zone example.com",
		URLs: []result.URLCheck{
			u("/miss", result.VerdictVerified, 200, "MISS", nil),
			u("/expired", result.VerdictVerified, 200, "EXPIRED", age(0)),
			u("/revalidated", result.VerdictVerified, 200, "REVALIDATED", age(0)),
			u("/updating", result.VerdictVerified, 200, "UPDATING", age(100)),
			u("/stale", result.VerdictVerified, 200, "STALE", age(100)),
			u("/hit-fresh", result.VerdictVerified, 200, "HIT", age(6)),
			u("/dynamic", result.VerdictNotCached, 200, "DYNAMIC", nil),
			u("/bypass", result.VerdictNotCached, 200, "BYPASS", nil),
			u("/none", result.VerdictNotCached, 200, "", nil),
			u("/hit-no-age", result.VerdictNotVerified, 200, "HIT", nil),
			u("/odd", result.VerdictNotVerified, 200, "IGNORED", nil),
			redirect,
			u("/503", result.VerdictNotVerified, 503, "", nil),
			u("/404-miss", result.VerdictVerified, 404, "MISS", nil),
			u("/403", result.VerdictNotCached, 403, "", nil), // no CF-Cache-Status is not cached
		},
		VerifiedCount: 7,
	}}
	if d := cmp.Diff(want, got, ignoreReason); d != "" {
		t.Errorf("Run (-want +got):\n%s", d)
	}
	for _, r := range a.requests() {
		if r.Host != "example.com" || r.Method != http.MethodGet || r.URL.RawQuery != "q=1" {
			t.Errorf("request %s %s Host %q, want GET with Host example.com and the query", r.Method, r.URL, r.Host)
		}
	}
}

func TestStaleIsRequestedAgain(t *testing.T) {
	t.Parallel()
	a := &answers{byURL: map[string]func(http.ResponseWriter, int){
		"/always": cached("HIT", 3600),
		"/later": func(w http.ResponseWriter, n int) {
			if n < 3 {
				cached("HIT", 3600)(w, n)
				return
			}
			cached("MISS", -1)(w, n)
		},
	}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	for _, tt := range []struct {
		path     string
		want     string
		attempts int
	}{
		{"/always", result.VerdictStale, 11}, // at 0 s, then every second up to 10 s
		{"/later", result.VerdictVerified, 4},
	} {
		t.Run(tt.path, func(t *testing.T) {
			clock := newClock()
			got := Run(context.Background(), []Target{{Name: "Production", Expression: production, URLs: []string{"http://example.com" + tt.path}, PurgedAt: clock.Now().Add(-2 * time.Second)}},
				Options{EdgeURL: srv.URL, Now: clock.Now, Sleep: clock.Sleep})
			c := got[0].URLs[0]
			if c.Verdict != tt.want || c.Attempts != tt.attempts {
				t.Errorf("verdict %s after %d attempts (%s), want %s after %d", c.Verdict, c.Attempts, c.Reason, tt.want, tt.attempts)
			}
			if tt.want == result.VerdictStale {
				if got[0].StaleCount != 1 || !strings.Contains(c.Reason, "Age 3600") || !strings.Contains(c.Reason, "11 requests over 10s") {
					t.Errorf("stale count %d, reason %q", got[0].StaleCount, c.Reason)
				}
				for _, d := range clock.sleeps {
					if d != time.Second {
						t.Errorf("slept %s between re-requests, want 1s", d)
					}
				}
			}
		})
	}
}

// recorder records every header of every request and answers a cached page that sets
// a cookie of its own, once as an old HIT (so that it is requested again).
type recorder struct {
	mu      sync.Mutex
	headers []http.Header
	hosts   []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	n := len(r.headers)
	r.headers = append(r.headers, req.Header.Clone())
	r.hosts = append(r.hosts, req.Host)
	r.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "from-site"})
	if n == 0 {
		cached("HIT", 9999)(w, n)
		return
	}
	cached("MISS", -1)(w, n)
}

func TestSendsOnlyTheSelector(t *testing.T) {
	// Proxies from the environment must not be used (t.Setenv: not parallel).
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	clock := newClock()
	expr := `(cf.zone.name eq "example.com" and any(http.request.cookies["development"][*] eq "true") and any(http.request.headers["x-env"][*] eq "qa"))`
	got := Run(context.Background(), []Target{
		{Name: "Development", Expression: expr, URLs: []string{"http://www.example.com/a", "http://user:secret@example.com/b"}, PurgedAt: clock.Now()},
	}, Options{EdgeURL: srv.URL, Now: clock.Now, Sleep: clock.Sleep})
	if v := got[0].URLs[0].Verdict; v != result.VerdictVerified {
		t.Errorf("verdict %s (%s), want verified", v, got[0].URLs[0].Reason)
	}
	if c := got[0].URLs[1]; c.Verdict != result.VerdictNotVerified || c.Attempts != 0 || !strings.Contains(c.Reason, "credentials") {
		t.Errorf("URL with user information: %+v, want not verified and not requested", c)
	}
	want := http.Header{"User-Agent": {UserAgent}, "Cookie": {"development=true"}, "X-Env": {"qa"}}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.headers) != 2 {
		t.Fatalf("%d requests, want 2 (one stale, one again)", len(rec.headers))
	}
	for i, h := range rec.headers {
		if d := cmp.Diff(want, h); d != "" {
			t.Errorf("request %d headers (-want +got):\n%s", i, d)
		}
		if rec.hosts[i] != "www.example.com" {
			t.Errorf("request %d Host %q, want www.example.com", i, rec.hosts[i])
		}
	}
}

// tlsDialer maps edge addresses to a test server and records what was dialed.
type tlsDialer struct {
	mu      sync.Mutex
	to      string          // the test server's address
	refuse  map[string]bool // addresses that refuse connections
	dialled []string
}

func (d *tlsDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialled = append(d.dialled, addr)
	refuse := d.refuse[addr]
	d.mu.Unlock()
	if refuse {
		return nil, errors.New("connection refused")
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.to)
}

func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, *tls.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, &tls.Config{RootCAs: pool}
}

func TestEdgeIP(t *testing.T) {
	t.Parallel()
	var sni []string
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sni = append(sni, r.TLS.ServerName+" "+r.Host)
		mu.Unlock()
		cached("MISS", -1)(w, 0)
	}))
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	roots := &tls.Config{RootCAs: pool}
	addr := srv.Listener.Addr().String()
	const v6 = `cf.edge.server_ip eq 2001:db8::1 and cf.zone.name eq "example.com"`
	tests := []struct {
		name, expr, edgeURL, url string
		refuse                   []string
		wantDial                 []string
		wantSelector             string
	}{
		{"first edge IP, port 443", staging, "", "https://example.com/", nil, []string{"1.2.3.4:443"}, "zone example.com, edge IP 1.2.3.4 or 5.6.7.8"},
		{"second when the first refuses", staging, "", "https://www.example.com/x", []string{"1.2.3.4:443"}, []string{"1.2.3.4:443", "5.6.7.8:443"}, ""},
		{"URL's own port", staging, "", "https://example.com:8443/", nil, []string{"1.2.3.4:8443"}, ""},
		{"edge URL's port kept", staging, "https://edge.invalid:9443", "https://example.com/", nil, []string{"1.2.3.4:9443"}, ""},
		{"IPv6", v6, "", "https://example.com/", nil, []string{"[2001:db8::1]:443"}, "zone example.com, edge IP 2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &tlsDialer{to: addr, refuse: map[string]bool{}}
			for _, r := range tt.refuse {
				d.refuse[r] = true
			}
			got := Run(context.Background(), []Target{{Name: "Staging", Expression: tt.expr, URLs: []string{tt.url}, PurgedAt: time.Now()}},
				Options{EdgeURL: tt.edgeURL, DialContext: d.DialContext, TLSConfig: roots})
			if c := got[0].URLs[0]; c.Verdict != result.VerdictVerified {
				t.Errorf("verdict %s (%s), want verified", c.Verdict, c.Reason)
			}
			if tt.wantSelector != "" && got[0].Selector != tt.wantSelector {
				t.Errorf("selector %q", got[0].Selector)
			}
			if d := cmp.Diff(tt.wantDial, d.dialled); d != "" {
				t.Errorf("dialled (-want +got):\n%s", d)
			}
		})
	}
	u, _ := url.Parse("https://www.example.com/x")
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(sni, ","), u.Hostname()+" "+u.Hostname()) {
		t.Errorf("TLS server names and hosts seen: %q, want the URL's host as both", sni)
	}
}

func TestNotVerified(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	// Cleanup, not defer: the parallel subtests run after this function returns.
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	// Down: port 1, where nothing listens and which no listener of another
	// test can be handed (ports below 1024 are never given to ":0"). A port
	// freed by closing a server could be, and its requests would then land
	// on that test's server.
	const downURL = "http://127.0.0.1:1"
	tlsSrv, roots := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { cached("MISS", -1)(w, 0) }))
	d := &tlsDialer{to: tlsSrv.Listener.Addr().String()}

	tests := []struct {
		name string
		o    Options
		url  string
		why  string
	}{
		{"slow", Options{EdgeURL: slow.URL, RequestTimeout: 50 * time.Millisecond}, "http://example.com/", "no answer within 50ms"},
		{"down", Options{EdgeURL: downURL}, "http://example.com/", "could not fetch it"},
		{"TLS for another host", Options{DialContext: d.DialContext, TLSConfig: roots}, "https://other.org/", "TLS: the certificate is not valid for other.org"},
		{"unknown authority", Options{DialContext: d.DialContext}, "https://example.com/", "TLS"},
		{"not http", Options{EdgeURL: downURL}, "ftp://example.com/", "not an http(s) URL"},
		{"bad edge URL", Options{EdgeURL: "ftp://x"}, "http://example.com/", "edge-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Run(context.Background(), []Target{{Name: "QA", Expression: byHeader, URLs: []string{tt.url}, PurgedAt: time.Now()}}, tt.o)
			c := got[0].URLs[0]
			if c.Verdict != result.VerdictNotVerified || !strings.Contains(c.Reason, tt.why) {
				t.Errorf("got %s (%q), want not verified saying %q", c.Verdict, c.Reason, tt.why)
			}
			if got[0].VerifiedCount != 0 || got[0].StaleCount != 0 {
				t.Errorf("counts %d verified %d stale, want neither", got[0].VerifiedCount, got[0].StaleCount)
			}
		})
	}
}

func TestNothingRequested(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	cancel()
	got := Run(context.Background(), []Target{
		{Name: "UK", Expression: byCountry, URLs: []string{"http://example.com/"}},
		{Name: "Empty", Expression: production},
		{Name: "A", Expression: `http.host eq "a.example.com"`, URLs: []string{"http://b.example.com/"}},
	}, Options{EdgeURL: srv.URL})
	want := []*result.Verification{
		{Status: result.VerificationNotVerifiable, Reason: "selects by visitor country (ip.geoip.country), which a client cannot choose", URLs: []result.URLCheck{}},
		{Status: result.VerificationSkipped, Reason: "no URL to check", URLs: []result.URLCheck{}},
		{Status: result.VerificationDone, Selector: "host a.example.com", URLs: []result.URLCheck{{URL: "http://b.example.com/", Verdict: result.VerdictNotVerified}}},
	}
	if d := cmp.Diff(want, got, ignoreReason); d != "" {
		t.Errorf("Run (-want +got):\n%s", d)
	}
	if !strings.Contains(got[2].URLs[0].Reason, "host b.example.com is not one of them") {
		t.Errorf("reason %q", got[2].URLs[0].Reason)
	}
	// A run whose deadline has passed requests nothing either.
	late := Run(ctx, []Target{{Name: "P", Expression: production, URLs: []string{"http://example.com/"}}}, Options{EdgeURL: srv.URL})
	if c := late[0].URLs[0]; c.Verdict != result.VerdictNotVerified || !strings.Contains(c.Reason, "deadline") {
		t.Errorf("after the deadline: %+v", c)
	}
	if n.Load() != 0 {
		t.Errorf("%d requests reached the site, want none", n.Load())
	}
}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	var inFlight, most atomic.Int32
	// The first requests wait until two are in flight at once (or seconds
	// have passed), so that the bound is seen reached, not only kept.
	gate := make(chan struct{})
	opened := sync.OnceFunc(func() { close(gate) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		if now >= 2 {
			opened()
		}
		select {
		case <-gate:
		case <-time.After(10 * time.Second):
			opened() // never two at once: most says so
		}
		time.Sleep(5 * time.Millisecond) // let others pile up if the bound leaks
		cached("MISS", -1)(w, 0)
	}))
	defer srv.Close()
	var urls []string
	for i := range 12 {
		urls = append(urls, "http://example.com/"+strconv.Itoa(i+1))
	}
	got := Run(context.Background(), []Target{
		{Name: "Development", Expression: development, URLs: urls, PurgedAt: time.Now()},
		{Name: "Production", Expression: production, URLs: urls, PurgedAt: time.Now()},
	}, Options{EdgeURL: srv.URL, Concurrency: 2})
	if got[0].VerifiedCount != 12 || got[1].VerifiedCount != 12 {
		t.Errorf("verified %d and %d, want 12 each", got[0].VerifiedCount, got[1].VerifiedCount)
	}
	if m := most.Load(); m != 2 {
		t.Errorf("%d requests in flight at once at most, want 2: the bound, and reached", m)
	}
}

// FuzzJudge: any status, CF-Cache-Status and Age give one of the verdicts, without panic.
func FuzzJudge(f *testing.F) {
	f.Add(200, "HIT", "12")
	f.Add(200, "miss", "")
	f.Add(301, "HIT", "-1")
	f.Add(404, "", "99999999999999999999")
	f.Add(503, "DYNAMIC", " 3 ")
	verdicts := []string{result.VerdictVerified, result.VerdictStale, result.VerdictNotCached, result.VerdictRedirect, result.VerdictNotVerified}
	clock := newClock()
	p := &prober{o: &Options{Now: clock.Now}, purgedAt: clock.Now().Add(-5 * time.Second)}
	f.Fuzz(func(t *testing.T, status int, cache, ageHeader string) {
		h := http.Header{}
		h.Set("CF-Cache-Status", cache)
		h.Set("Age", ageHeader)
		c := p.judge(&http.Response{StatusCode: status, Header: h})
		if !slices.Contains(verdicts, c.Verdict) {
			t.Fatalf("judge(%d, %q, %q) = verdict %q", status, cache, ageHeader, c.Verdict)
		}
		if c.Age != nil && *c.Age < 0 {
			t.Fatalf("negative Age %d", *c.Age)
		}
	})
}

// Edge IPs come from the API: without edge-url, one that is not a public
// address is never dialled, and the environment is not verifiable, with
// the address. With edge-url (the emulator, a test rig) the user chose.
func TestEdgeIPNotPublicIsNotDialled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ ip, what string }{
		{"169.254.169.254", "link-local"},
		{"127.0.0.1", "loopback"},
		{"10.0.0.7", "private"},
		{"192.168.1.1", "private"},
		{"fd00::1", "private"},
		{"::1", "loopback"},
		{"fe80::1", "link-local"},
		{"224.0.0.1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"::ffff:169.254.169.254", "link-local"},
	} {
		shown := strings.TrimPrefix(tt.ip, "::ffff:")
		d := &tlsDialer{to: "127.0.0.1:9", refuse: map[string]bool{}}
		expr := `cf.edge.server_ip in {1.2.3.4 ` + tt.ip + `} and cf.zone.name eq "example.com"`
		got := Run(context.Background(), []Target{{Name: "Staging", Expression: expr, URLs: []string{"https://example.com/"}, PurgedAt: time.Now()}},
			Options{DialContext: d.DialContext})
		v := got[0]
		if v.Status != result.VerificationNotVerifiable || !strings.Contains(v.Reason, shown) || !strings.Contains(v.Reason, tt.what) || len(d.dialled) != 0 {
			t.Errorf("%s: status %s, reason %q, dialled %v; want not verifiable naming it, nothing dialled", tt.ip, v.Status, v.Reason, d.dialled)
		}
		// The wait and the warming fetch through the same selector.
		if f, err := NewFetcher("wait", "Staging", expr, Options{DialContext: d.DialContext}); err == nil || !strings.Contains(err.Error(), shown) {
			if f != nil {
				f.Close()
			}
			t.Errorf("%s: NewFetcher: %v, want an error naming it", tt.ip, err)
		}
	}
}

// A run cancelled (SIGTERM) during verification says so: its deadline did
// not pass.
func TestCancelledRunSaysCancelled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, tt := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want string
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, "the run was cancelled before an answer"},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, "the run's deadline passed before an answer"},
	} {
		ctx, cancel := tt.ctx()
		if tt.name == "cancelled" {
			time.AfterFunc(200*time.Millisecond, cancel)
		}
		got := Run(ctx, []Target{{Name: "Production", URLs: []string{"http://example.com/"}, PurgedAt: time.Now()}},
			Options{EdgeURL: srv.URL, RequestTimeout: time.Minute})
		cancel()
		if c := got[0].URLs[0]; c.Verdict != result.VerdictNotVerified || c.Reason != tt.want {
			t.Errorf("%s: %s %q, want not verified, %q", tt.name, c.Verdict, c.Reason, tt.want)
		}
	}
}

// TestSiteTextBounded: what an answer brings (Location, CF-Cache-Status, a
// reason quoting them) is redacted, then cleaned of control and format
// characters and cut: however much a site sends, a check keeps a few
// hundred characters, and no 12 characters of a secret.
func TestSiteTextBounded(t *testing.T) {
	t.Parallel()
	const secret = "Zx9qTokenThatMustNeverBePrinted0123456789"
	// Split by invisible characters, then past where the cut falls: each
	// printed whole (or its start) if cut or cleaning came first.
	split := secret[:20] + "\u200b\u202e" + secret[20:]
	hostile := "https://example.com/\u202eevil ::error::\u2028x" + split + strings.Repeat("a", 480) + secret + strings.Repeat("b", 800<<10)
	a := &answers{byURL: map[string]func(http.ResponseWriter, int){
		"/redirect": func(w http.ResponseWriter, _ int) {
			w.Header().Set("Location", hostile)
			w.WriteHeader(http.StatusFound)
		},
		"/huge": func(w http.ResponseWriter, _ int) {
			w.Header().Set("Location", strings.Repeat("c", 4<<20))
			w.WriteHeader(http.StatusFound)
		},
		"/odd":       cached(strings.Repeat("\u2067X", 300)+split, -1),
		"/odd-short": cached("X"+split, -1),
		// Go refuses control characters in a header, quoting the line in its error.
		"/malformed": func(w http.ResponseWriter, _ int) {
			w.Header().Set("X-Echo", "\x00"+split)
			w.WriteHeader(http.StatusOK)
		},
	}}
	srv := httptest.NewServer(a)
	defer srv.Close()
	var urls []string
	for range 20 {
		urls = append(urls, "http://example.com/redirect", "http://example.com/huge", "http://example.com/odd", "http://example.com/malformed", "http://example.com/odd-short")
	}
	got := Run(context.Background(), []Target{{Name: "P", Expression: production, URLs: urls, PurgedAt: time.Now()}},
		Options{EdgeURL: srv.URL, Redact: redact.New(secret).String})
	total := 0
	for _, c := range got[0].URLs {
		for what, s := range map[string]string{"Location": c.Location, "CF-Cache-Status": c.CacheStatus, "reason": c.Reason} {
			total += len(s)
			if n := utf8.RuneCountInString(s); n > maxReason {
				t.Errorf("%s %s: %d characters", c.URL, what, n)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
				t.Errorf("%s %s keeps control or format characters: %q", c.URL, what, s)
			}
			for i := 0; i+12 <= len(secret); i++ {
				if strings.Contains(strings.ToLower(s), strings.ToLower(secret[i:i+12])) {
					t.Fatalf("%s %s shows %q of the secret: %q", c.URL, what, secret[i:i+12], s)
				}
			}
		}
		switch c.URL {
		case "http://example.com/redirect":
			// The secret's two parts, split by invisible characters, may be
			// masked each (any 12 characters of it in a row are hidden).
			if c.Verdict != result.VerdictRedirect || !regexp.MustCompile(`^https://example\.com/evil ::error:: x(\*\*\*)+a`).MatchString(c.Location) || !strings.HasSuffix(c.Location, "…") {
				t.Errorf("redirect: %s to %q (%q)", c.Verdict, c.Location, c.Reason)
			}
		case "http://example.com/huge":
			if c.Verdict != result.VerdictNotVerified || !strings.Contains(c.Reason, "exceeded") {
				t.Errorf("a 4 MB header: %s (%q), want not verified", c.Verdict, c.Reason)
			}
		case "http://example.com/malformed":
			if c.Verdict != result.VerdictNotVerified || !strings.Contains(c.Reason, "malformed") {
				t.Errorf("a malformed answer: %s (%q), want not verified", c.Verdict, c.Reason)
			}
		case "http://example.com/odd-short":
			if m := regexp.MustCompile(`^X(\*\*\*)+$`).FindString(c.CacheStatus); m == "" || c.Reason != `unknown CF-Cache-Status "`+m+`"` {
				t.Errorf("a status holding the secret: %q (%q)", c.CacheStatus, c.Reason)
			}
		case "http://example.com/odd":
			if c.Verdict != result.VerdictNotVerified || utf8.RuneCountInString(c.CacheStatus) != maxCacheStatus {
				t.Errorf("an odd status: %s %q (%q)", c.Verdict, c.CacheStatus, c.Reason)
			}
		}
	}
	if total > 100*(maxLocation+maxCacheStatus+maxReason)*2 {
		t.Errorf("60 checks keep %d bytes of the sites' text", total)
	}
}

// FuzzSiteText: whatever a site sends around a secret, whole or split by
// invisible characters, and wherever the cut falls, no 12 characters of the
// secret come out of siteText: it redacts before it cuts, and again once
// cleaning has joined what invisible characters split.
func FuzzSiteText(f *testing.F) {
	f.Add("Zx9qTokenThatMustNeverBePrinted0123456789", "https://example.com/", "", 480, 0)
	f.Add("Zx9qTokenThatMustNeverBePrinted0123456789", "", strings.Repeat("b", 900), 495, 20)
	f.Add("abcdefghijklmnop", "\u202e", "\x00", 3, 1)
	f.Fuzz(func(t *testing.T, secret, before, after string, pad, split int) {
		ok := len(secret) >= 12 && len(secret) <= 100 && strings.Trim(secret, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
		if !ok || pad < 0 || pad > 2000 {
			return
		}
		windows := func(s string) bool {
			s = strings.ToLower(s)
			for i := 0; i+12 <= len(secret); i++ {
				if strings.Contains(s, strings.ToLower(secret[i:i+12])) {
					return true
				}
			}
			return false
		}
		// Text of the site's own that holds part of the secret cannot be
		// told from any other text: only the secret's own occurrence counts.
		if windows(clean(before)) || windows(clean(after)) {
			return
		}
		sent := secret
		if split > 0 {
			k := split % len(secret)
			sent = secret[:k] + "\u200b\u2066\u00ad" + secret[k:]
		}
		red := redact.New(secret)
		o := &Options{Redact: red.String}
		o.fill()
		text := before + strings.Repeat("a", pad) + sent + after
		for _, n := range []int{maxCacheStatus, maxReason, maxLocation} {
			if got := o.siteText(text, n); windows(got) || utf8.RuneCountInString(got) > n {
				t.Fatalf("siteText(%q, %d) = %q", text, n, got)
			}
		}
	})
}
