package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/selector"
)

// EdgeRequest is one request the edge received.
type EdgeRequest struct {
	Method, Host, Path, RawQuery string
	// Header is the request's headers as received, so that tests can check
	// what a client sends to a site (never a credential).
	Header http.Header
	// EdgeIP is the address the request reached the edge on; invalid when
	// unknown (a handler called directly).
	EdgeIP netip.Addr
	// Environment names the environment that served it ("" for a zone without
	// versioning or an unknown host).
	Environment string
	Status      int
	CacheStatus string // CF-Cache-Status sent, "" when none
	Time        time.Time
}

// Edge returns Cloudflare's edge for the emulator's zones: an http.Handler that
// serves any path of a zone's hosts (the zone's name and the names under it) from the
// environment the request selects, through a cache per environment that the
// emulator's accepted purges empty and its invalidations mark stale.
//
//   - The environment: each non-Production environment's expression, in order, is
//     read with package selector and matched against the request's host, cookies,
//     headers and the local address it came in on (its edge IP); the first that
//     selects the request serves it, else Production. An expression that a client
//     cannot satisfy (country, ASN, ...) never selects a request here.
//   - Pages: /api/... is dynamic (CF-Cache-Status: DYNAMIC, never cached), as is any
//     method but GET and HEAD; /old redirects to / (301, cached like a page); any
//     other path is a static page (/, /index.html, /css/app.css, /js/app.js,
//     /logo.png, ...), tagged by type: html, css, js or img.
//   - The cache: per (environment, host + path + query). The first GET is a MISS and
//     caches the page; then HIT with Age, the seconds since it was cached (by
//     Options.Now). A purge evicts what it names (files, tags, hosts, prefixes,
//     everything; through the zone endpoint in every environment, through an
//     environment's endpoint in that one only): the next answer is a MISS. An
//     invalidation marks it stale: the next answer is EXPIRED (revalidated with the
//     origin), then HIT again. Copies do not expire by age. Options.Survivors are
//     never evicted nor marked stale.
//
// Answers carry CF-Cache-Status, Age (on a HIT), ETag and Server: cloudflare; not
// Cache-Tag, which Cloudflare strips.
func (e *Emulator) Edge() http.Handler { return edge{e} }

type edge struct{ e *Emulator }

// onePixelPNG is /logo.png: a real image, so that a browser shows it.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

// page is what the origin answers for a path.
type page struct {
	status      int
	contentType string
	body        []byte
	tags        []string
	location    string
	dynamic     bool
}

func (x edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := x.e
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	rec := EdgeRequest{Method: r.Method, Host: host, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), EdgeIP: edgeIP(r), Time: e.opts.Now()}
	defer func() {
		e.mu.Lock()
		e.edgeReqs = keepLast(append(e.edgeReqs, rec), e.opts.History)
		e.mu.Unlock()
		e.logf("edge %s %s%s %d %s %s\n", r.Method, host, pathQuery(r.URL), rec.Status, cmp.Or(rec.CacheStatus, "-"), cmp.Or(rec.Environment, "-"))
	}()

	zone, ok := e.zoneOfHost(host)
	if !ok {
		rec.Status = http.StatusNotFound
		http.Error(w, fmt.Sprintf("This edge serves the emulator's zones (%s); %q is none of them. Send the zone's host name in the Host header, e.g. curl -H 'Host: %s' ...", strings.Join(e.zoneNames(), ", "), host, ExampleZoneName), rec.Status)
		return
	}
	env := e.selectEnvironment(zone, selector.Request{Host: host, Cookies: cookies(r), Headers: r.Header, EdgeIP: rec.EdgeIP})
	envRef := ""
	if env != nil {
		envRef, rec.Environment = env.Ref, env.Name
	}
	build := ""
	fetch := func() string {
		e.originWait(r)
		return e.Build()
	}
	rawQuery := r.URL.RawQuery
	if e.opts.Origin.IgnoreQuery {
		rawQuery = ""
	}
	var status string
	var age time.Duration
	if dynamic(r.Method, r.URL.Path) {
		build = fetch()
	} else {
		status, age, build = e.look(cacheKey{zoneID: zone.ID, envRef: envRef, key: keyOf(host, r.URL.EscapedPath(), rawQuery)}, host, r.URL.EscapedPath(), tagsOf(r.URL.Path), fetch)
	}
	p := originPage(zone.Name, rec.Environment, r.Method, r.URL.Path, build)
	if r.URL.Path == "/sitemap.xml" && !p.dynamic {
		p.body, p.contentType = e.sitemap(host), "application/xml; charset=utf-8"
	}

	h := w.Header()
	h.Set(BuildHeader, build)
	h.Set("Server", "cloudflare")
	h.Set("Content-Type", p.contentType)
	if p.location != "" {
		h.Set("Location", p.location)
	}
	if p.dynamic {
		rec.CacheStatus = "DYNAMIC"
		h.Set("Cache-Control", "private, no-store")
	} else {
		rec.CacheStatus = status
		if status == "HIT" {
			h.Set("Age", strconv.Itoa(int(age/time.Second)))
		}
		h.Set("Cache-Control", "public, max-age=14400")
		h.Set("ETag", etag(zone.ID, envRef, r.URL.Path+"\x00"+build))
	}
	h.Set("CF-Cache-Status", rec.CacheStatus)
	h.Set("Content-Length", strconv.Itoa(len(p.body)))
	rec.Status = p.status
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

// edgeIP is the local address a request came in on: what cf.edge.server_ip sees.
func edgeIP(r *http.Request) netip.Addr {
	switch a := r.Context().Value(http.LocalAddrContextKey).(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap()
	case net.Addr:
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return ap.Addr().Unmap()
		}
	}
	return netip.Addr{}
}

// cookies are the request's cookies by name; one sent twice has both values.
func cookies(r *http.Request) map[string][]string {
	out := map[string][]string{}
	for _, c := range r.Cookies() {
		out[c.Name] = append(out[c.Name], c.Value)
	}
	return out
}

// zoneOfHost finds the zone of a host: the zone of that name, or of the longest
// name the host is under.
func (e *Emulator) zoneOfHost(host string) (Zone, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	best := -1
	for i, z := range e.zones {
		name := strings.ToLower(z.Name)
		if (host == name || strings.HasSuffix(host, "."+name)) && (best < 0 || len(name) > len(e.zones[best].Name)) {
			best = i
		}
	}
	if best < 0 {
		return Zone{}, false
	}
	return e.zones[best], true
}

func (e *Emulator) zoneNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, len(e.zones))
	for i, z := range e.zones {
		names[i] = z.Name
	}
	return names
}

// parsed caches what package selector makes of each expression (nil: it cannot
// select a request), so that the edge does not parse them per request.
var parsed sync.Map // expression -> *selector.Selector

func selectorOf(expr string) *selector.Selector {
	if s, ok := parsed.Load(expr); ok {
		return s.(*selector.Selector)
	}
	var sel *selector.Selector
	if s, err := selector.Parse(expr); err == nil {
		sel = &s
	}
	parsed.Store(expr, sel)
	return sel
}

// selectEnvironment is the environment that serves r: the first non-Production
// environment whose expression selects it, else Production; nil for a zone without
// versioning (or without Production), which serves as one environment.
func (e *Emulator) selectEnvironment(z Zone, r selector.Request) *Environment {
	if !z.Versioning {
		return nil
	}
	var prod *Environment
	for i := range z.Environments {
		env := &z.Environments[i]
		if env.Name == "Production" {
			prod = env
			continue
		}
		if sel := selectorOf(env.Expression); sel != nil && sel.Matches(r) {
			return env
		}
	}
	return prod
}

// dynamic tells whether the edge passes a request to the origin uncached.
func dynamic(method, p string) bool {
	return method != http.MethodGet && method != http.MethodHead || p == "/api" || strings.HasPrefix(p, "/api/")
}

// tagsOf are the cache tags of a path's page.
func tagsOf(p string) []string { return originPage("", "", http.MethodGet, p, "").tags }

// originPage is what the zone's origin answers, in build.
func originPage(zone, env, method, p, build string) page {
	title := zone
	if env != "" {
		title += " (" + env + ")"
	}
	switch {
	case dynamic(method, p):
		body := fmt.Sprintf(`{"zone":%q,"environment":%q,"path":%q,"build":%q,"dynamic":true}`+"\n", zone, env, p, build)
		return page{status: http.StatusOK, contentType: "application/json", body: []byte(body), dynamic: true}
	case p == "/old":
		return page{status: http.StatusMovedPermanently, contentType: "text/html; charset=utf-8", location: "/",
			body: []byte(`<a href="/">Moved Permanently</a>.` + "\n"), tags: []string{"html"}}
	}
	switch ext := strings.ToLower(path.Ext(p)); {
	case ext == ".css":
		return page{status: http.StatusOK, contentType: "text/css; charset=utf-8", tags: []string{"css"},
			body: []byte("/* " + html.EscapeString(title+" "+p) + " build " + build + " */\nbody { font-family: sans-serif; }\n")}
	case ext == ".js":
		return page{status: http.StatusOK, contentType: "text/javascript; charset=utf-8", tags: []string{"js"},
			body: []byte("// " + html.EscapeString(title+" "+p) + " build " + build + "\nconsole.log(\"hello\");\n")}
	case slices.Contains([]string{".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"}, ext):
		return page{status: http.StatusOK, contentType: "image/png", tags: []string{"img"}, body: onePixelPNG}
	}
	body := "<!DOCTYPE html>\n<html><head><title>" + html.EscapeString(title) + "</title><link rel=\"stylesheet\" href=\"/css/app.css\"></head>\n" +
		"<body><h1>" + html.EscapeString(title) + "</h1><p>" + html.EscapeString(p) + "</p><p>build " + html.EscapeString(build) + "</p><img src=\"/logo.png\" alt=\"\"></body></html>\n"
	return page{status: http.StatusOK, contentType: "text/html; charset=utf-8", tags: []string{"html"}, body: []byte(body)}
}

// etag is a page's entity tag: the same for the same content, which the origin
// serves unchanged, so that a revalidation would find it unchanged.
func etag(zoneID, envRef, p string) string {
	sum := sha256.Sum256([]byte(zoneID + "\x00" + envRef + "\x00" + p))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// EdgeRequests returns the requests the edge received (the latest
// Options.History when set), in arrival order.
func (e *Emulator) EdgeRequests() []EdgeRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]EdgeRequest, len(e.edgeReqs))
	for i, r := range e.edgeReqs {
		out[i] = r
		out[i].Header = r.Header.Clone()
	}
	return out
}
