package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

const zoneID = "023e105f4ecef8ad9ca31a8372d0c353"

// answer is one canned HTTP answer.
type answer struct {
	status  int
	ctype   string
	body    string
	headers map[string]string
}

func jsonAnswer(status int, body string) answer {
	return answer{status: status, ctype: "application/json", body: body}
}

const okPurge = `{"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`

// server answers each request with the next answer (the last repeats).
func server(t *testing.T, answers ...answer) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[min(int(n.Add(1)), len(answers))-1]
		for k, v := range a.headers {
			w.Header().Set(k, v)
		}
		if a.ctype != "" {
			w.Header().Set("Content-Type", a.ctype)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
	debug  []string
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
	return ctx.Err()
}

func (r *recorder) debugf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.debug = append(r.debug, strings.TrimSpace(strings.ReplaceAll(format, "%", "")))
}

// client is a client of the test server at url. Its per-attempt timeout is
// long (the one test of that timeout sets its own): a short one fails the
// request of a test that a loaded machine runs slowly.
func client(url string, rec *recorder) *Client {
	p := retry.Default(2)
	p.Jitter = func() float64 { return 0.5 }
	return New(Options{BaseURL: url + "/client/v4", Credentials: Credentials{Token: "tok-0123456789"}, Retry: p, Sleep: rec.sleep, Debugf: rec.debugf, RequestTimeout: 30 * time.Second})
}

var tags = plan.Batch{Kind: result.KindTags, Items: []string{"a"}}

// TestPurgeClassifies checks the verdict on each kind of answer: retried
// or not, and the error it ends with. A fault of the wire or the account
// run end to end (outputs, summary, exit code) is TestFaultMatrix's, in
// internal/app; a case is in one of the two, not both.
func TestPurgeClassifies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answers  []answer
		attempts int
		sleeps   []time.Duration
		ok       bool
		status   int
		code     int
		cause    error // errors.Is on the *Error
		message  string
		hint     string
	}{
		{name: "success", answers: []answer{jsonAnswer(200, okPurge)}, attempts: 1, ok: true},
		{name: "500 with no errors[] is retried", answers: []answer{jsonAnswer(500, `{"success":false,"errors":[],"messages":[],"result":null}`)},
			attempts: 3, sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, status: 500, message: "HTTP 500"},
		{name: "503 with Retry-After honours it", answers: []answer{{status: 503, ctype: "application/json", body: `{"success":false,"errors":[{"code":10002,"message":"busy"}]}`, headers: map[string]string{"Retry-After": "4"}}, jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{4 * time.Second}, ok: true},
		{name: "408 is retried", answers: []answer{jsonAnswer(408, `{"success":false,"errors":[{"code":10002,"message":"timeout"}]}`), jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{250 * time.Millisecond}, ok: true},
		// max-retries bounds the API-wide limit's 429s (971 blocks the user
		// for minutes); the purge budget's are retried while time remains
		// (TestFaultMatrix).
		{name: "429 971", answers: []answer{{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":971,"message":"More than 1200 requests per 300 seconds reached."}]}`, headers: map[string]string{"Retry-After": "3"}}},
			attempts: 3, sleeps: []time.Duration{3 * time.Second, 3 * time.Second}, status: 429, code: 971, message: "More than 1200", hint: "API-wide limit"},
		{name: "429 Retry-After not a number: backoff", answers: []answer{{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"rate limited"}]}`, headers: map[string]string{"Retry-After": "soon"}}, jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{250 * time.Millisecond}, ok: true},
		{name: "429 with a fractional Retry-After", answers: []answer{{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"rate limited"}]}`, headers: map[string]string{"Retry-After": "1.5"}}, jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{1500 * time.Millisecond}, ok: true},
		{name: "HTML 502 is retried, then explained", answers: []answer{{status: 502, ctype: "text/html", body: "<html><body>Bad gateway</body></html>"}},
			attempts: 3, sleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, status: 502, cause: ErrNotJSON, message: "not Cloudflare JSON"},
		{name: "HTML 403 is not retried", answers: []answer{{status: 403, ctype: "text/html", body: "<html>Forbidden</html>"}},
			attempts: 1, status: 403, cause: ErrNotJSON, message: "not Cloudflare JSON", hint: "Cache Purge"},
		{name: "200 HTML is retried", answers: []answer{{status: 200, ctype: "text/html", body: "<html>maintenance</html>"}, jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{250 * time.Millisecond}, ok: true},
		{name: "200 cut-off JSON is retried", answers: []answer{jsonAnswer(200, `{"success":true,"errors":[],"res`), jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{250 * time.Millisecond}, ok: true},
		{name: "200 success:false is not retried", answers: []answer{jsonAnswer(200, `{"success":false,"errors":[{"code":10002,"message":"nope"}],"messages":[],"result":null}`)},
			attempts: 1, status: 200, code: 10002, message: "nope"},
		{name: "200 success:false without errors", answers: []answer{jsonAnswer(200, `{"success":false,"errors":[],"messages":[],"result":null}`)},
			attempts: 1, status: 200, cause: errNoSuccess},
		{name: "200 success:false 1134 is retried", answers: []answer{jsonAnswer(200, `{"success":false,"errors":[{"code":1134,"message":"rate limited"}],"messages":[],"result":null}`), jsonAnswer(200, okPurge)},
			attempts: 2, sleeps: []time.Duration{250 * time.Millisecond}, ok: true},
		{name: "200 without id", answers: []answer{jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":null}`)},
			attempts: 1, status: 200, cause: errNoID, message: "no purge id"},
		{name: "200 with an empty id", answers: []answer{jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":{"id":""}}`)},
			attempts: 1, status: 200, cause: errNoID},
		{name: "400 1012", answers: []answer{jsonAnswer(400, `{"success":false,"errors":[{"code":1012,"message":"no field"}]}`)},
			attempts: 1, status: 400, code: 1012, hint: "bug in the action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, tt.answers...)
			rec := &recorder{}
			id, attempts, err := client(srv.URL, rec).Purge(context.Background(), zoneID, "", tags)
			if int(n.Load()) != tt.attempts || attempts != tt.attempts {
				t.Errorf("%d requests, %d attempts counted, want %d", n.Load(), attempts, tt.attempts)
			}
			if !equalDurations(rec.sleeps, tt.sleeps) {
				t.Errorf("sleeps %v, want %v", rec.sleeps, tt.sleeps)
			}
			if tt.ok {
				if err != nil || id == "" {
					t.Errorf("Purge = %q, %v; want an id", id, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if id != "" || e.Status != tt.status || e.Code() != tt.code || e.Attempts != tt.attempts || e.Step != StepPurge {
				t.Errorf("id %q, error %+v: want status %d code %d after %d attempts", id, e, tt.status, tt.code, tt.attempts)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v is not %v", err, tt.cause)
			}
			if !strings.Contains(e.Message(), tt.message) || !strings.Contains(e.Hint(), tt.hint) {
				t.Errorf("message %q hint %q; want %q and %q", e.Message(), e.Hint(), tt.message, tt.hint)
			}
			if len(rec.debug) != tt.attempts {
				t.Errorf("%d debug lines, want one per attempt", len(rec.debug))
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Retry-After as an HTTP date is honoured too.
func TestRetryAfterDate(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	srv, _ := server(t, answer{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"x"}]}`, headers: map[string]string{"Retry-After": date}}, jsonAnswer(200, okPurge))
	rec := &recorder{}
	if _, _, err := client(srv.URL, rec).Purge(context.Background(), zoneID, "", tags); err != nil {
		t.Fatal(err)
	}
	if len(rec.sleeps) != 1 || rec.sleeps[0] <= 0 || rec.sleeps[0] > 4*time.Second {
		t.Errorf("sleeps %v: want one of about 3s", rec.sleeps)
	}
}

// A hung server costs one request timeout per attempt; the run's context
// ending stops the retries at once.
func TestTimeouts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })

	rec := &recorder{}
	c := client(srv.URL, rec)
	c.o.RequestTimeout = 50 * time.Millisecond
	_, attempts, err := c.Purge(context.Background(), zoneID, "", tags)
	if attempts != 3 || !errors.Is(err, errTimedOut) {
		t.Errorf("%d attempts, %v: want 3 timed out", attempts, err)
	}
	if !strings.Contains(err.Error(), "(after 3 attempts)") || !strings.Contains(err.Error(), "Check api-url and the network") {
		t.Errorf("error text %q", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c.o.RequestTimeout = time.Minute
	_, attempts, err = c.Purge(ctx, zoneID, "", tags)
	if attempts != 1 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%d attempts, %v: want 1 ended by the run's deadline", attempts, err)
	}
}

func TestEnvironmentsAndZones(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(400, `{"success":false,"errors":[{"code":10001,"message":"zone versioning is not enabled"}],"messages":[],"result":null}`))
	_, err := client(srv.URL, &recorder{}).Environments(context.Background(), zoneID)
	var e *Error
	if !errors.As(err, &e) || e.Code() != 10001 || e.Step != StepEnvironments || n.Load() != 1 {
		t.Errorf("environments: %v after %d requests", err, n.Load())
	}

	srv, _ = server(t, jsonAnswer(403, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}`))
	_, err = client(srv.URL, &recorder{}).FindZones(context.Background(), "example.com", "")
	if !errors.As(err, &e) || !strings.Contains(e.Hint(), "Zone > Zone Read") {
		t.Errorf("zone lookup 10000: %v", err)
	}
	srv, _ = server(t, jsonAnswer(403, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}`))
	_, err = client(srv.URL, &recorder{}).Environments(context.Background(), zoneID)
	if !errors.As(err, &e) || !strings.Contains(e.Hint(), "Zone > Zone Versioning Read") {
		t.Errorf("environments 10000: %v", err)
	}
}

// Every code docs/cloudflare.md explains gets its hint, naming the step's
// permission where it is one.
func TestHints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		step   Step
		code   int
		status int
		want   string
	}{
		{StepPurge, 1134, 429, "rate limit"},
		{StepPurge, 1136, 400, "purge it by tags, hosts, prefixes or purge-everything"},
		{StepPurge, 10000, 403, "Zone > Cache Purge"},
		{StepZoneLookup, 10000, 403, "Zone > Zone Read"},
		{StepEnvironments, 10000, 403, "Zone > Zone Versioning Read"},
		{StepPurge, 6003, 400, "api-token, not api-key"},
		{StepPurge, 6103, 400, "api-token, not api-key"},
		{StepPurge, 6111, 400, "malformed"},
		{StepPurge, 1012, 400, "did not accept the request body"},
		{StepPurge, 1014, 400, "did not accept the request body"},
		{StepPurge, 7003, 404, "does not know that zone or environment id"},
		{StepZoneLookup, 7003, 404, "check api-url"},
		{StepZoneLookup, 7000, 404, "check api-url, which should be https://api.cloudflare.com/client/v4"},
		{StepPurge, 10000, 403, "check the token itself"},
		{StepPurge, 9109, 403, "check api-token"},
		{StepPurge, 1000, 400, "check api-token"},
		{StepPurge, 0, 403, "and the token itself"},
		{StepPurge, 0, 429, "rate limit"},
		{StepPurge, 0, 401, "Zone > Cache Purge"},
		{StepPurge, 99999, 400, ""},
	}
	for _, tt := range tests {
		e := &Error{Step: tt.step, Status: tt.status}
		if tt.code != 0 {
			e.Details = []Detail{{Code: tt.code, Message: "m"}}
		}
		h := e.Hint()
		if (tt.want == "") != (h == "") || !strings.Contains(h, tt.want) {
			t.Errorf("%s %d (HTTP %d): hint %q, want one with %q", tt.step, tt.code, tt.status, h, tt.want)
		}
		if h != "" && !strings.Contains(e.Error(), h) {
			t.Errorf("Error() %q lacks the hint", e.Error())
		}
	}
	// A later error's hint counts when the first has none (6003 with a chain).
	e := &Error{Step: StepPurge, Status: 400, Details: []Detail{{Code: 9999, Message: "x"}, {Code: 6103, Message: "Invalid format for X-Auth-Key header"}}}
	if !strings.Contains(e.Hint(), "api-key") || e.Message() != "x; Invalid format for X-Auth-Key header" {
		t.Errorf("chain: hint %q message %q", e.Hint(), e.Message())
	}
}

// Ids from the API reach the outputs and the summary: a hostile api-url (or
// proxy) must not forge an output with a line break in one.
func TestIDsFromTheAPIAreChecked(t *testing.T) {
	t.Parallel()
	forged := `abc\n_GitHubActionsFileCommandDelimeter_\nzone-id<<x`
	t.Run("purge id", func(t *testing.T) {
		t.Parallel()
		srv, n := server(t, jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":{"id":"`+forged+`"}}`))
		id, attempts, err := client(srv.URL, &recorder{}).Purge(context.Background(), zoneID, "", tags)
		if id != "" || attempts != 1 || n.Load() != 1 || !errors.Is(err, errNoID) {
			t.Errorf("Purge = %q, %d, %v; want no id, 1 attempt, errNoID", id, attempts, err)
		}
	})
	t.Run("environment ref", func(t *testing.T) {
		t.Parallel()
		srv, _ := server(t, jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":{"environments":[{"name":"Staging","ref":"`+forged+`","expression":"","locked_on_deployment":false,"position":{},"version":1}]}}`))
		envs, err := client(srv.URL, &recorder{}).Environments(context.Background(), zoneID)
		if err == nil || !strings.Contains(err.Error(), "not an id") {
			t.Errorf("Environments = %v, %v; want an error about the id", envs, err)
		}
	})
	t.Run("zone id", func(t *testing.T) {
		t.Parallel()
		srv, _ := server(t, jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":[{"id":"`+forged+`","name":"example.com","account":{"id":"a","name":"A"}}],"result_info":{"page":1,"per_page":20,"count":1,"total_count":1}}`))
		zones, err := client(srv.URL, &recorder{}).FindZones(context.Background(), "example.com", "")
		if err == nil || !strings.Contains(err.Error(), "not an id") {
			t.Errorf("FindZones = %v, %v; want an error about the id", zones, err)
		}
	})
}

// A zone lookup refused with HTTP 200 and "success": false is a refusal
// with Cloudflare's code, not an empty answer ("no such zone").
func TestFindZonesRefusedWithSuccessFalse(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(200, `{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"messages":[],"result":[]}`))
	zones, err := client(srv.URL, &recorder{}).FindZones(context.Background(), "example.com", "")
	var ce *Error
	if !errors.As(err, &ce) || ce.Code() != 9109 || n.Load() != 1 || zones != nil {
		t.Errorf("FindZones = %v, %v after %d requests; want Cloudflare error 9109, not retried", zones, err, n.Load())
	}
}

// A redirect is not followed, nor taken for success, whatever its body.
func TestRedirectIsAFailure(t *testing.T) {
	t.Parallel()
	a := jsonAnswer(301, okPurge)
	a.headers = map[string]string{"Location": "https://elsewhere.example/client/v4/zones/x/purge_cache"}
	srv, n := server(t, a)
	id, _, err := client(srv.URL, &recorder{}).Purge(context.Background(), zoneID, "", tags)
	if id != "" || err == nil || !strings.Contains(err.Error(), `redirect to "https://elsewhere.example/`) || n.Load() != 1 {
		t.Errorf("Purge = %q, %v after %d requests; want a redirect failure, not retried", id, err, n.Load())
	}
}
