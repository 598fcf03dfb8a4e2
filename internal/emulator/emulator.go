// Package emulator is an in-process emulator of the part of Cloudflare's API that the
// purge action uses: zone lookup by name, the zone's environments, and the zone and
// environment purge and invalidation endpoints; and of Cloudflare's edge for the
// seeded zone (Edge), whose cache those purges empty.
//
// An Emulator is an http.Handler. Tests serve it with net/http/httptest, the CLI's
// --sandbox runs against it in-process, and `cloudflare-purge emulate` serves it on a
// port. It follows Cloudflare's documentation for request bodies, limits, error codes,
// permissions and the per-account purge rate limits. Where Cloudflare's behaviour is
// not documented, the choice made here is commented where it is made.
//
// Tests can inject faults (Inject), inspect every request (Requests), every accepted
// purge (Purges) and invalidation (Invalidations), and drive the rate limits with a
// fake clock (Options.Now).
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The seeded zone and environments are those of the example in Cloudflare's zone
// versioning docs, so the README's --sandbox command shows familiar values.
const (
	ExampleZoneID    = "023e105f4ecef8ad9ca31a8372d0c353"
	ExampleZoneName  = "example.com"
	ExampleAccountID = "01a7362d577a6c3019a474fd6f485823"
	ProductionRef    = "12abcd3e45f678940a573f51834a54"
	StagingRef       = "5d41402abc4b2a76b9719d911017c"
	DevelopmentRef   = "49f0bad299687c62334182178bfd"
	// SandboxToken is accepted by every emulator made by New, with all permissions.
	SandboxToken = "sandbox-token-not-a-secret"
)

// The seeded environments' expressions, as Cloudflare's docs show them.
const (
	ProductionExpression  = `(cf.zone.name eq "example.com")`
	StagingExpression     = `((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq "example.com")`
	DevelopmentExpression = `((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com")`
)

// StagingEdgeIPs are the edge addresses that select Staging (its expression's).
var StagingEdgeIPs = []string{"1.2.3.4", "5.6.7.8"}

// DevelopmentCookie is the cookie that selects Development.
const DevelopmentCookie = "development=true"

// ExampleEnvironments returns example.com's environments exactly as in the example
// of Cloudflare's docs ("Purge zone versions via API"): every version 0, Staging
// selected by edge IP, Development by cookie.
func ExampleEnvironments() []Environment {
	return []Environment{
		{Name: "Production", Ref: ProductionRef, Expression: ProductionExpression},
		{Name: "Staging", Ref: StagingRef, Expression: StagingExpression},
		{Name: "Development", Ref: DevelopmentRef, Expression: DevelopmentExpression},
	}
}

// Plan is a Cloudflare plan; it sets the purge limits of a zone's account.
type Plan string

const (
	PlanFree       Plan = "free"
	PlanPro        Plan = "pro"
	PlanBusiness   Plan = "business"
	PlanEnterprise Plan = "enterprise"
)

// ParsePlan accepts a plan name in any case ("", meaning Enterprise, included).
func ParsePlan(s string) (Plan, error) {
	p := Plan(strings.ToLower(strings.TrimSpace(s)))
	if p == "" {
		return PlanEnterprise, nil
	}
	if _, ok := planLimits[p]; !ok {
		return "", fmt.Errorf("unknown plan %q: want free, pro, business or enterprise", s)
	}
	return p, nil
}

// Permission is an API token permission the emulator checks.
type Permission string

const (
	PermCachePurge         Permission = "cache_purge"
	PermZoneRead           Permission = "zone_read"
	PermZoneVersioningRead Permission = "zone_versioning_read"
)

var allPermissions = []Permission{PermCachePurge, PermZoneRead, PermZoneVersioningRead}

// Options configure an Emulator. The zero value is a fast, unlimited Enterprise account.
type Options struct {
	// Plan of the seeded example.com zone; default Enterprise.
	Plan Plan
	// RateLimits enforces the per-account purge token buckets of Cloudflare's
	// limits table.
	RateLimits bool
	// OmitRetryAfter drops Retry-After from the buckets' 429s: Cloudflare does not
	// document that the purge limiter sends it, so clients must cope without.
	OmitRetryAfter bool
	// Latency is added to every response (a simulated round trip). A request whose
	// context ends first gets no response.
	Latency time.Duration
	// Now is the clock of the rate limits and of Request.Time; default time.Now.
	Now func() time.Time
	// Log, if set, gets one line per request: method, path, status, duration.
	// Secrets never appear in it.
	Log io.Writer
	// APILimit is the API-wide limit announced in the Ratelimit headers and
	// enforced (code 971, then a block); zero: Cloudflare's, 1,200 calls per
	// 5 minutes. Scale it down to reach it in tests.
	APILimit APILimit
	// History is how many of the latest requests (Requests) and accepted
	// purges (Purges) are kept, each; 0 keeps them all, as tests need. A
	// long-running emulator sets it so that it does not grow without bound.
	History int
	// Survivors are URLs whose copies at the edge survive every purge and
	// invalidation, as a copy cached under another cache key (a custom key, a
	// query string) survives a purge of the URL: the edge keeps answering HIT
	// for them, so that a verification can be seen to find them stale.
	Survivors []string
	// Origin is the origin behind the edge: its builds, its deploy, its cache key.
	Origin Origin
}

// Zone is a zone the emulator knows.
type Zone struct {
	ID, Name, AccountID string
	// AccountName is shown in zone lookups; default "Account " + the first 8
	// characters of AccountID.
	AccountName string
	// Plan sets the zone's purge limits; default Enterprise.
	Plan Plan
	// Versioning tells whether the zone has environments; without it the
	// environments call fails with 10001 and no environment ref resolves.
	Versioning   bool
	Environments []Environment
}

// Environment is a zone versioning environment. The environment named "Production"
// is reached through the zone endpoint; every environment also answers on its ref.
type Environment struct {
	Name, Ref, Expression string
	// Version is the zone version the environment runs, shown as given (the
	// docs' example shows 0 for every environment).
	Version int
	// NullVersion shows the version as null, which the API's schema allows.
	NullVersion bool
	// LockedOnDeployment is shown as given (the API also allows null; not modelled).
	LockedOnDeployment bool
}

// Token is an API token. An empty ZoneIDs means every zone.
type Token struct {
	Value       string
	Permissions []Permission
	ZoneIDs     []string
}

// Request is one request the emulator received. Auth says which kind of credentials
// came ("token", "key" or ""), never the credentials themselves.
type Request struct {
	Method, Path, RawQuery string
	Body                   []byte
	// Status is the status sent; 0 when none was (a reset, a hang, a cancelled
	// request) or while the request is still being served.
	Status int
	Time   time.Time
	Fault  bool
	Auth   string
}

// Purge is one accepted purge or invalidation request.
type Purge struct {
	// Invalidate marks an invalidation (invalidate_cache): the content is marked
	// stale, not deleted. Invalidations are listed by Invalidations, not Purges.
	Invalidate bool
	ZoneID     string
	// EnvironmentRef is "" for the zone endpoint.
	EnvironmentRef string
	// Kind is "files", "tags", "hosts", "prefixes" or "purge_everything".
	Kind string
	// Items are the URLs (the url of the object form), tags, hosts or prefixes, as
	// sent; nil for purge_everything.
	Items []string
	ID    string
}

// Emulator emulates Cloudflare's purge API. Make one with New. It is safe for
// concurrent use.
type Emulator struct {
	opts Options

	mu       sync.Mutex
	zones    []Zone            // in insertion order: lookups list them so
	tokens   map[string]Token  // by value
	keys     map[string]string // global API key -> email
	faults   []pendingFault
	requests []*Request // pointers so a finishing request can set its status after a Reset
	purges   []Purge
	invals   []Purge                    // accepted invalidations, apart from purges
	buckets  map[string]*accountBuckets // by account ID and plan
	windows  map[string]*apiWindow      // by credential, for the Ratelimit header
	// The edge's cache, the cache keys of Options.Survivors, and the edge's
	// requests.
	cache     map[cacheKey]*cached
	survivors map[string]bool
	edgeReqs  []EdgeRequest
	// deployAt is when the origin serves Origin.NewBuild from; zero: not yet.
	deployAt time.Time

	logMu sync.Mutex
}

// New returns an emulator seeded with example.com (see the constants), its three
// environments, and SandboxToken.
func New(opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		opts:      opts,
		tokens:    map[string]Token{},
		keys:      map[string]string{},
		buckets:   map[string]*accountBuckets{},
		windows:   map[string]*apiWindow{},
		cache:     map[cacheKey]*cached{},
		survivors: map[string]bool{},
	}
	e.opts.Origin.fill()
	if d := opts.Origin.DeployAfter; d >= 0 {
		e.deployAt = opts.Now().Add(d)
	}
	for _, u := range opts.Survivors {
		if k, ok := keyOfURL(u); ok {
			e.survivors[k] = true
		}
	}
	e.AddZone(Zone{
		ID:           ExampleZoneID,
		Name:         ExampleZoneName,
		AccountID:    ExampleAccountID,
		AccountName:  "Example Account",
		Plan:         opts.Plan,
		Versioning:   true,
		Environments: ExampleEnvironments(),
	})
	e.AddToken(Token{Value: SandboxToken, Permissions: allPermissions})
	return e
}

// AddZone adds (or, for a known ID, replaces) a zone. An empty ID gets a random one,
// an empty plan Enterprise. It panics on an unknown plan: that is a test's mistake.
func (e *Emulator) AddZone(z Zone) {
	plan, err := ParsePlan(string(z.Plan))
	if err != nil {
		panic("emulator: " + err.Error())
	}
	z.Plan = plan
	if z.ID == "" {
		z.ID = newID()
	}
	if z.AccountName == "" {
		z.AccountName = "Account " + z.AccountID[:min(8, len(z.AccountID))]
	}
	z.Environments = slices.Clone(z.Environments)
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := slices.IndexFunc(e.zones, func(old Zone) bool { return old.ID == z.ID }); i >= 0 {
		e.zones[i] = z
		return
	}
	e.zones = append(e.zones, z)
}

// AddToken registers an API token (sent as Authorization: Bearer).
func (e *Emulator) AddToken(t Token) {
	t.Permissions = slices.Clone(t.Permissions)
	t.ZoneIDs = slices.Clone(t.ZoneIDs)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[t.Value] = t
}

// AddGlobalKey registers a legacy Global API key (X-Auth-Email + X-Auth-Key), which
// has every permission on every zone.
func (e *Emulator) AddGlobalKey(email, key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys[key] = email
}

// Requests returns every request received so far (the latest
// Options.History when set), in arrival order.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		out[i] = *r
		out[i].Body = slices.Clone(r.Body)
	}
	return out
}

// Purges returns the accepted purges (the latest Options.History when set),
// in the order they were accepted.
func (e *Emulator) Purges() []Purge {
	e.mu.Lock()
	defer e.mu.Unlock()
	return clonePurges(e.purges)
}

// Invalidations returns the accepted invalidations (the latest Options.History
// when set), in the order they were accepted.
func (e *Emulator) Invalidations() []Purge {
	e.mu.Lock()
	defer e.mu.Unlock()
	return clonePurges(e.invals)
}

// clonePurges copies ps deep enough that a caller cannot change them.
func clonePurges(ps []Purge) []Purge {
	out := make([]Purge, len(ps))
	for i, p := range ps {
		out[i] = p
		out[i].Items = slices.Clone(p.Items)
	}
	return out
}

// Reset forgets requests, purges, invalidations, pending faults, the edge's cache
// and its requests, and refills the rate limit buckets; zones, tokens, keys and
// survivors stay.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
	e.purges = nil
	e.invals = nil
	e.faults = nil
	e.cache = map[cacheKey]*cached{}
	e.edgeReqs = nil
	e.buckets = map[string]*accountBuckets{}
	e.windows = map[string]*apiWindow{}
}

// keepLast drops the oldest elements of s past the last n; n <= 0 keeps
// them all. It shifts in place (n at most, each time one is added), so the
// backing array stays at its size and the dropped elements are cleared for
// the garbage collector.
func keepLast[T any](s []T, n int) []T {
	if n <= 0 || len(s) <= n {
		return s
	}
	return slices.Delete(s, 0, len(s)-n)
}

// maxBody bounds what one request may send: 500 URLs with headers fit many times over.
const maxBody = 8 << 20

// ServeHTTP answers one API request.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now() // real time: the log shows how long the request really took
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		body = nil // an unreadable body is answered as an invalid one
	}
	now := e.opts.Now()
	rec := &Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Body: body, Time: now, Auth: authKind(r.Header),
	}
	e.mu.Lock()
	e.requests = keepLast(append(e.requests, rec), e.opts.History)
	api := e.countAPICall(credential(r.Header), now)
	var fault Fault
	var faulted bool
	if !api.refused {
		fault, faulted = e.takeFault(r)
	}
	rec.Fault = faulted
	e.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		e.mu.Lock()
		rec.Status = sw.status
		e.mu.Unlock()
		e.logf("%s %s %d %s\n", r.Method, pathQuery(r.URL), sw.status, time.Since(start).Round(time.Microsecond))
	}()

	if d := e.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	api.announce(sw.Header())
	if api.refused {
		api.refuse(sw)
		return
	}

	if faulted {
		serveFault(sw, r, fault)
		return
	}
	e.serveAPI(sw, r, body)
}

// serveAPI routes a request and checks credentials, the zone and permissions in the
// order Cloudflare appears to: route, credentials, object, permission.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	rt, ok := parseRoute(r.URL.Path)
	if !ok {
		// Undocumented: Cloudflare answers unknown paths with 7000 "No route for that URI".
		writeError(w, apiError{status: http.StatusNotFound, Code: 7000, Message: "No route for that URI"})
		return
	}
	if r.Method != rt.method {
		// Undocumented: 405 with 7001, as Cloudflare answers a wrong method.
		writeError(w, apiError{status: http.StatusMethodNotAllowed, Code: 7001, Message: "Method not allowed for this route"})
		return
	}
	p, aerr := e.authenticate(r.Header)
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	if rt.kind == routeZones {
		e.serveZones(w, r, p)
		return
	}

	zone, ok := e.zone(rt.zoneID)
	var env *Environment
	if ok && rt.envRef != "" {
		env = zone.environment(rt.envRef)
		ok = env != nil
	}
	if !ok {
		writeError(w, errNoRoute(r.URL.Path))
		return
	}
	perm := PermCachePurge
	switch rt.kind {
	case routeEnvironments:
		perm = PermZoneVersioningRead
	case routeZone:
		perm = PermZoneRead
	}
	if !p.can(perm, zone.ID) {
		writeError(w, errAuth)
		return
	}
	switch rt.kind {
	case routeZone:
		writeResult(w, zoneObject(zone))
	case routeEnvironments:
		serveEnvironments(w, zone)
	case routePurge:
		e.servePurge(w, zone, env, body, rt.invalidate)
	}
}

type routeKind int

const (
	routeZones routeKind = iota
	routeZone
	routeEnvironments
	routePurge
)

type route struct {
	kind           routeKind
	method         string
	zoneID, envRef string
	invalidate     bool // invalidate_cache rather than purge_cache
}

// isPurge tells the last segment of the purge and invalidation endpoints, which
// share everything but what they do to the cache.
func isPurge(seg string) bool { return seg == "purge_cache" || seg == "invalidate_cache" }

// parseRoute matches a path, with or without the /client/v4 prefix, so that api-url
// may be given either way.
func parseRoute(path string) (route, bool) {
	path = strings.TrimPrefix(path, "/client/v4")
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if seg[0] != "zones" || slices.Contains(seg, "") {
		return route{}, false
	}
	switch {
	case len(seg) == 1:
		return route{kind: routeZones, method: http.MethodGet}, true
	case len(seg) == 2:
		return route{kind: routeZone, method: http.MethodGet, zoneID: seg[1]}, true
	case len(seg) == 3 && seg[2] == "environments":
		return route{kind: routeEnvironments, method: http.MethodGet, zoneID: seg[1]}, true
	case len(seg) == 3 && isPurge(seg[2]):
		return route{kind: routePurge, method: http.MethodPost, zoneID: seg[1], invalidate: seg[2] == "invalidate_cache"}, true
	case len(seg) == 5 && seg[2] == "environments" && isPurge(seg[4]):
		return route{kind: routePurge, method: http.MethodPost, zoneID: seg[1], envRef: seg[3], invalidate: seg[4] == "invalidate_cache"}, true
	}
	return route{}, false
}

func (e *Emulator) zone(id string) (Zone, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.zones, func(z Zone) bool { return z.ID == id })
	if i < 0 {
		return Zone{}, false
	}
	return e.zones[i], true
}

// environment finds an environment by ref; a zone without versioning has none.
func (z Zone) environment(ref string) *Environment {
	if !z.Versioning {
		return nil
	}
	i := slices.IndexFunc(z.Environments, func(env Environment) bool { return env.Ref == ref })
	if i < 0 {
		return nil
	}
	return &z.Environments[i]
}

// maxLogged bounds the path and query of a log line: a query can be of any length.
const maxLogged = 300

// pathQuery is a request's path and query string, for the log.
func pathQuery(u *url.URL) string {
	s := u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	if len(s) > maxLogged {
		s = s[:maxLogged] + "..."
	}
	return s
}

func (e *Emulator) logf(format string, args ...any) {
	if e.opts.Log == nil {
		return
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	fmt.Fprintf(e.opts.Log, format, args...)
}

// newID returns 32 random hex characters, the shape of Cloudflare's identifiers.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status sent, for Requests and the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (FaultReset hijacks it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
