package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// call sends one request straight to the handler, and checks the answer
// against the schema.
func call(t *testing.T, e *emulator.Emulator, method, path string, a auth) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	r := newRequest(method, path, "", a)
	e.ServeHTTP(w, r)
	if err := loadValidator(t).CheckResponse(r, w.Code, w.Header(), w.Body.Bytes()); err != nil {
		t.Errorf("schema check of the response: %v\n%s", err, w.Body)
	}
	return w
}

// firstCode is the answer's first errors[].code, 0 if none.
func firstCode(t *testing.T, w *httptest.ResponseRecorder) (int, string) {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, w.Body)
	}
	if len(env.Errors) == 0 {
		return 0, ""
	}
	return env.Errors[0].Code, env.Errors[0].Message
}

// Past the API-wide quota, every call of that credential is refused with
// 971 for the block, whatever it asks; other credentials go on. Every answer
// announces the limit in both headers.
func TestAPILimitEnforced(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEmulator(t, emulator.Options{Now: clock.Now,
		APILimit: emulator.APILimit{Quota: 3, Window: 10 * time.Second, Block: 30 * time.Second}})
	lookup := "/client/v4/zones?name=example.com"
	type answer struct {
		Status                      int
		Code                        int
		Ratelimit, Policy, RetryAft string
	}
	get := func(path string, a auth) answer {
		w := call(t, e, http.MethodGet, path, a)
		code, msg := firstCode(t, w)
		if code == 971 && msg != "More than 3 requests per 10 seconds reached. Please wait and consider throttling your request speed" {
			t.Errorf("971 message %q", msg)
		}
		return answer{w.Code, code, w.Header().Get("Ratelimit"), w.Header().Get("Ratelimit-Policy"), w.Header().Get("Retry-After")}
	}
	const policy = `"default";q=3;w=10`
	var got []answer
	for range 4 {
		got = append(got, get(lookup, nil))
		clock.Advance(time.Second)
	}
	got = append(got, get(exampleEnvs, nil))              // blocked, whatever the call
	got = append(got, get(lookup, bearer(readOnlyToken))) // another credential
	clock.Advance(20 * time.Second)                       // the window is over, not the block
	got = append(got, get(lookup, nil))
	clock.Advance(9 * time.Second) // the block is over
	got = append(got, get(lookup, nil))
	want := []answer{
		{200, 0, `"default";r=2;t=10`, policy, ""},
		{200, 0, `"default";r=1;t=9`, policy, ""},
		{200, 0, `"default";r=0;t=8`, policy, ""},
		{429, 971, `"default";r=0;t=30`, policy, "30"},
		{429, 971, `"default";r=0;t=29`, policy, "29"},
		{200, 0, `"default";r=2;t=10`, policy, ""},
		{429, 971, `"default";r=0;t=9`, policy, "9"},
		{200, 0, `"default";r=2;t=10`, policy, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// The default is Cloudflare's: 1,200 calls per 5 minutes.
func TestAPILimitDefault(t *testing.T) {
	t.Parallel()
	clock := newClock()
	e := newEmulator(t, emulator.Options{Now: clock.Now})
	for i := range 1200 {
		if w := call(t, e, http.MethodGet, exampleEnvs, nil); w.Code != 200 {
			t.Fatalf("call %d: %d", i+1, w.Code)
		}
	}
	w := call(t, e, http.MethodGet, exampleEnvs, nil)
	if code, _ := firstCode(t, w); w.Code != 429 || code != 971 || w.Header().Get("Retry-After") != "300" {
		t.Errorf("call 1201: %d, code %d, Retry-After %q; want 429, 971, 300", w.Code, code, w.Header().Get("Retry-After"))
	}
}

func TestParseAPILimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    emulator.APILimit
		wantErr string
	}{
		{in: "100/10s", want: emulator.APILimit{Quota: 100, Window: 10 * time.Second, Block: 5 * time.Minute}},
		{in: " 100/10s/30s ", want: emulator.APILimit{Quota: 100, Window: 10 * time.Second, Block: 30 * time.Second}},
		{in: "1200/5m", want: emulator.APILimit{Quota: 1200, Window: 5 * time.Minute, Block: 5 * time.Minute}},
		{in: "100", wantErr: "want QUOTA/WINDOW"},
		{in: "100/10s/30s/1s", wantErr: "want QUOTA/WINDOW"},
		{in: "0/10s", wantErr: `the quota "0"`},
		{in: "x/10s", wantErr: `the quota "x"`},
		{in: "100/10", wantErr: `"10" must be a duration`},
		{in: "100/10ms", wantErr: `"10ms" must be a duration from 1s`},
		{in: "100/10s/-1s", wantErr: `"-1s" must be a duration`},
	}
	for _, tt := range tests {
		got, err := emulator.ParseAPILimit(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseAPILimit(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAPILimit(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// Whatever the flag says, ParseAPILimit does not panic, and a limit it
// accepts reads back the same from its String.
func FuzzParseAPILimit(f *testing.F) {
	for _, s := range []string{"100/10s", "100/10s/30s", "1200/5m", "1/1s/24h", "0/1s", "/", "1//", "9999999999/1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := emulator.ParseAPILimit(s)
		if err != nil {
			return
		}
		if l.Quota < 1 || l.Window < time.Second || l.Block < time.Second {
			t.Fatalf("ParseAPILimit(%q) = %+v", s, l)
		}
		again, err := emulator.ParseAPILimit(l.String())
		if err != nil || again != l {
			t.Fatalf("ParseAPILimit(%q) = %+v; its String %q reads back %+v, %v", s, l, l.String(), again, err)
		}
	})
}

// GET /zones/{zone_id} answers the zone object with its plan (Zone Read),
// so that a run given a zone ID knows its purge budget.
func TestZoneRead(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{Plan: emulator.PlanPro})
	path := "/client/v4/zones/" + emulator.ExampleZoneID
	tests := []struct {
		name       string
		method     string
		path       string
		a          auth
		wantStatus int
		wantCode   int
	}{
		{"sandbox", http.MethodGet, path, nil, 200, 0},
		{"Zone Read", http.MethodGet, path, bearer(readOnlyToken), 200, 0},
		{"without api prefix", http.MethodGet, "/zones/" + emulator.ExampleZoneID, nil, 200, 0},
		{"no Zone Read", http.MethodGet, path, bearer(purgeOnlyToken), 403, 10000},
		{"another zone's token", http.MethodGet, path, bearer(otherZoneToken), 403, 10000},
		{"unknown zone", http.MethodGet, "/client/v4/zones/" + unknownZoneID, nil, 404, 7003},
		{"wrong method", http.MethodPost, path, nil, 405, 7001},
	}
	for _, tt := range tests {
		w := call(t, e, tt.method, tt.path, tt.a)
		code, _ := firstCode(t, w)
		if w.Code != tt.wantStatus || code != tt.wantCode {
			t.Errorf("%s: %d, code %d; want %d, %d\n%s", tt.name, w.Code, code, tt.wantStatus, tt.wantCode, w.Body)
		}
	}
	var env struct {
		Success bool
		Result  struct {
			ID, Name string
			Account  struct{ ID string }
			Plan     struct {
				Name     string
				LegacyID string `json:"legacy_id"`
			}
		}
	}
	if err := json.Unmarshal(call(t, e, http.MethodGet, path, nil).Body.Bytes(), &env); err != nil {
		t.Fatal(err)
	}
	if !env.Success || env.Result.ID != emulator.ExampleZoneID || env.Result.Name != "example.com" ||
		env.Result.Account.ID != emulator.ExampleAccountID || env.Result.Plan.Name != "Pro Website" || env.Result.Plan.LegacyID != "pro" {
		t.Errorf("zone object: %+v", env)
	}
}

// Zone lookups are paged; a page past the last is empty, so that a client
// paging until an empty page (the official SDKs) ends.
func TestZoneLookupPages(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	for i := range 11 { // 12 zones with the seeded one
		e.AddZone(emulator.Zone{Name: fmt.Sprintf("z%02d.example", i), AccountID: emulator.ExampleAccountID})
	}
	type page struct {
		Status                                       int
		Names                                        int
		Page, PerPage, Count, TotalCount, TotalPages int
	}
	get := func(query string) page {
		w := call(t, e, http.MethodGet, "/client/v4/zones"+query, nil)
		var env struct {
			Result     []struct{ Name string }
			ResultInfo struct {
				Page       int `json:"page"`
				PerPage    int `json:"per_page"`
				Count      int `json:"count"`
				TotalCount int `json:"total_count"`
				TotalPages int `json:"total_pages"`
			} `json:"result_info"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &env)
		ri := env.ResultInfo
		return page{w.Code, len(env.Result), ri.Page, ri.PerPage, ri.Count, ri.TotalCount, ri.TotalPages}
	}
	tests := []struct {
		query string
		want  page
	}{
		{"", page{200, 12, 1, 20, 12, 12, 1}},
		{"?per_page=5", page{200, 5, 1, 5, 5, 12, 3}},
		{"?per_page=5&page=3", page{200, 2, 3, 5, 2, 12, 3}},
		{"?per_page=5&page=4", page{200, 0, 4, 5, 0, 12, 3}}, // past the last: empty
		{"?page=2", page{200, 0, 2, 20, 0, 12, 1}},
		{"?per_page=1", page{200, 5, 1, 5, 5, 12, 3}},      // 5 at least
		{"?per_page=500", page{200, 12, 1, 50, 12, 12, 1}}, // 50 at most
		{"?page=99999999999999999", page{Status: 400}},
		{"?page=0", page{Status: 400}},
		{"?per_page=x", page{Status: 400}},
		{"?name=example.com&page=2", page{200, 0, 2, 20, 0, 1, 1}},
		{"?name=nothing.example", page{200, 0, 1, 20, 0, 0, 0}},
	}
	for _, tt := range tests {
		if got := get(tt.query); got != tt.want {
			t.Errorf("GET /zones%s = %+v, want %+v", tt.query, got, tt.want)
		}
	}
	// A client paging until an empty page ends, having seen every zone once.
	seen := 0
	for p := 1; p <= 10; p++ {
		got := get(fmt.Sprintf("?per_page=5&page=%d", p))
		if got.Names == 0 {
			break
		}
		seen += got.Names
	}
	if seen != 12 {
		t.Errorf("paging saw %d zones, want 12", seen)
	}
}
