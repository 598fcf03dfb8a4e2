package apischema

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	zonePurge      = "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache"
	zoneInvalidate = "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/invalidate_cache"
	zoneDetails    = "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353"
)

func load(t *testing.T) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func request(method, path, body string) *http.Request {
	r := httptest.NewRequest(method, "http://api.test"+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	v := load(t)
	tests := []struct {
		name, method, path, body string
		wantErr                  bool
	}{
		{"tags", "POST", zonePurge, `{"tags":["a","b"]}`, false},
		{"files as strings", "POST", zonePurge, `{"files":["https://example.com/a.css"]}`, false},
		{"files with headers, no base path", "POST", "/zones/023e105f4ecef8ad9ca31a8372d0c353/environments/5d41402abc4b2a76b9719d911017c/purge_cache",
			`{"files":[{"url":"https://example.com/a","headers":{"CF-IPCountry":"US"}}]}`, false},
		{"hosts, other base path", "POST", "/proxy/cf/zones/z/purge_cache", `{"hosts":["www.example.com"]}`, false},
		{"prefixes", "POST", zonePurge, `{"prefixes":["www.example.com/foo"]}`, false},
		{"everything", "POST", zonePurge, `{"purge_everything":true}`, false},
		{"environments", "GET", "/client/v4/zones/z/environments", "", false},
		{"invalidate tags", "POST", zoneInvalidate, `{"tags":["a","b"]}`, false},
		{"invalidate an environment's files", "POST", "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/environments/5d41402abc4b2a76b9719d911017c/invalidate_cache",
			`{"files":[{"url":"https://example.com/a","headers":{"CF-IPCountry":"US"}}]}`, false},
		{"invalidate everything", "POST", zoneInvalidate, `{"purge_everything":true}`, false},
		{"zone details", "GET", "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353", "", false},
		{"zone lookup is not covered", "GET", "/client/v4/zones?name=example.com", "", false},
		{"other paths are not covered", "GET", "/client/v4/user/tokens/verify", "", false},

		{"mixed kinds", "POST", zonePurge, `{"tags":["a"],"hosts":["b"]}`, true},
		{"everything with files", "POST", zonePurge, `{"purge_everything":true,"files":["https://example.com/"]}`, true},
		{"no kind", "POST", zonePurge, `{}`, true},
		{"unknown field", "POST", zonePurge, `{"urls":["https://example.com/"]}`, true},
		{"not an array", "POST", zonePurge, `{"tags":"a"}`, true},
		{"empty list", "POST", zonePurge, `{"tags":[]}`, true},
		{"file object without url", "POST", zonePurge, `{"files":[{"headers":{"Origin":"https://example.com"}}]}`, true},
		{"not JSON", "POST", zonePurge, `tags=a`, true},
		{"zone id too long", "POST", "/zones/023e105f4ecef8ad9ca31a8372d0c353aa/purge_cache", `{"tags":["a"]}`, true},
		{"method not in schema", "GET", zonePurge, "", true},
		{"invalidate two kinds", "POST", zoneInvalidate, `{"tags":["a"],"hosts":["b"]}`, true},
		{"invalidate nothing", "POST", zoneInvalidate, `{}`, true},
		{"GET invalidate", "GET", zoneInvalidate, "", true},
		{"POST zone details", "POST", "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353", `{}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := request(tt.method, tt.path, tt.body)
			err := v.CheckRequest(r, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckRequest() = %v, want error: %v", err, tt.wantErr)
			}
		})
	}

	t.Run("missing content type", func(t *testing.T) {
		t.Parallel()
		r := request("POST", zonePurge, `{"tags":["a"]}`)
		r.Header.Del("Content-Type")
		if err := v.CheckRequest(r, []byte(`{"tags":["a"]}`)); err == nil {
			t.Fatal("CheckRequest() = nil, want an error")
		}
	})
}

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	v := load(t)
	const envs = "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/environments"
	// A zone with every field cloudflare-go's zones.Zone requires.
	const zone = `{"id":"023e105f4ecef8ad9ca31a8372d0c353","name":"example.com","status":"active","account":{"id":"01a7362d577a6c3019a474fd6f485823","name":"Example Account"},` +
		`"plan":{"id":"94f3b7b768b0458b56d2cac4fe5ec0f9","name":"Enterprise Website","legacy_id":"enterprise","is_subscribed":true},"paused":false,` +
		`"activated_on":"2014-01-02T00:01:00.12345Z","created_on":"2014-01-01T05:20:00.12345Z","modified_on":"2014-01-01T05:20:00.12345Z","development_mode":0,` +
		`"meta":{"step":2},"name_servers":["bob.ns.cloudflare.com","lola.ns.cloudflare.com"],"original_dnshost":null,"original_name_servers":null,"original_registrar":null,` +
		`"owner":{"id":"01a7362d577a6c3019a474fd6f485823","name":"Example Account","type":"organization"}}`
	const lookup = "/client/v4/zones?name=example.com"
	const env = `{"name":"Production","ref":"12abcd3e45f678940a573f51834a54","version":null,"expression":"(cf.zone.name eq \"example.com\")","locked_on_deployment":false,"position":{}}`
	tests := []struct {
		name, path  string
		status      int
		contentType string
		fault       string
		body        string
		wantErr     bool
	}{
		{"purge accepted", zonePurge, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, false},
		{"accepted without id", zonePurge, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":null}`, false},
		{"failure", zonePurge, 400, "", "", `{"success":false,"errors":[{"code":1012,"message":"m"}],"messages":[],"result":null}`, false},
		{"failure with error_chain", zonePurge, 400, "", "", `{"success":false,"errors":[{"code":6003,"message":"m","error_chain":[{"code":6103,"message":"n"}]}],"messages":[],"result":null}`, false},
		{"undeclared status", zonePurge, 500, "text/html", "", `<html>`, false},
		{"marked fault", zonePurge, 502, "text/html", "html", `<html>`, false},
		{"environments", envs, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"environments":[` + env + `]}}`, false},
		{"lookup", lookup, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":[` + zone + `],"result_info":{"page":1,"per_page":20,"count":1,"total_count":1,"total_pages":1}}`, false},
		{"lookup finds none", lookup, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":[]}`, false},
		{"lookup refused", lookup, 400, "", "", `{"success":false,"errors":[{"code":9106,"message":"Missing X-Auth-Key, X-Auth-Email or Authorization headers"}],"messages":[],"result":null}`, false},
		{"lookup not a list", lookup, 200, "", "", `[]`, true},
		{"lookup of a zone without owner", lookup, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":[` + strings.Replace(zone, `"owner"`, `"holder"`, 1) + `]}`, true},
		{"zone without dates", zoneDetails, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":` + strings.Replace(zone, `"created_on"`, `"made_on"`, 1) + `}`, true},
		{"invalidation accepted", zoneInvalidate, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, false},
		{"invalidation refused", zoneInvalidate, 400, "", "", `{"success":false,"errors":[{"code":1136,"message":"m"}],"messages":[],"result":null}`, false},
		{"zone details", zoneDetails, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":` + zone + `}`, false},
		{"zone details refused", zoneDetails, 403, "", "", `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`, false},
		{"invalidation without id", zoneInvalidate, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{}}`, true},
		{"zone without plan", zoneDetails, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"id":"z","name":"example.com","status":"active","account":{"id":"a","name":"A"}}}`, true},
		{"zone details as a list", zoneDetails, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":[` + zone + `]}`, true},

		{"id of the wrong type", zonePurge, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"id":5}}`, true},
		{"result without id", zonePurge, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"purge_id":"x"}}`, true},
		{"id too long", zonePurge, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac00"}}`, true},
		{"no success", zonePurge, 200, "", "", `{"errors":[],"messages":[],"result":null}`, true},
		{"failure without result", zonePurge, 400, "", "", `{"success":false,"errors":[{"code":1012,"message":"m"}],"messages":[]}`, true},
		{"error code below 1000", zonePurge, 403, "", "", `{"success":false,"errors":[{"code":403,"message":"m"}],"messages":[],"result":null}`, true},
		{"HTML 4xx", zonePurge, 403, "text/html", "", `<html>`, true},
		{"environment without version", envs, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":{"environments":[{"name":"P","ref":"r","expression":"e","locked_on_deployment":null,"position":{}}]}}`, true},
		{"environments not in result", envs, 200, "", "", `{"success":true,"errors":[],"messages":[],"result":[]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := "POST"
			if !strings.HasSuffix(tt.path, "_cache") {
				method = "GET"
			}
			h := http.Header{"Content-Type": {"application/json"}}
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			if tt.fault != "" {
				h.Set(FaultHeader, tt.fault)
			}
			err := v.CheckResponse(request(method, tt.path, ""), tt.status, h, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckResponse() = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	v := load(t)
	var (
		mu      sync.Mutex
		reports []string
	)
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, err.Error())
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Test") {
		case "reset":
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("Hijack() through the middleware: %v", err)
				return
			}
			conn.Close()
			return
		case "html":
			w.Header().Set(FaultHeader, "html")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("<html>"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Passed", "yes")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"success":true,"errors":[],"messages":[],"result":{"id":7}}`))
	})
	srv := httptest.NewServer(Middleware(v, report, next))
	defer srv.Close()

	send := func(test, body string) (*http.Response, error) {
		req, _ := http.NewRequest("POST", srv.URL+zonePurge, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test", test)
		return srv.Client().Do(req)
	}

	resp, err := send("", `{"tags":["a"],"hosts":["b"]}`)
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	bufio.NewReader(resp.Body).WriteTo(body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Passed") != "yes" || !strings.Contains(body.String(), `"id":7`) {
		t.Errorf("response not passed on as is: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	resp, err = send("html", `{"tags":["a"]}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("marked fault: status %d, want 403", resp.StatusCode)
	}

	if _, err := send("reset", `{"tags":["a"]}`); err == nil {
		t.Error("hijacked connection: got a response, want an error")
	}

	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 {
		t.Fatalf("reports = %q, want one for the request and one for the response", reports)
	}
	want := []string{"POST " + zonePurge + ": request", "POST " + zonePurge + ": response 200"}
	got := []string{reports[0][:len(want[0])], reports[1][:min(len(want[1]), len(reports[1]))]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report prefixes (-want +got):\n%s", diff)
	}
}
