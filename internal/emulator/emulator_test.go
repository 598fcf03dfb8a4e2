package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/apischema"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// Credentials and zones added to the seeded emulator by newEmulator.
const (
	readOnlyToken     = "read-only-token"  // Zone Read + Zone Versioning Read, no Cache Purge
	purgeOnlyToken    = "purge-only-token" // Cache Purge only
	otherZoneToken    = "other-zone-token" // everything, on geoZoneID only
	globalEmail       = "user@example.com" // with globalKey
	globalKey         = "0123456789abcdef0123456789abcdef01234"
	plainZoneID       = "9c1f6a0d5e0a4c6b8d2e3f4a5b6c7d8e" // plain.example: Free, no versioning
	geoZoneID         = "6b7c0ffee0c94a2f8e1d2c3b4a596877" // geo.example: environments selecting by visitor
	otherAccountID    = "ab7362d577a6c3019a474fd6f4858299"
	unknownZoneID     = "ffffffffffffffffffffffffffffffff"
	examplePurge      = "/client/v4/zones/" + emulator.ExampleZoneID + "/purge_cache"
	stagingPurge      = "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + emulator.StagingRef + "/purge_cache"
	exampleInvalidate = "/client/v4/zones/" + emulator.ExampleZoneID + "/invalidate_cache"
	stagingInvalidate = "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + emulator.StagingRef + "/invalidate_cache"
	exampleEnvs       = "/client/v4/zones/" + emulator.ExampleZoneID + "/environments"
	plainPurge        = "/client/v4/zones/" + plainZoneID + "/purge_cache"
	geoPurgePrefix    = "/client/v4/zones/" + geoZoneID + "/environments/"
	unknownZonePath   = "/client/v4/zones/" + unknownZoneID + "/purge_cache"
)

var secrets = []string{emulator.SandboxToken, readOnlyToken, purgeOnlyToken, otherZoneToken, globalKey}

// geoEnvironments select traffic by each visitor property that rules out URL purges.
var geoEnvironments = []emulator.Environment{
	{Name: "Production", Ref: "geoprod0000000000000000000000", Expression: `(cf.zone.name eq "geo.example")`},
	{Name: "Office", Ref: "geooffice000000000000000000000", Expression: `(cf.zone.name eq "geo.example" and ip.src in {192.0.2.0/24})`},
	{Name: "Europe", Ref: "geoeurope000000000000000000000", Expression: `(cf.zone.name eq "geo.example" and ip.geoip.country in {"DE" "FR"})`},
	{Name: "ISP", Ref: "geoisp000000000000000000000000", Expression: `(cf.zone.name eq "geo.example" and ip.geoip.asnum eq 64496)`},
	{Name: "ISP2", Ref: "geoisp200000000000000000000000", Expression: `(cf.zone.name eq "geo.example" and ip.src.asnum eq 64496)`},
	{Name: "Bots", Ref: "geobots00000000000000000000000", Expression: `(cf.zone.name eq "geo.example" and cf.threat_score gt 10)`},
}

func newEmulator(t *testing.T, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	e := emulator.New(opts)
	e.AddToken(emulator.Token{Value: readOnlyToken, Permissions: []emulator.Permission{emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
	e.AddToken(emulator.Token{Value: purgeOnlyToken, Permissions: []emulator.Permission{emulator.PermCachePurge}})
	e.AddToken(emulator.Token{Value: otherZoneToken, ZoneIDs: []string{geoZoneID},
		Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
	e.AddGlobalKey(globalEmail, globalKey)
	e.AddZone(emulator.Zone{ID: plainZoneID, Name: "plain.example", AccountID: otherAccountID, Plan: emulator.PlanFree})
	e.AddZone(emulator.Zone{ID: geoZoneID, Name: "geo.example", AccountID: otherAccountID, Versioning: true, Environments: geoEnvironments})
	return e
}

var validator = sync.OnceValues(apischema.Load)

func loadValidator(t *testing.T) *apischema.Validator {
	t.Helper()
	v, err := validator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// auth sets a request's credentials.
type auth func(http.Header)

func bearer(token string) auth {
	return func(h http.Header) { h.Set("Authorization", "Bearer "+token) }
}

func globalKeyAuth(email, key string) auth {
	return func(h http.Header) { h.Set("X-Auth-Email", email); h.Set("X-Auth-Key", key) }
}

func noAuth(http.Header) {}

// exchange is one request and its answer, decoded.
type exchange struct {
	status int
	header http.Header
	body   []byte
	env    envelope
}

type envelope struct {
	Success    bool            `json:"success"`
	Errors     []apiError      `json:"errors"`
	Messages   []apiError      `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *struct {
		Count      int `json:"count"`
		TotalCount int `json:"total_count"`
	} `json:"result_info"`
}

type apiError struct {
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []apiError `json:"error_chain"`
}

// codes flattens errors[] to their codes, each followed by its error_chain's.
func (env envelope) codes() []int {
	var out []int
	for _, e := range env.Errors {
		out = append(out, e.Code)
		for _, c := range e.ErrorChain {
			out = append(out, c.Code)
		}
	}
	return out
}

func (env envelope) id() string {
	var r struct{ ID string }
	_ = json.Unmarshal(env.Result, &r)
	return r.ID
}

func newRequest(method, path, body string, a auth) *http.Request {
	r := httptest.NewRequest(method, "http://api.test"+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if a == nil {
		a = bearer(emulator.SandboxToken)
	}
	a(r.Header)
	return r
}

// serve sends a request straight to the handler and checks what every answer must
// be: the request against the schema (rejected exactly when badRequest), the answer
// against the schema, JSON with the Ratelimit headers, and free of secrets.
func serve(t *testing.T, h http.Handler, r *http.Request, badRequest bool) exchange {
	t.Helper()
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	v := loadValidator(t)
	if err := v.CheckRequest(r, body); (err != nil) != badRequest {
		t.Errorf("schema check of the request = %v, want rejected: %v", err, badRequest)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	x := exchange{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if err := v.CheckResponse(r, x.status, x.header, x.body); err != nil {
		t.Errorf("schema check of the response: %v\n%s", err, x.body)
	}
	checkCommon(t, x)
	return x
}

func checkCommon(t *testing.T, x exchange) {
	t.Helper()
	if x.header.Get(emulator.FaultHeader) != "" {
		return
	}
	if ct := x.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !regexp.MustCompile(`^"default";r=\d+;t=\d+$`).MatchString(x.header.Get("Ratelimit")) ||
		x.header.Get("Ratelimit-Policy") != `"default";q=1200;w=300` {
		t.Errorf("Ratelimit headers = %q, %q", x.header.Get("Ratelimit"), x.header.Get("Ratelimit-Policy"))
	}
	for _, s := range secrets {
		if bytes.Contains(x.body, []byte(s)) {
			t.Errorf("the answer echoes the secret %q: %s", s, x.body)
		}
	}
	if err := json.Unmarshal(x.body, new(envelope)); x.status != 0 && err != nil {
		t.Errorf("answer is not JSON: %v\n%s", err, x.body)
	}
}

func decode(t *testing.T, x exchange) exchange {
	t.Helper()
	if err := json.Unmarshal(x.body, &x.env); err != nil {
		t.Fatalf("decoding %s: %v", x.body, err)
	}
	if x.env.Success != (len(x.env.Errors) == 0) || x.env.Errors == nil || x.env.Messages == nil {
		t.Errorf("inconsistent envelope: %s", x.body)
	}
	return x
}

func list(kind string, n int, item func(i int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = item(i)
	}
	b, _ := json.Marshal(map[string][]string{kind: items})
	return string(b)
}

func urls(n int) string {
	return list("files", n, func(i int) string { return fmt.Sprintf("https://www.example.com/a/%d.css", i) })
}

func tags(n int) string {
	return list("tags", n, func(i int) string { return fmt.Sprintf("tag-%d", i) })
}

func TestLookups(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	e.AddZone(emulator.Zone{ID: "5a1e0000000000000000000000000000", Name: "example.com", AccountID: otherAccountID})
	tests := []struct {
		name, path string
		auth       auth
		wantStatus int
		wantCodes  []int
		wantIDs    []string
	}{
		{"by name", "/client/v4/zones?name=example.com&account.id=" + emulator.ExampleAccountID, nil, 200, nil, []string{emulator.ExampleZoneID}},
		{"no base path, any case", "/zones?name=EXAMPLE.com&account.id=" + emulator.ExampleAccountID, nil, 200, nil, []string{emulator.ExampleZoneID}},
		{"same name in two accounts", "/client/v4/zones?name=example.com", nil, 200, nil, []string{emulator.ExampleZoneID, "5a1e0000000000000000000000000000"}},
		{"unknown name", "/client/v4/zones?name=nope.example", nil, 200, nil, []string{}},
		{"other account", "/client/v4/zones?name=plain.example&account.id=" + emulator.ExampleAccountID, nil, 200, nil, []string{}},
		{"token for other zones", "/client/v4/zones?name=example.com", bearer(otherZoneToken), 200, nil, []string{}},
		{"global key", "/client/v4/zones?name=plain.example", globalKeyAuth(globalEmail, globalKey), 200, nil, []string{plainZoneID}},
		{"no Zone Read", "/client/v4/zones?name=example.com", bearer(purgeOnlyToken), 403, []int{10000}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := decode(t, serve(t, e, newRequest("GET", tt.path, "", tt.auth), false))
			if x.status != tt.wantStatus {
				t.Errorf("status = %d, want %d: %s", x.status, tt.wantStatus, x.body)
			}
			if diff := cmp.Diff(tt.wantCodes, x.env.codes()); diff != "" {
				t.Errorf("error codes (-want +got):\n%s", diff)
			}
			if tt.wantIDs == nil {
				return
			}
			var zones []struct {
				ID, Name, Status string
				Account          struct{ ID, Name string }
				Plan             struct {
					LegacyID string `json:"legacy_id"`
				}
			}
			if err := json.Unmarshal(x.env.Result, &zones); err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, z := range zones {
				ids = append(ids, z.ID)
				if z.Status != "active" || z.Account.ID == "" || z.Account.Name == "" || z.Plan.LegacyID == "" {
					t.Errorf("incomplete zone %+v", z)
				}
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("zone IDs (-want +got):\n%s", diff)
			}
			if x.env.ResultInfo == nil || x.env.ResultInfo.Count != len(ids) || x.env.ResultInfo.TotalCount != len(ids) {
				t.Errorf("result_info = %+v, want counts of %d", x.env.ResultInfo, len(ids))
			}
		})
	}
}

func TestEnvironments(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	x := decode(t, serve(t, e, newRequest("GET", exampleEnvs, "", nil), false))
	// Exactly the example of Cloudflare's docs ("Purge zone versions via API").
	want := `{"environments":[
		{"name":"Production","ref":"12abcd3e45f678940a573f51834a54","version":0,"expression":"(cf.zone.name eq \"example.com\")","locked_on_deployment":false,"position":{"before":"5d41402abc4b2a76b9719d911017c"}},
		{"name":"Staging","ref":"5d41402abc4b2a76b9719d911017c","version":0,"expression":"((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq \"example.com\")","locked_on_deployment":false,"position":{"before":"49f0bad299687c62334182178bfd","after":"12abcd3e45f678940a573f51834a54"}},
		{"name":"Development","ref":"49f0bad299687c62334182178bfd","version":0,"expression":"((any(http.request.cookies[\"development\"][*] eq \"true\"))) and (cf.zone.name eq \"example.com\")","locked_on_deployment":false,"position":{"after":"5d41402abc4b2a76b9719d911017c"}}]}`
	var got, wantV any
	json.Unmarshal(x.env.Result, &got)
	if err := json.Unmarshal([]byte(want), &wantV); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantV, got); diff != "" || x.status != 200 {
		t.Errorf("status %d, result (-want +got):\n%s", x.status, diff)
	}

	tests := []struct {
		name, path string
		auth       auth
		wantStatus int
		wantCodes  []int
	}{
		{"without versioning", "/client/v4/zones/" + plainZoneID + "/environments", nil, 400, []int{10001}},
		{"unknown zone", "/client/v4/zones/" + unknownZoneID + "/environments", nil, 404, []int{7003}},
		{"no Zone Versioning Read", exampleEnvs, bearer(purgeOnlyToken), 403, []int{10000}},
		{"token for other zones", exampleEnvs, bearer(otherZoneToken), 403, []int{10000}},
		{"read-only token", exampleEnvs, bearer(readOnlyToken), 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := decode(t, serve(t, e, newRequest("GET", tt.path, "", tt.auth), false))
			if x.status != tt.wantStatus {
				t.Errorf("status = %d, want %d: %s", x.status, tt.wantStatus, x.body)
			}
			if diff := cmp.Diff(tt.wantCodes, x.env.codes()); diff != "" {
				t.Errorf("error codes (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("null version", func(t *testing.T) {
		e := emulator.New(emulator.Options{})
		e.AddZone(emulator.Zone{ID: "7e570000000000000000000000000000", Name: "null.example", AccountID: otherAccountID, Versioning: true,
			Environments: []emulator.Environment{{Name: "Production", Ref: "aa", Expression: `(cf.zone.name eq "null.example")`, NullVersion: true}}})
		x := decode(t, serve(t, e, newRequest("GET", "/client/v4/zones/7e570000000000000000000000000000/environments", "", nil), false))
		if !strings.Contains(string(x.env.Result), `"version":null`) {
			t.Errorf("NullVersion not shown as null: %s", x.env.Result)
		}
	})
	x = decode(t, serve(t, e, newRequest("GET", "/client/v4/zones/"+plainZoneID+"/environments", "", nil), false))
	if !strings.Contains(x.env.Errors[0].Message, "versioning is not enabled") {
		t.Errorf("message %q does not say versioning is off", x.env.Errors[0].Message)
	}
}

type purgeCase struct {
	name       string
	method     string // default POST
	path       string
	body       string
	auth       auth
	badRequest bool // the schema rejects the request as well
	wantStatus int
	wantCodes  []int
	wantPurge  *emulator.Purge // the accepted purge (its ID is the answer's)
	wantText   string          // in the answer, if set
}

func runPurgeCases(t *testing.T, e *emulator.Emulator, tests []purgeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "POST"
			}
			x := decode(t, serve(t, e, newRequest(method, tt.path, tt.body, tt.auth), tt.badRequest))
			if x.status != tt.wantStatus {
				t.Errorf("status = %d, want %d: %s", x.status, tt.wantStatus, x.body)
			}
			if diff := cmp.Diff(tt.wantCodes, x.env.codes()); diff != "" {
				t.Errorf("error codes (-want +got):\n%s\n%s", diff, x.body)
			}
			if !strings.Contains(string(x.body), tt.wantText) {
				t.Errorf("the answer lacks %q: %s", tt.wantText, x.body)
			}
			id := x.env.id()
			// An invalidation is recorded apart from purges, and only there.
			purges, others := e.Purges(), e.Invalidations()
			if tt.wantPurge != nil && tt.wantPurge.Invalidate {
				purges, others = others, purges
			}
			if slices.ContainsFunc(others, func(p emulator.Purge) bool { return id != "" && p.ID == id }) {
				t.Errorf("request %s recorded in the wrong list", id)
			}
			i := len(purges) - 1
			switch {
			case tt.wantPurge == nil && id != "":
				t.Errorf("refused request got an id: %s", x.body)
			case tt.wantPurge == nil:
			case !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id):
				t.Errorf("result.id = %q, want 32 hex characters", id)
			default:
				for i >= 0 && purges[i].ID != id {
					i--
				}
				want := *tt.wantPurge
				want.ID = id
				if i < 0 {
					t.Fatalf("purge %s not recorded", id)
				}
				if diff := cmp.Diff(want, purges[i]); diff != "" {
					t.Errorf("recorded purge (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestPurgeKinds(t *testing.T) {
	e := newEmulator(t, emulator.Options{})
	zone := func(kind string, items ...string) *emulator.Purge {
		return &emulator.Purge{ZoneID: emulator.ExampleZoneID, Kind: kind, Items: items}
	}
	staging := func(kind string, items ...string) *emulator.Purge {
		p := zone(kind, items...)
		p.EnvironmentRef = emulator.StagingRef
		return p
	}
	var tests []purgeCase
	for _, ep := range []struct {
		name, path string
		purge      func(string, ...string) *emulator.Purge
	}{{"zone", examplePurge, zone}, {"environment", stagingPurge, staging}} {
		tests = append(tests,
			purgeCase{name: ep.name + " files", path: ep.path, body: `{"files":["https://www.example.com/css/a.css","http://www.example.com/js/b.js"]}`,
				wantStatus: 200, wantPurge: ep.purge("files", "https://www.example.com/css/a.css", "http://www.example.com/js/b.js")},
			purgeCase{name: ep.name + " files with headers", path: ep.path,
				body:       `{"files":[{"url":"https://www.example.com/cat.jpg","headers":{"CF-IPCountry":"US","CF-Device-Type":"desktop"}},{"url":"https://www.example.com/dog.jpg"}]}`,
				wantStatus: 200, wantPurge: ep.purge("files", "https://www.example.com/cat.jpg", "https://www.example.com/dog.jpg")},
			purgeCase{name: ep.name + " tags", path: ep.path, body: `{"tags":["a-cache-tag","Another"]}`, wantStatus: 200, wantPurge: ep.purge("tags", "a-cache-tag", "Another")},
			purgeCase{name: ep.name + " hosts", path: ep.path, body: `{"hosts":["www.example.com","images.example.com"]}`, wantStatus: 200, wantPurge: ep.purge("hosts", "www.example.com", "images.example.com")},
			purgeCase{name: ep.name + " prefixes", path: ep.path, body: `{"prefixes":["www.example.com/foo","images.example.com/bar/baz"]}`, wantStatus: 200, wantPurge: ep.purge("prefixes", "www.example.com/foo", "images.example.com/bar/baz")},
			purgeCase{name: ep.name + " everything", path: ep.path, body: `{"purge_everything":true}`, wantStatus: 200, wantPurge: ep.purge("purge_everything")},
		)
	}
	// Invalidations take the same bodies at their own endpoints.
	for _, tt := range slices.Clone(tests) {
		tt.name = "invalidate " + tt.name
		tt.path = strings.Replace(tt.path, "/purge_cache", "/invalidate_cache", 1)
		want := *tt.wantPurge
		want.Invalidate = true
		tt.wantPurge = &want
		tests = append(tests, tt)
	}
	tests = append(tests,
		purgeCase{name: "without base path", path: strings.TrimPrefix(examplePurge, "/client/v4"), body: `{"tags":["x"]}`, wantStatus: 200, wantPurge: zone("tags", "x")},
		purgeCase{name: "production by ref", path: "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + emulator.ProductionRef + "/purge_cache",
			body: `{"tags":["x"]}`, wantStatus: 200, wantPurge: &emulator.Purge{ZoneID: emulator.ExampleZoneID, EnvironmentRef: emulator.ProductionRef, Kind: "tags", Items: []string{"x"}}},
		purgeCase{name: "500 URLs on Enterprise", path: examplePurge, body: urls(500), wantStatus: 200,
			wantPurge: zone("files", func() []string {
				var u struct{ Files []string }
				json.Unmarshal([]byte(urls(500)), &u)
				return u.Files
			}()...)},
	)
	runPurgeCases(t, e, tests)
}

func TestPurgeBodyRules(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	ok := func(kind string, items ...string) *emulator.Purge {
		return &emulator.Purge{ZoneID: emulator.ExampleZoneID, Kind: kind, Items: items}
	}
	slashes := func(n int) string { return "www.example.com" + strings.Repeat("/a", n) }
	runPurgeCases(t, e, []purgeCase{
		{name: "not JSON", path: examplePurge, body: `files=a`, badRequest: true, wantStatus: 400, wantCodes: []int{9207}},
		{name: "JSON array", path: examplePurge, body: `["https://www.example.com/"]`, badRequest: true, wantStatus: 400, wantCodes: []int{9207}},
		{name: "no field", path: examplePurge, body: `{}`, badRequest: true, wantStatus: 400, wantCodes: []int{1012}},
		{name: "unknown field only", path: examplePurge, body: `{"urls":["https://www.example.com/"]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1012}},
		{name: "files not an array", path: examplePurge, body: `{"files":"https://www.example.com/"}`, badRequest: true, wantStatus: 400, wantCodes: []int{1014}},
		{name: "tags not an array", path: examplePurge, body: `{"tags":{"a":1}}`, badRequest: true, wantStatus: 400, wantCodes: []int{1014}},
		{name: "hosts null", path: examplePurge, body: `{"hosts":null}`, badRequest: true, wantStatus: 400, wantCodes: []int{1014}},
		{name: "everything with files", path: examplePurge, body: `{"purge_everything":true,"files":["https://www.example.com/"]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1092}},
		{name: "everything with tags", path: examplePurge, body: `{"purge_everything":true,"tags":["a"]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1092}},
		{name: "everything false", path: examplePurge, body: `{"purge_everything":false}`, wantStatus: 400, wantCodes: []int{1012}},
		{name: "two kinds", path: examplePurge, body: `{"tags":["a"],"hosts":["www.example.com"]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1012}},
		{name: "empty list", path: examplePurge, body: `{"tags":[]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1012}},
		{name: "31 URLs on Free", path: plainPurge, body: urls(31), wantStatus: 400, wantCodes: []int{1015}},
		{name: "30 URLs on Free", path: plainPurge, body: urls(30), wantStatus: 200,
			wantPurge: func() *emulator.Purge {
				var u struct{ Files []string }
				json.Unmarshal([]byte(urls(30)), &u)
				return &emulator.Purge{ZoneID: plainZoneID, Kind: "files", Items: u.Files}
			}()},
		{name: "501 URLs on Enterprise", path: examplePurge, body: urls(501), wantStatus: 400, wantCodes: []int{1015}},
		{name: "101 tags", path: examplePurge, body: tags(101), wantStatus: 400, wantCodes: []int{1015}},
		{name: "101 hosts", path: examplePurge, body: list("hosts", 101, func(i int) string { return fmt.Sprintf("h%d.example.com", i) }), wantStatus: 400, wantCodes: []int{1015}},
		{name: "101 prefixes", path: examplePurge, body: list("prefixes", 101, func(i int) string { return fmt.Sprintf("www.example.com/%d", i) }), wantStatus: 400, wantCodes: []int{1015}},
		{name: "relative URL", path: examplePurge, body: `{"files":["/css/a.css"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "ftp URL", path: examplePurge, body: `{"files":["ftp://www.example.com/a"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "URL object without url", path: examplePurge, body: `{"files":[{"headers":{"Origin":"https://example.com"}}]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1016}},
		{name: "number among files", path: examplePurge, body: `{"files":[42]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1016}},
		{name: "object among tags", path: examplePurge, body: `{"tags":[{"url":"x"}]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1016}},
		{name: "tag with a space", path: examplePurge, body: `{"tags":["a tag"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "tag not ASCII", path: examplePurge, body: `{"tags":["café"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "tag of 1025 characters", path: examplePurge, body: `{"tags":["` + strings.Repeat("t", 1025) + `"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "tag of 1024 characters", path: examplePurge, body: `{"tags":["` + strings.Repeat("t", 1024) + `"]}`, wantStatus: 200, wantPurge: ok("tags", strings.Repeat("t", 1024))},
		{name: "host with a path", path: examplePurge, body: `{"hosts":["www.example.com/a"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "prefix with a scheme", path: examplePurge, body: `{"prefixes":["https://www.example.com/a"]}`, wantStatus: 400, wantCodes: []int{1016}, wantText: "Invalid prefix entry"},
		{name: "prefix with a query", path: examplePurge, body: `{"prefixes":["www.example.com/a?b=c"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "prefix with a fragment", path: examplePurge, body: `{"prefixes":["www.example.com/a#b"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "prefix with 32 separators", path: examplePurge, body: `{"prefixes":["` + slashes(32) + `"]}`, wantStatus: 400, wantCodes: []int{1016}},
		{name: "prefix with 31 separators", path: examplePurge, body: `{"prefixes":["` + slashes(31) + `"]}`, wantStatus: 200, wantPurge: ok("prefixes", slashes(31))},
		{name: "unknown field beside a kind is ignored", path: examplePurge, body: `{"tags":["a"],"note":"x"}`, badRequest: true, wantStatus: 200, wantPurge: ok("tags", "a")},
	})
}

func TestPurgeRefusals(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	tags := `{"tags":["a"]}`
	var tests []purgeCase
	for _, env := range geoEnvironments[1:] {
		path := geoPurgePrefix + env.Ref + "/purge_cache"
		tests = append(tests,
			purgeCase{name: "URLs in " + env.Name, path: path, body: `{"files":["https://geo.example/a"]}`, wantStatus: 400, wantCodes: []int{1136}},
			purgeCase{name: "URLs with headers in " + env.Name, path: path, body: `{"files":[{"url":"https://geo.example/a","headers":{"CF-IPCountry":"DE"}}]}`, wantStatus: 400, wantCodes: []int{1136}},
			purgeCase{name: "tags in " + env.Name, path: path, body: tags, wantStatus: 200,
				wantPurge: &emulator.Purge{ZoneID: geoZoneID, EnvironmentRef: env.Ref, Kind: "tags", Items: []string{"a"}}},
		)
	}
	for _, env := range geoEnvironments[1:] {
		path := geoPurgePrefix + env.Ref + "/invalidate_cache"
		tests = append(tests,
			purgeCase{name: "invalidate URLs in " + env.Name, path: path, body: `{"files":["https://geo.example/a"]}`, wantStatus: 400, wantCodes: []int{1136}},
			purgeCase{name: "invalidate tags in " + env.Name, path: path, body: tags, wantStatus: 200,
				wantPurge: &emulator.Purge{ZoneID: geoZoneID, EnvironmentRef: env.Ref, Kind: "tags", Items: []string{"a"}, Invalidate: true}},
		)
	}
	tests = append(tests,
		purgeCase{name: "invalidate without Cache Purge", path: exampleInvalidate, body: tags, auth: bearer(readOnlyToken), wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "invalidate with a token for other zones", path: exampleInvalidate, body: tags, auth: bearer(otherZoneToken), wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "invalidate an unknown zone", path: strings.Replace(unknownZonePath, "purge_cache", "invalidate_cache", 1), body: tags, wantStatus: 404, wantCodes: []int{7003}},
		purgeCase{name: "invalidate with a purge-only token", path: stagingInvalidate, body: tags, auth: bearer(purgeOnlyToken), wantStatus: 200,
			wantPurge: &emulator.Purge{ZoneID: emulator.ExampleZoneID, EnvironmentRef: emulator.StagingRef, Kind: "tags", Items: []string{"a"}, Invalidate: true}},
		purgeCase{name: "GET invalidate", method: "GET", path: exampleInvalidate, badRequest: true, wantStatus: 405, wantCodes: []int{7001}},
		purgeCase{name: "invalidate with two kinds", path: exampleInvalidate, body: `{"tags":["a"],"hosts":["www.example.com"]}`, badRequest: true, wantStatus: 400, wantCodes: []int{1012}},
		purgeCase{name: "invalidate 501 URLs", path: exampleInvalidate, body: urls(501), wantStatus: 400, wantCodes: []int{1015}},
	)
	tests = append(tests,
		purgeCase{name: "URLs at the zone endpoint of such a zone", path: "/client/v4/zones/" + geoZoneID + "/purge_cache",
			body: `{"files":["https://geo.example/a"]}`, wantStatus: 200,
			wantPurge: &emulator.Purge{ZoneID: geoZoneID, Kind: "files", Items: []string{"https://geo.example/a"}}},

		purgeCase{name: "unknown zone", path: unknownZonePath, body: tags, wantStatus: 404, wantCodes: []int{7003}},
		purgeCase{name: "unknown environment", path: "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/0000000000000000000000000000/purge_cache", body: tags, wantStatus: 404, wantCodes: []int{7003}},
		purgeCase{name: "environment of a zone without versioning", path: "/client/v4/zones/" + plainZoneID + "/environments/" + emulator.StagingRef + "/purge_cache", body: tags, wantStatus: 404, wantCodes: []int{7003}},
		purgeCase{name: "environment of another zone", path: "/client/v4/zones/" + emulator.ExampleZoneID + "/environments/" + geoEnvironments[1].Ref + "/purge_cache", body: tags, wantStatus: 404, wantCodes: []int{7003}},
		purgeCase{name: "unknown path", path: "/client/v4/zones/" + emulator.ExampleZoneID + "/purge", body: tags, wantStatus: 404, wantCodes: []int{7000}},
		purgeCase{name: "wrong method", method: "GET", path: examplePurge, badRequest: true, wantStatus: 405, wantCodes: []int{7001}},

		purgeCase{name: "no credentials", path: examplePurge, body: tags, auth: noAuth, wantStatus: 400, wantCodes: []int{9106}, wantText: "Missing X-Auth-Key, X-Auth-Email or Authorization headers"},
		purgeCase{name: "unknown token", path: examplePurge, body: tags, auth: bearer("AbCdEf0123456789abcdef0123456789abcdef01"), wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "not a bearer", path: examplePurge, body: tags, auth: func(h http.Header) { h.Set("Authorization", "Token "+emulator.SandboxToken) }, wantStatus: 400, wantCodes: []int{6003, 6111}},
		purgeCase{name: "token in quotes", path: examplePurge, body: tags, auth: bearer(`"` + emulator.SandboxToken + `"`), wantStatus: 400, wantCodes: []int{6003, 6111}},
		purgeCase{name: "empty bearer", path: examplePurge, body: tags, auth: func(h http.Header) { h.Set("Authorization", "Bearer ") }, wantStatus: 400, wantCodes: []int{6003, 6111}},
		purgeCase{name: "token sent as the global key", path: examplePurge, body: tags, auth: globalKeyAuth(globalEmail, emulator.SandboxToken), wantStatus: 400, wantCodes: []int{6003, 6103}},
		purgeCase{name: "40-character key", path: examplePurge, body: tags, auth: globalKeyAuth(globalEmail, strings.Repeat("k", 40)), wantStatus: 400, wantCodes: []int{6003, 6103}},
		purgeCase{name: "key without email", path: examplePurge, body: tags, auth: globalKeyAuth("", globalKey), wantStatus: 400, wantCodes: []int{6003, 6102}},
		purgeCase{name: "key of another email", path: examplePurge, body: tags, auth: globalKeyAuth("other@example.com", globalKey), wantStatus: 403, wantCodes: []int{9103}},
		purgeCase{name: "both methods", path: examplePurge, body: tags, auth: func(h http.Header) { bearer(emulator.SandboxToken)(h); globalKeyAuth(globalEmail, globalKey)(h) }, wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "no Cache Purge", path: examplePurge, body: tags, auth: bearer(readOnlyToken), wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "token for other zones", path: examplePurge, body: tags, auth: bearer(otherZoneToken), wantStatus: 403, wantCodes: []int{10000}},
		purgeCase{name: "token for this zone", path: "/client/v4/zones/" + geoZoneID + "/purge_cache", body: tags, auth: bearer(otherZoneToken), wantStatus: 200,
			wantPurge: &emulator.Purge{ZoneID: geoZoneID, Kind: "tags", Items: []string{"a"}}},
		purgeCase{name: "global key", path: examplePurge, body: tags, auth: globalKeyAuth(globalEmail, globalKey), wantStatus: 200,
			wantPurge: &emulator.Purge{ZoneID: emulator.ExampleZoneID, Kind: "tags", Items: []string{"a"}}},
		purgeCase{name: "purge-only token", path: stagingPurge, body: tags, auth: bearer(purgeOnlyToken), wantStatus: 200,
			wantPurge: &emulator.Purge{ZoneID: emulator.ExampleZoneID, EnvironmentRef: emulator.StagingRef, Kind: "tags", Items: []string{"a"}}},
	)
	runPurgeCases(t, e, tests)

	t.Run("messages", func(t *testing.T) {
		x := decode(t, serve(t, e, newRequest("POST", unknownZonePath, tags, nil), false))
		if want := "Could not route to /zones/" + unknownZoneID + "/purge_cache, perhaps your object identifier is invalid?"; x.env.Errors[0].Message != want {
			t.Errorf("7003 message = %q, want %q", x.env.Errors[0].Message, want)
		}
		x = decode(t, serve(t, e, newRequest("POST", geoPurgePrefix+geoEnvironments[2].Ref+"/purge_cache", `{"files":["https://geo.example/a"]}`, nil), false))
		if m := x.env.Errors[0].Message; !strings.Contains(m, `"Europe"`) || !strings.Contains(m, "country") || !strings.Contains(m, "tag") {
			t.Errorf("1136 message %q should name the environment, the reason and the way out", m)
		}
		x = decode(t, serve(t, e, newRequest("POST", geoPurgePrefix+geoEnvironments[2].Ref+"/invalidate_cache", `{"files":["https://geo.example/a"]}`, nil), false))
		if m := x.env.Errors[0].Message; !strings.HasPrefix(m, "Invalidation by URL") || !strings.Contains(m, "invalidate everything") {
			t.Errorf("1136 message of an invalidation %q should speak of invalidation", m)
		}
	})

	t.Run("requests record the kind of credentials only", func(t *testing.T) {
		var got []string
		for _, r := range e.Requests() {
			got = append(got, r.Auth)
		}
		for _, want := range []string{"token", "key", ""} {
			if !strings.Contains(strings.Join(got, ","), want) {
				t.Errorf("no request with Auth %q among %q", want, got)
			}
		}
	})
}

// fakeClock is a settable clock for the rate limits.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)} }

// purgeStatus sends one purge and returns its status and Retry-After.
func purgeStatus(t *testing.T, e *emulator.Emulator, path, body string) (int, string) {
	t.Helper()
	x := decode(t, serve(t, e, newRequest("POST", path, body, nil), false))
	if x.status == http.StatusTooManyRequests {
		if diff := cmp.Diff([]int{1134}, x.env.codes()); diff != "" || !strings.HasPrefix(x.env.Errors[0].Message, "Unable to purge, rate limit reached.") {
			t.Errorf("429 errors: %s", x.body)
		}
	}
	return x.status, x.header.Get("Retry-After")
}

func TestRateLimitsFree(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEmulator(t, emulator.Options{Plan: emulator.PlanFree, RateLimits: true, Now: clock.Now})
	tag := `{"tags":["a"]}`
	for i := range 25 {
		if status, _ := purgeStatus(t, e, examplePurge, tag); status != 200 {
			t.Fatalf("request %d: status %d, want 200 within the bucket of 25", i+1, status)
		}
	}
	type answer struct {
		Status     int
		RetryAfter string
	}
	check := func(step string, want answer) {
		t.Helper()
		status, retry := purgeStatus(t, e, examplePurge, tag)
		if diff := cmp.Diff(want, answer{status, retry}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", step, diff)
		}
	}
	check("26th request", answer{429, "12"}) // 5 per minute: one token every 12 s
	check("refused requests take nothing", answer{429, "12"})
	// Invalidations draw on the same budgets as purges.
	if status, retry := purgeStatus(t, e, exampleInvalidate, tag); status != 429 || retry != "12" {
		t.Errorf("invalidation from an empty bucket: %d, Retry-After %q; want 429, 12", status, retry)
	}
	clock.Advance(11 * time.Second)
	check("after 11 s", answer{429, "1"})
	// Other kinds share the bucket; URLs have their own; lookups have none.
	if status, _ := purgeStatus(t, e, stagingPurge, `{"purge_everything":true}`); status != 429 {
		t.Errorf("purge everything from an empty bucket: %d, want 429", status)
	}
	if status, _ := purgeStatus(t, e, examplePurge, urls(30)); status != 200 {
		t.Errorf("URLs with an empty tag bucket: %d, want 200", status)
	}
	if x := serve(t, e, newRequest("GET", exampleEnvs, "", nil), false); x.status != 200 {
		t.Errorf("lookup with an empty bucket: %d, want 200", x.status)
	}
	clock.Advance(time.Second)
	check("after 12 s", answer{200, ""})
	check("then", answer{429, "12"})

	// Another account has its own bucket; invalid bodies are refused before the
	// bucket is consulted.
	if status, _ := purgeStatus(t, e, plainPurge, tag); status != 200 {
		t.Errorf("another account: %d, want 200", status)
	}
	if status, _ := purgeStatus(t, e, examplePurge, `{"tags":["a b"]}`); status != 400 {
		t.Errorf("invalid body with an empty bucket: %d, want 400", status)
	}
	clock.Advance(time.Minute)
	for i := range 5 {
		if status, _ := purgeStatus(t, e, examplePurge, tag); status != 200 {
			t.Fatalf("after a minute, request %d: %d, want 200 (5 tokens)", i+1, status)
		}
	}
	check("6th after a minute", answer{429, "12"})

	e.Reset()
	if status, _ := purgeStatus(t, e, examplePurge, tag); status != 200 {
		t.Errorf("after Reset: %d, want 200", status)
	}
}

func TestRateLimitsPerPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan       emulator.Plan
		burst      int
		urlsPerSec int
		batch      int // URLs per request
	}{
		{emulator.PlanFree, 25, 800, 30},
		{emulator.PlanPro, 25, 1500, 30},
		{emulator.PlanBusiness, 50, 1500, 30},
		{emulator.PlanEnterprise, 500, 3000, 500},
	}
	for _, tt := range tests {
		t.Run(string(tt.plan), func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			e := newEmulator(t, emulator.Options{Plan: tt.plan, RateLimits: true, Now: clock.Now})
			for i := range tt.burst {
				if status, _ := purgeStatus(t, e, stagingPurge, `{"hosts":["www.example.com"]}`); status != 200 {
					t.Fatalf("request %d: %d, want 200", i+1, status)
				}
			}
			if status, retry := purgeStatus(t, e, stagingPurge, `{"hosts":["www.example.com"]}`); status != 429 || retry == "" {
				t.Errorf("past the burst: %d, Retry-After %q; want 429 with Retry-After", status, retry)
			}

			body := urls(tt.batch)
			for sent := 0; sent+tt.batch <= tt.urlsPerSec; sent += tt.batch {
				if status, _ := purgeStatus(t, e, examplePurge, body); status != 200 {
					t.Fatalf("URLs %d-%d: %d, want 200", sent+1, sent+tt.batch, status)
				}
			}
			if status, retry := purgeStatus(t, e, examplePurge, body); status != 429 || retry != "1" {
				t.Errorf("past a second's URLs: %d, Retry-After %q; want 429, 1", status, retry)
			}
			clock.Advance(time.Second)
			if status, _ := purgeStatus(t, e, examplePurge, body); status != 200 {
				t.Errorf("a second later: %d, want 200", status)
			}
		})
	}
}

func TestRateLimitOptions(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEmulator(t, emulator.Options{Plan: emulator.PlanFree, RateLimits: true, OmitRetryAfter: true, Now: clock.Now})
	// Zones of one account share its bucket.
	e.AddZone(emulator.Zone{ID: "5a1e0000000000000000000000000000", Name: "example.net", AccountID: emulator.ExampleAccountID, Plan: emulator.PlanFree})
	for range 25 {
		purgeStatus(t, e, examplePurge, `{"tags":["a"]}`)
	}
	if status, retry := purgeStatus(t, e, "/zones/5a1e0000000000000000000000000000/purge_cache", `{"tags":["a"]}`); status != 429 || retry != "" {
		t.Errorf("same account, OmitRetryAfter: %d, Retry-After %q; want 429 without Retry-After", status, retry)
	}

	unlimited := newEmulator(t, emulator.Options{Plan: emulator.PlanFree, Now: clock.Now})
	for i := range 100 {
		if status, _ := purgeStatus(t, unlimited, examplePurge, `{"tags":["a"]}`); status != 200 {
			t.Fatalf("without RateLimits, request %d: %d", i+1, status)
		}
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      emulator.Fault
		wantStatus int
		wantCodes  []int
		wantHeader http.Header // headers that must be there
		wantResult string
	}{
		{"status default", emulator.Fault{Kind: emulator.FaultStatus}, 500, []int{10002}, nil, "null"},
		{"status 503", emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Code: 10013, Message: "down"}, 503, []int{10013}, nil, "null"},
		{"status 403", emulator.Fault{Kind: emulator.FaultStatus, Status: 403, Code: 10000, Message: "Authentication error"}, 403, []int{10000}, nil, "null"},
		{"rate limited", emulator.Fault{Kind: emulator.FaultRateLimited, RetryAfter: "7"}, 429, []int{1134}, http.Header{"Retry-After": {"7"}}, "null"},
		{"rate limited without Retry-After", emulator.Fault{Kind: emulator.FaultRateLimited}, 429, []int{1134}, nil, "null"},
		{"success false", emulator.Fault{Kind: emulator.FaultSuccessFalse, Code: 1234, Message: "nope"}, 200, []int{1234}, nil, "null"},
		{"success false default", emulator.Fault{Kind: emulator.FaultSuccessFalse}, 200, []int{10002}, nil, "null"},
		{"no id", emulator.Fault{Kind: emulator.FaultNoID}, 200, nil, nil, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEmulator(t, emulator.Options{})
			e.Inject(tt.fault)
			x := decode(t, serve(t, e, newRequest("POST", examplePurge, `{"tags":["a"]}`, nil), false))
			if x.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", x.status, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantCodes, x.env.codes()); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
			if string(x.env.Result) != tt.wantResult {
				t.Errorf("result = %s, want %s", x.env.Result, tt.wantResult)
			}
			if _, ok := tt.wantHeader["Retry-After"]; !ok && x.header.Get("Retry-After") != "" {
				t.Errorf("unexpected Retry-After %q", x.header.Get("Retry-After"))
			}
			for k := range tt.wantHeader {
				if x.header.Get(k) != tt.wantHeader.Get(k) {
					t.Errorf("header %s = %q, want %q", k, x.header.Get(k), tt.wantHeader.Get(k))
				}
			}
			if len(e.Purges()) != 0 {
				t.Errorf("a fault recorded a purge: %+v", e.Purges())
			}
			if r := e.Requests(); len(r) != 1 || !r[0].Fault || r[0].Status != tt.wantStatus {
				t.Errorf("Requests() = %+v, want one faulted request with status %d", r, tt.wantStatus)
			}
			// The next request is served normally.
			if x := serve(t, e, newRequest("POST", examplePurge, `{"tags":["a"]}`, nil), false); x.status != 200 {
				t.Errorf("after the fault: %d", x.status)
			}
		})
	}
}

// faulted counts the requests that met a fault.
func faulted(rs []emulator.Request) int {
	n := 0
	for _, r := range rs {
		if r.Fault {
			n++
		}
	}
	return n
}

// TestWireFaults runs the faults that break HTTP or JSON through a real server and
// the apischema middleware, which must let them through unchecked.
func TestWireFaults(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	if emulator.FaultHeader != apischema.FaultHeader {
		t.Fatalf("emulator.FaultHeader %q != apischema.FaultHeader %q", emulator.FaultHeader, apischema.FaultHeader)
	}
	srv := httptest.NewServer(apischema.Middleware(loadValidator(t), func(err error) { t.Errorf("contract: %v", err) }, e))
	defer srv.Close()

	// Each request is bounded, so that a fault left over hangs one subtest,
	// not the package.
	post := func(ctx context.Context) (*http.Response, []byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+examplePurge, strings.NewReader(`{"tags":["a"]}`))
		req.Header.Set("Content-Type", "application/json")
		bearer(emulator.SandboxToken)(req.Header)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	t.Run("reset", func(t *testing.T) {
		e.Inject(emulator.Fault{Kind: emulator.FaultReset, PathContains: "/purge_cache"})
		if _, _, err := post(context.Background()); err == nil {
			t.Error("got a response, want a connection error")
		}
	})
	t.Run("hang", func(t *testing.T) {
		e.Inject(emulator.Fault{Kind: emulator.FaultHang})
		before := faulted(e.Requests())
		// Give up on the request once the emulator has taken the fault, not
		// after a fixed time: on a slow machine a short deadline can pass
		// before the request arrives, and the fault would then hang the next
		// subtest's request instead.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		go func() {
			for faulted(e.Requests()) == before && ctx.Err() == nil {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
		}()
		if _, _, err := post(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want the request cancelled while it hung", err)
		}
	})
	t.Run("html", func(t *testing.T) {
		e.Inject(emulator.Fault{Kind: emulator.FaultHTML})
		resp, body, err := post(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<html>")) {
			t.Errorf("got %d %q %s, want an HTML 502", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		e.Inject(emulator.Fault{Kind: emulator.FaultTruncated})
		resp, body, err := post(context.Background())
		if resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || json.Valid(body) {
			t.Errorf("got %v, %v, body %q; want 200 and an unexpected EOF mid-JSON", resp, err, body)
		}
	})

	// Wait for the server side of every request (the hang ends with its context).
	deadline := time.Now().Add(5 * time.Second)
	var n int
	for time.Now().Before(deadline) {
		if n = faulted(e.Requests()); n == 4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n != 4 {
		t.Errorf("%d faulted requests recorded, want 4", n)
	}
	if resp, _, err := post(context.Background()); err != nil || resp.StatusCode != 200 {
		t.Errorf("after the faults: %v, %v", resp, err)
	}
	if n := len(e.Purges()); n != 1 {
		t.Errorf("%d purges recorded, want only the last request's", n)
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	e.Inject(
		emulator.Fault{Kind: emulator.FaultStatus, Status: 502, PathContains: "/environments", Method: "get", Times: 2},
		emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Method: "POST"},
		emulator.Fault{Kind: emulator.FaultStatus, Status: 504, Method: "POST"},
	)
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", examplePurge, `{"tags":["a"]}`, 503}, // FIFO among matching faults
		{"GET", "/zones?name=example.com", "", 200},   // matches none
		{"GET", exampleEnvs, "", 502},
		{"POST", stagingPurge, `{"tags":["a"]}`, 504},
		{"GET", exampleEnvs, "", 502}, // Times: 2
		{"GET", exampleEnvs, "", 200},
		{"POST", examplePurge, `{"tags":["a"]}`, 200},
	}
	var got, want []int
	for _, s := range steps {
		got = append(got, serve(t, e, newRequest(s.method, s.path, s.body, nil), false).status)
		want = append(want, s.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	e.Inject(emulator.Fault{Kind: emulator.FaultStatus})
	e.Reset()
	if x := serve(t, e, newRequest("POST", examplePurge, `{"tags":["a"]}`, nil), false); x.status != 200 {
		t.Errorf("Reset kept a fault: %d", x.status)
	}
	if r, p := e.Requests(), e.Purges(); len(r) != 1 || len(p) != 1 {
		t.Errorf("after Reset and one purge: %d requests, %d purges; want 1, 1", len(r), len(p))
	}
}

func TestRequestsAndLog(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	clock := newClock()
	e := newEmulator(t, emulator.Options{Log: &log, Now: clock.Now})
	serve(t, e, newRequest("POST", examplePurge, `{"tags":["a"]}`, globalKeyAuth(globalEmail, globalKey)), false)
	serve(t, e, newRequest("GET", "/client/v4/zones?name=example.com", "", nil), false)

	want := []emulator.Request{
		{Method: "POST", Path: examplePurge, Body: []byte(`{"tags":["a"]}`), Status: 200, Time: clock.Now(), Auth: "key"},
		{Method: "GET", Path: "/client/v4/zones", RawQuery: "name=example.com", Body: []byte{}, Status: 200, Time: clock.Now(), Auth: "token"},
	}
	if diff := cmp.Diff(want, e.Requests()); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	pattern := regexp.MustCompile(`^(POST|GET) /client/v4/zones\S* 200 \S+$`)
	if len(lines) != 2 || !pattern.MatchString(lines[0]) || !pattern.MatchString(lines[1]) {
		t.Errorf("log = %q, want two lines of method, path, status and duration", lines)
	}
	for _, s := range secrets {
		if strings.Contains(log.String(), s) {
			t.Errorf("the log holds the secret %q", s)
		}
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	e.ServeHTTP(w, newRequest("POST", examplePurge, `{"tags":["a"]}`, nil).WithContext(ctx))
	if len(e.Purges()) != 0 || w.Body.Len() != 0 {
		t.Errorf("a cancelled request was served: %s", w.Body)
	}

	e = newEmulator(t, emulator.Options{Latency: 20 * time.Millisecond})
	start := time.Now()
	if x := serve(t, e, newRequest("POST", examplePurge, `{"tags":["a"]}`, nil), false); x.status != 200 {
		t.Errorf("status %d", x.status)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("answered in %s, want at least the latency", d)
	}
}

// TestConcurrency runs many clients at once through a real server; with -race it
// checks the emulator's locking.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEmulator(t, emulator.Options{RateLimits: true, Now: clock.Now})
	srv := httptest.NewServer(e)
	defer srv.Close()
	const clients, each = 20, 10
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				path, body, method := examplePurge, fmt.Sprintf(`{"tags":["t-%d-%d"]}`, c, i), "POST"
				switch i % 3 {
				case 1:
					path, body = stagingPurge, urls(3)
				case 2:
					path, body, method = exampleEnvs, "", "GET"
				}
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				bearer(emulator.SandboxToken)(req.Header)
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				_ = e.Requests() // readers race with writers
				if i == 5 {
					e.Inject(emulator.Fault{Kind: emulator.FaultNoID, PathContains: "/nothing-matches"})
					e.AddToken(emulator.Token{Value: fmt.Sprintf("token-%d", c)})
				}
			}
		})
	}
	wg.Wait()
	if n := len(e.Requests()); n != clients*each {
		t.Errorf("%d requests recorded, want %d", n, clients*each)
	}
	ids := map[string]bool{}
	for _, p := range e.Purges() {
		ids[p.ID] = true
	}
	if want := clients * (each - each/3); len(ids) != want {
		t.Errorf("%d distinct purge IDs, want %d", len(ids), want)
	}
}

func TestParsePlan(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]emulator.Plan{"": emulator.PlanEnterprise, "Free": emulator.PlanFree, " business ": emulator.PlanBusiness} {
		if got, err := emulator.ParsePlan(in); err != nil || got != want {
			t.Errorf("ParsePlan(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := emulator.ParsePlan("ultimate"); err == nil {
		t.Error("ParsePlan(ultimate) = nil error")
	}
}
