package emulator_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

const (
	developmentPurge = "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + emulator.DevelopmentRef + "/purge_cache"
	headerZoneID     = "4ead0000000000000000000000000000" // hdr.example: an environment selected by a header
)

// edgeHarness is an emulator whose edge is served in process on a PipeListener, so
// that requests reach it on any edge IP, with a fake clock.
type edgeHarness struct {
	em     *emulator.Emulator
	clock  *fakeClock
	client *http.Client
}

func newEdge(t *testing.T, opts emulator.Options) *edgeHarness {
	t.Helper()
	clock := newClock()
	opts.Now = clock.Now
	em := newEmulator(t, opts)
	em.AddZone(emulator.Zone{ID: headerZoneID, Name: "hdr.example", AccountID: otherAccountID, Versioning: true,
		Environments: []emulator.Environment{
			{Name: "Production", Ref: "hdrprod", Expression: `(cf.zone.name eq "hdr.example")`},
			{Name: "QA", Ref: "hdrqa", Expression: `(any(http.request.headers["x-env"][*] eq "qa")) and (cf.zone.name eq "hdr.example")`},
		}})
	l := emulator.NewPipeListener()
	srv := &http.Server{Handler: em.Edge(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	tr := l.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	return &edgeHarness{em: em, clock: clock, client: &http.Client{Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// edgeAnswer is what a test reads of an edge's answer.
type edgeAnswer struct {
	Status      int
	CacheStatus string
	Age         string
	Environment string
	Location    string
}

// get asks the edge reached on addr (an IP) for host + path, with what mod adds.
func (h *edgeHarness) get(t *testing.T, addr, host, path string, mod func(*http.Request)) edgeAnswer {
	t.Helper()
	return h.do(t, "GET", addr, host, path, mod)
}

func (h *edgeHarness) do(t *testing.T, method, addr, host, path string, mod func(*http.Request)) edgeAnswer {
	t.Helper()
	r, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = host
	if mod != nil {
		mod(r)
	}
	resp, err := h.client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	reqs := h.em.EdgeRequests()
	last := reqs[len(reqs)-1]
	if last.Environment != "" && method == "GET" && resp.StatusCode == http.StatusOK && !strings.HasSuffix(path, ".png") && !strings.Contains(string(body), last.Environment) {
		t.Errorf("body of %s does not name its environment %s: %s", path, last.Environment, body)
	}
	if resp.StatusCode == http.StatusOK && method == "GET" && resp.Header.Get("CF-Cache-Status") != "DYNAMIC" && resp.Header.Get("ETag") == "" {
		t.Errorf("%s: no ETag", path)
	}
	if resp.Header.Get("Cache-Tag") != "" {
		t.Errorf("%s: Cache-Tag sent; Cloudflare strips it", path)
	}
	return edgeAnswer{Status: resp.StatusCode, CacheStatus: resp.Header.Get("CF-Cache-Status"), Age: resp.Header.Get("Age"),
		Environment: last.Environment, Location: resp.Header.Get("Location")}
}

// purge sends an accepted purge or invalidation through the API.
func (h *edgeHarness) purge(t *testing.T, path, body string) {
	t.Helper()
	if status, _ := purgeStatus(t, h.em, path, body); status != http.StatusOK {
		t.Fatalf("POST %s %s: status %d", path, body, status)
	}
}

const productionIP = "192.0.2.1:80" // no environment selects it

func cookie(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: name, Value: value}) }
}

func TestEdgeSelection(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{})
	tests := []struct {
		name, addr, host string
		mod              func(*http.Request)
		want             string
	}{
		{"Production by default", productionIP, "example.com", nil, "Production"},
		{"a host under the zone", productionIP, "www.example.com", nil, "Production"},
		{"Staging by edge IP", "1.2.3.4:80", "example.com", nil, "Staging"},
		{"Staging by its other edge IP, on 443", "5.6.7.8:443", "www.example.com", nil, "Staging"},
		{"Development by cookie", productionIP, "example.com", cookie("development", "true"), "Development"},
		{"Development's cookie among others", productionIP, "example.com", func(r *http.Request) {
			r.Header.Set("Cookie", "a=b; development=true; c=d")
		}, "Development"},
		{"a wrong cookie value", productionIP, "example.com", cookie("development", "yes"), "Production"},
		{"Staging comes before Development", "1.2.3.4:80", "example.com", cookie("development", "true"), "Staging"},
		{"another zone's name", "1.2.3.4:80", "hdr.example", nil, "Production"},
		{"an environment by header", productionIP, "hdr.example", func(r *http.Request) { r.Header.Set("X-Env", "qa") }, "QA"},
		{"a wrong header value", productionIP, "hdr.example", func(r *http.Request) { r.Header.Set("X-Env", "prod") }, "Production"},
		{"IPv6 edge address", "[2001:db8::1]:80", "example.com", nil, "Production"},
		{"a zone without versioning", productionIP, "plain.example", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.get(t, tt.addr, tt.host, "/", tt.mod)
			if got.Status != http.StatusOK || got.Environment != tt.want {
				t.Errorf("status %d, environment %q; want 200, %q", got.Status, got.Environment, tt.want)
			}
		})
	}

	t.Run("edge IP recorded", func(t *testing.T) {
		h.get(t, "5.6.7.8:80", "example.com", "/", nil)
		reqs := h.em.EdgeRequests()
		if got := reqs[len(reqs)-1].EdgeIP; got != netip.MustParseAddr("5.6.7.8") {
			t.Errorf("EdgeIP = %v, want 5.6.7.8", got)
		}
	})
	t.Run("unknown host", func(t *testing.T) {
		got := h.get(t, productionIP, "example.org", "/", nil)
		if got.Status != http.StatusNotFound || got.CacheStatus != "" {
			t.Errorf("got %+v, want 404 without CF-Cache-Status", got)
		}
	})
	t.Run("an environment no client can select never serves", func(t *testing.T) {
		// geo.example's environments select by visitor IP, country, ASN or threat score.
		got := h.get(t, productionIP, "geo.example", "/", nil)
		if got.Environment != "Production" {
			t.Errorf("environment %q, want Production", got.Environment)
		}
	})
	t.Run("on a real listener the edge IP is the loopback address", func(t *testing.T) {
		srv := httptest.NewServer(h.em.Edge())
		defer srv.Close()
		r, _ := http.NewRequest("GET", srv.URL+"/", nil)
		r.Host = "example.com"
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		reqs := h.em.EdgeRequests()
		if got := reqs[len(reqs)-1]; got.EdgeIP != netip.MustParseAddr("127.0.0.1") || got.Environment != "Production" {
			t.Errorf("EdgeIP %v, environment %q; want 127.0.0.1, Production", got.EdgeIP, got.Environment)
		}
	})
}

func TestEdgeCache(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{})
	step := func(name, path string, want edgeAnswer) {
		t.Helper()
		got := h.get(t, productionIP, "example.com", path, nil)
		want.Environment = "Production"
		if want.Status == 0 {
			want.Status = http.StatusOK
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	step("first request", "/", edgeAnswer{CacheStatus: "MISS"})
	step("at once", "/", edgeAnswer{CacheStatus: "HIT", Age: "0"})
	h.clock.Advance(5 * time.Second)
	step("5 s later", "/", edgeAnswer{CacheStatus: "HIT", Age: "5"})
	step("another query string is another copy", "/?v=2", edgeAnswer{CacheStatus: "MISS"})
	h.purge(t, examplePurge, `{"files":["https://example.com/"]}`)
	step("after a purge of the URL", "/", edgeAnswer{CacheStatus: "MISS"})
	step("then", "/", edgeAnswer{CacheStatus: "HIT", Age: "0"})
	step("the URL with a query string survives", "/?v=2", edgeAnswer{CacheStatus: "HIT", Age: "0"})

	step("redirect", "/old", edgeAnswer{Status: 301, CacheStatus: "MISS", Location: "/"})
	step("redirect cached", "/old", edgeAnswer{Status: 301, CacheStatus: "HIT", Age: "0", Location: "/"})
	step("dynamic", "/api/user", edgeAnswer{CacheStatus: "DYNAMIC"})
	step("dynamic again", "/api/user", edgeAnswer{CacheStatus: "DYNAMIC"})

	h.clock.Advance(3 * time.Second)
	h.purge(t, exampleInvalidate, `{"tags":["html"]}`)
	step("after an invalidation", "/", edgeAnswer{CacheStatus: "EXPIRED"})
	step("revalidated", "/", edgeAnswer{CacheStatus: "HIT", Age: "0"})
	h.clock.Advance(2 * time.Second)
	step("revalidated, later", "/", edgeAnswer{CacheStatus: "HIT", Age: "2"})

	t.Run("POST is dynamic", func(t *testing.T) {
		if got := h.do(t, "POST", productionIP, "example.com", "/", nil); got.CacheStatus != "DYNAMIC" {
			t.Errorf("POST: %+v, want DYNAMIC", got)
		}
	})
	t.Run("HEAD is cached like GET, without a body", func(t *testing.T) {
		if got := h.do(t, "HEAD", productionIP, "example.com", "/", nil); got.CacheStatus != "HIT" {
			t.Errorf("HEAD: %+v, want HIT", got)
		}
	})
	t.Run("Reset empties the cache", func(t *testing.T) {
		h.em.Reset()
		step("after Reset", "/", edgeAnswer{CacheStatus: "MISS"})
	})
}

// TestEdgePurges: which copies each accepted purge or invalidation reaches, per kind
// and endpoint. Every case caches the same pages in the three environments first.
func TestEdgePurges(t *testing.T) {
	t.Parallel()
	pages := []string{"/", "/index.html", "/css/app.css", "/js/app.js", "/logo.png", "/blog/post", "/blog/post?page=2"}
	where := map[string]struct {
		addr string
		mod  func(*http.Request)
	}{
		"Production":  {productionIP, nil},
		"Staging":     {"1.2.3.4:80", nil},
		"Development": {productionIP, cookie("development", "true")},
	}
	all := func(envs ...string) map[string][]string {
		m := map[string][]string{}
		for _, env := range envs {
			m[env] = pages
		}
		return m
	}
	tests := []struct {
		name, path, body string
		// Want: per environment, the pages answered other than HIT.
		want map[string][]string
	}{
		{"files at the zone", examplePurge, `{"files":["https://example.com/css/app.css","http://EXAMPLE.com/blog/post"]}`,
			map[string][]string{"Production": {"/css/app.css", "/blog/post"}, "Staging": {"/css/app.css", "/blog/post"}, "Development": {"/css/app.css", "/blog/post"}}},
		{"files with headers in Development", developmentPurge, `{"files":[{"url":"https://example.com/logo.png","headers":{"CF-Device-Type":"mobile"}}]}`,
			map[string][]string{"Development": {"/logo.png"}}},
		{"tag html at the zone", examplePurge, `{"tags":["HTML"]}`,
			map[string][]string{"Production": {"/", "/index.html", "/blog/post", "/blog/post?page=2"}, "Staging": {"/", "/index.html", "/blog/post", "/blog/post?page=2"}, "Development": {"/", "/index.html", "/blog/post", "/blog/post?page=2"}}},
		{"tags css and js in Staging", stagingPurge, `{"tags":["css","js"]}`,
			map[string][]string{"Staging": {"/css/app.css", "/js/app.js"}}},
		{"an unknown tag", examplePurge, `{"tags":["nothing"]}`, map[string][]string{}},
		{"host at the zone", examplePurge, `{"hosts":["example.com"]}`, all("Production", "Staging", "Development")},
		{"another host", examplePurge, `{"hosts":["www.example.com"]}`, map[string][]string{}},
		{"prefix in Staging", stagingPurge, `{"prefixes":["example.com/blog"]}`, map[string][]string{"Staging": {"/blog/post", "/blog/post?page=2"}}},
		{"prefix of a host", examplePurge, `{"prefixes":["example.com"]}`, all("Production", "Staging", "Development")},
		{"prefix that is not a path segment", examplePurge, `{"prefixes":["example.com/blo"]}`, map[string][]string{}},
		{"everything at the zone", examplePurge, `{"purge_everything":true}`, all("Production", "Staging", "Development")},
		{"everything in Development", developmentPurge, `{"purge_everything":true}`, all("Development")},
		{"everything in Production by ref", "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + emulator.ProductionRef + "/purge_cache",
			`{"purge_everything":true}`, all("Production")},
	}
	for _, tt := range tests {
		for _, invalidate := range []bool{false, true} {
			name, path, after := tt.name, tt.path, "MISS"
			if invalidate {
				name, path, after = "invalidate "+name, strings.Replace(path, "/purge_cache", "/invalidate_cache", 1), "EXPIRED"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				h := newEdge(t, emulator.Options{})
				for env, w := range where {
					for _, p := range pages {
						if got := h.get(t, w.addr, "example.com", p, w.mod); got.CacheStatus != "MISS" || got.Environment != env {
							t.Fatalf("warming %s in %s: %+v", p, env, got)
						}
					}
				}
				h.purge(t, path, tt.body)
				got := map[string][]string{}
				for env, w := range where {
					for _, p := range pages {
						a := h.get(t, w.addr, "example.com", p, w.mod)
						switch a.CacheStatus {
						case "HIT":
						case after:
							got[env] = append(got[env], p)
						default:
							t.Errorf("%s in %s: %s, want HIT or %s", p, env, a.CacheStatus, after)
						}
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("pages not HIT after the request (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestEdgeSurvivors(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{Survivors: []string{"https://example.com/css/app.css"}})
	for _, p := range []string{"/", "/css/app.css"} {
		h.get(t, "1.2.3.4:80", "example.com", p, nil)
	}
	h.clock.Advance(7 * time.Second)
	h.purge(t, examplePurge, `{"files":["https://example.com/css/app.css","https://example.com/"]}`)
	h.purge(t, stagingPurge, `{"purge_everything":true}`)
	h.purge(t, stagingInvalidate, `{"tags":["css"]}`)
	if got := h.get(t, "1.2.3.4:80", "example.com", "/css/app.css", nil); got.CacheStatus != "HIT" || got.Age != "7" {
		t.Errorf("survivor: %+v, want HIT with Age 7", got)
	}
	if got := h.get(t, "1.2.3.4:80", "example.com", "/", nil); got.CacheStatus != "MISS" {
		t.Errorf("another page: %+v, want MISS", got)
	}
}

func TestEdgeRequestsRecord(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{History: 2})
	h.get(t, productionIP, "example.com", "/a", nil)
	h.get(t, productionIP, "example.com", "/b?x=1", func(r *http.Request) { r.Header.Set("X-Probe", "1") })
	h.get(t, "1.2.3.4:80", "Example.COM", "/api/c", nil)
	reqs := h.em.EdgeRequests()
	type brief struct {
		Host, Path, RawQuery, Environment, CacheStatus, Probe string
		Status                                                int
	}
	var got []brief
	for _, r := range reqs {
		got = append(got, brief{r.Host, r.Path, r.RawQuery, r.Environment, r.CacheStatus, r.Header.Get("X-Probe"), r.Status})
	}
	want := []brief{
		{"example.com", "/b", "x=1", "Production", "MISS", "1", 200},
		{"example.com", "/api/c", "", "Staging", "DYNAMIC", "", 200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EdgeRequests (-want +got):\n%s", diff)
	}
}

func TestEdgeLog(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	em := emulator.New(emulator.Options{Log: &log})
	r := httptest.NewRequest("GET", "http://example.com/css/app.css?v=3", nil)
	em.Edge().ServeHTTP(httptest.NewRecorder(), r)
	if got, want := log.String(), "edge GET example.com/css/app.css?v=3 200 MISS Production\n"; got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	// API requests are logged with their query strings too.
	log.Reset()
	em.ServeHTTP(httptest.NewRecorder(), newRequest("GET", "/client/v4/zones?name=example.com&account.id=x", "", nil))
	if got := log.String(); !strings.HasPrefix(got, "GET /client/v4/zones?name=example.com&account.id=x 200 ") {
		t.Errorf("log = %q, want the query string", got)
	}
}

func TestPipeListener(t *testing.T) {
	t.Parallel()
	l := emulator.NewPipeListener()
	type addrs struct{ Local, Remote string }
	got := make(chan addrs, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		got <- addrs{c.LocalAddr().String(), c.RemoteAddr().String()}
		_, _ = c.Write([]byte("hi"))
		c.Close()
	}()
	c, err := l.DialContext(context.Background(), "tcp", "1.2.3.4:80")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.RemoteAddr().(*net.TCPAddr); !ok || c.RemoteAddr().String() != "1.2.3.4:80" {
		t.Errorf("client's RemoteAddr = %#v, want the TCP address dialed", c.RemoteAddr())
	}
	b, _ := io.ReadAll(c)
	c.Close()
	if a := <-got; a.Local != "1.2.3.4:80" || string(b) != "hi" {
		t.Errorf("server's LocalAddr %q, read %q; want 1.2.3.4:80, hi", a.Local, b)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.DialContext(ctx, "tcp", "1.2.3.4:80"); !errors.Is(err, context.Canceled) {
		t.Errorf("dial with a cancelled context and no Accept: %v, want context.Canceled", err)
	}
	if _, err := l.DialContext(context.Background(), "udp", "1.2.3.4:53"); err == nil {
		t.Error("dial udp: no error")
	}
	l.Close()
	if _, err := l.DialContext(context.Background(), "tcp", "1.2.3.4:80"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("dial after Close: %v, want net.ErrClosed", err)
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
}

// FuzzEdge: whatever the host, path, query and cookies, the edge answers (no panic),
// and a cacheable page answered twice in a row is a HIT the second time.
func FuzzEdge(f *testing.F) {
	f.Add("example.com", "/", "", "development=true")
	f.Add("WWW.Example.COM.", "/css/app.css", "v=1", "")
	f.Add("example.com:8788", "/api/x", "a=%zz", "development=true; development=false")
	f.Add("example.org", "/old", "", "")
	f.Add("", "//..//a", "", "=;;")
	em := emulator.New(emulator.Options{History: 10})
	h := em.Edge()
	f.Fuzz(func(t *testing.T, host, path, query, cookies string) {
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		r.Host, r.URL.Path, r.URL.RawQuery = host, "/"+strings.TrimPrefix(path, "/"), query
		r.Header.Set("Cookie", cookies)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		first := w.Header().Get("CF-Cache-Status")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch second := w.Header().Get("CF-Cache-Status"); {
		case w.Code == 0:
			t.Fatal("no status")
		case (first == "MISS" || first == "HIT") && second != "HIT":
			t.Errorf("host %q path %q: %s then %s, want HIT the second time", host, r.URL.Path, first, second)
		}
	})
}

func BenchmarkEdgeHit(b *testing.B) {
	em := emulator.New(emulator.Options{History: 100})
	h := em.Edge()
	r := httptest.NewRequest("GET", "http://example.com/css/app.css", nil)
	r.AddCookie(&http.Cookie{Name: "development", Value: "true"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// The sandbox's route to Staging over TLS: a PipeListener behind tls.NewListener with
// EdgeCertificate; the client connects to edge IP 1.2.3.4 and checks the certificate
// against the URL's host.
func TestEdgeTLSThroughPipe(t *testing.T) {
	t.Parallel()
	em := emulator.New(emulator.Options{})
	cert, pool, err := emulator.EdgeCertificate()
	if err != nil {
		t.Fatal(err)
	}
	l := emulator.NewPipeListener()
	srv := &http.Server{Handler: em.Edge(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	t.Cleanup(func() { _ = srv.Close() })

	get := func(serverName string) (*http.Response, error) {
		tr := l.Transport()
		defer tr.CloseIdleConnections()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: serverName}
		r, _ := http.NewRequest("GET", "https://1.2.3.4/", nil)
		r.Host = "www.example.com"
		return (&http.Client{Transport: tr}).Do(r)
	}
	resp, err := get("www.example.com")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := em.EdgeRequests()
	if got := reqs[len(reqs)-1]; got.Environment != "Staging" || resp.Header.Get("CF-Cache-Status") != "MISS" {
		t.Errorf("environment %q, CF-Cache-Status %q; want Staging, MISS", got.Environment, resp.Header.Get("CF-Cache-Status"))
	}
	if _, err := get("example.org"); err == nil {
		t.Error("a certificate for example.com was accepted for example.org")
	}
}

// Both ends of a piped connection may write before either reads (TLS does), deadlines
// end a wait, and a closed end's peer reads what was sent, then EOF.
func TestPipeConn(t *testing.T) {
	t.Parallel()
	l := emulator.NewPipeListener()
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	client, err := l.DialContext(context.Background(), "tcp", "1.2.3.4:443")
	if err != nil {
		t.Fatal(err)
	}
	server := <-accepted
	block := make([]byte, 64<<10)
	errs := make(chan error, 2)
	for _, c := range []net.Conn{client, server} {
		go func() { _, err := c.Write(block); errs <- err }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("write before the peer reads: %v", err)
		}
	}
	for _, c := range []net.Conn{client, server} {
		if n, err := io.ReadFull(c, make([]byte, len(block))); err != nil || n != len(block) {
			t.Fatalf("read %d bytes: %v", n, err)
		}
	}
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	_, _ = server.Write([]byte("bye"))
	server.Close()
	_ = client.SetReadDeadline(time.Time{})
	if b, err := io.ReadAll(client); err != nil || string(b) != "bye" {
		t.Errorf("after the peer closed: %q, %v; want bye, EOF", b, err)
	}
	if _, err := client.Write([]byte("x")); err == nil {
		t.Error("write to a closed peer: no error")
	}
}
