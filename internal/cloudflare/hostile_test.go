package cloudflare

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// hugeServer streams size bytes of body with the given status, announcing
// its length or not.
func hugeServer(t *testing.T, status int, size int64, announce bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if announce {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		w.WriteHeader(status)
		chunk := []byte(`{"success":true,"errors":[],"messages":["` + strings.Repeat("x", 64<<10-44) + `"],`)
		for sent := int64(0); sent < size; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk[:min(int64(len(chunk)), size-sent)]); err != nil {
				return // the client hung up: as it should
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Not parallel: it measures the heap.
func TestHugeAnswerIsBoundedAndFails(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   int
		announce bool
	}{
		{"200 streamed", 200, false},
		{"500 streamed", 500, false},
		{"200 announced", 200, true},
		{"500 announced", 500, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := hugeServer(t, tt.status, 64<<20, tt.announce)
			rec := &recorder{}
			c := client(srv.URL, rec)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			id, attempts, err := c.Purge(context.Background(), zoneID, "", tags)
			runtime.ReadMemStats(&after)
			if id != "" || attempts != 1 || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Purge = %q, %d, %v; want ErrTooLarge after 1 attempt", id, attempts, err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != tt.status || !strings.Contains(e.Error(), "answer too large") || len(e.Error()) > 2000 {
				t.Errorf("error %q (status %d): want one short 'answer too large' with HTTP %d", err, e.Status, tt.status)
			}
			grown := after.TotalAlloc - before.TotalAlloc
			t.Logf("%.1f MiB allocated", float64(grown)/(1<<20))
			if grown > 24<<20 {
				t.Errorf("%d MiB allocated reading a 64 MiB answer: want at most a few times the %d MiB cap", grown>>20, MaxAnswerBytes>>20)
			}
		})
	}
}

// An answer just under the cap is read.
func TestAnswerUnderTheCapIsRead(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("x", MaxAnswerBytes-len(okPurge)-20)
	body := strings.Replace(okPurge, `"messages":[]`, `"messages":["`+pad+`"]`, 1)
	srv, _ := server(t, jsonAnswer(200, body))
	if id, _, err := client(srv.URL, &recorder{}).Purge(context.Background(), zoneID, "", tags); err != nil || id == "" {
		t.Errorf("Purge = %q, %v; want the id of a %d-byte answer", id, err, len(body))
	}
}

// Success is the JSON boolean true and the id a JSON string of hex
// (docs/behaviour.md, "What counts as purged"); the SDK's lenient decoding
// is not trusted.
func TestStrictSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		cause error
	}{
		{"success is the string true", `{"success":"true","errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errNotTrue},
		{"success is 1", `{"success":1,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errNotTrue},
		{"success in capitals", `{"SUCCESS":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errNotTrue},
		{"success missing", `{"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errNotTrue},
		{"last success wins", `{"success":true,"success":"true","result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"success given twice", `{"success":false,"success":true,"errors":[],"messages":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"success given twice, in another case", `{"Success":false,"success":true,"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"success given twice, escaped", `{"succes\u0073":false,"success":true,"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"id given twice", `{"success":true,"errors":[],"result":{"id":"9a7806061c88ada191ed06f989cc3dac","id":"0a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"a key twice deep inside", `{"success":true,"errors":[],"messages":[{"a":[{"b":1,"b":2}]}],"result":{"id":"9a7806061c88ada191ed06f989cc3dac"}}`, errDuplicateKey},
		{"numeric id", `{"success":true,"errors":[],"messages":[],"result":{"id":12345}}`, errNoID},
		{"id is the heredoc delimiter", `{"success":true,"errors":[],"messages":[],"result":{"id":"_GitHubActionsFileCommandDelimeter_"}}`, errNoID},
		{"id too long", `{"success":true,"result":{"id":"` + strings.Repeat("a", 33) + `"}}`, errNoID},
		{"id not hex", `{"success":true,"result":{"id":"staging-ref"}}`, errNoID},
		{"id in capitals", `{"success":true,"result":{"ID":"9a7806061c88ada191ed06f989cc3dac"}}`, errNoID},
		{"result an array", `{"success":true,"result":["9a7806061c88ada191ed06f989cc3dac"]}`, errNoID},
		{"a JSON array", `[{"success":true}]`, ErrNotJSON},
		{"null", `null`, ErrNotJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, jsonAnswer(200, tt.body))
			id, _, err := client(srv.URL, &recorder{}).Purge(context.Background(), zoneID, "", tags)
			if id != "" || !errors.Is(err, tt.cause) {
				t.Errorf("Purge = %q, %v; want %v", id, err, tt.cause)
			}
			if want := 1; tt.cause == ErrNotJSON {
				want = 3 // a 200 that is not the API's JSON is retried
				if int(n.Load()) != want {
					t.Errorf("%d requests, want %d", n.Load(), want)
				}
			} else if int(n.Load()) != want {
				t.Errorf("%d requests, want %d (not retried)", n.Load(), want)
			}
		})
	}
}

// Ids and refs from lookups are of Cloudflare's form, or refused.
func TestLookupIDsAreChecked(t *testing.T) {
	t.Parallel()
	const delim = "_GitHubActionsFileCommandDelimeter_"
	envList := func(ref string) string {
		return `{"success":true,"errors":[],"messages":[],"result":{"environments":[{"name":"Staging","ref":` + ref + `,"expression":"x"}]}}`
	}
	zoneList := func(id, account string) string {
		return `{"success":true,"errors":[],"messages":[],"result":[{"id":` + id + `,"name":"example.com","account":{"id":` + account + `,"name":"A"},"plan":{"name":"Pro Website","legacy_id":"pro"}}]}`
	}
	tests := []struct {
		name  string
		body  string
		envs  bool
		cause error
	}{
		{"ref is the delimiter", envList(`"` + delim + `"`), true, errBadID},
		{"ref is a number", envList(`1234`), true, errBadID},
		{"ref is not hex", envList(`"geoprod0000"`), true, errBadID},
		{"name is a number", `{"success":true,"result":{"environments":[{"name":7,"ref":"abc","expression":"x"}]}}`, true, errBadShape},
		{"environments not a list", `{"success":true,"result":{"environments":"all"}}`, true, errBadShape},
		{"zone id is the delimiter", zoneList(`"`+delim+`"`, `"a"`), false, errBadID},
		{"zone id is a number", zoneList(`1234`, `"a"`), false, errBadID},
		{"account id is not hex", zoneList(`"abc"`, `"acct-1"`), false, errBadID},
		{"zones not a list", `{"success":true,"result":{"id":"abc"}}`, false, errBadShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, jsonAnswer(200, tt.body))
			c := client(srv.URL, &recorder{})
			var err error
			var got any
			if tt.envs {
				got, err = c.Environments(context.Background(), zoneID)
			} else {
				got, err = c.FindZones(context.Background(), "example.com", "")
			}
			if !errors.Is(err, tt.cause) || n.Load() != 1 {
				t.Errorf("got %v, %v after %d requests; want %v, not retried", got, err, n.Load(), tt.cause)
			}
		})
	}
}

// Ids going into a path are checked before anything is sent.
func TestBadIDsAreNotSent(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(200, okPurge))
	c := client(srv.URL, &recorder{})
	for _, tt := range []struct{ zone, ref string }{
		{"../../accounts", ""},
		{"", ""},
		{zoneID, "5d41402abc4b2a76b9719d911017c/../x"},
		{zoneID + "0", ""},
		{zoneID, "_GitHubActionsFileCommandDelimeter_"},
	} {
		_, attempts, err := c.Purge(context.Background(), tt.zone, tt.ref, tags)
		var e *Error
		if attempts != 0 || !errors.As(err, &e) || !strings.Contains(e.Error(), "hexadecimal") || !strings.Contains(e.Hint(), "Check the zone") {
			t.Errorf("Purge(%q, %q) = %d attempts, %v; want a refusal naming the form", tt.zone, tt.ref, attempts, err)
		}
	}
	if _, err := c.Environments(context.Background(), "x\ny"); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Environments(bad id) = %v", err)
	}
	if _, err := c.Zone(context.Background(), "zone"); err == nil {
		t.Error("Zone(bad id) sent")
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent", n.Load())
	}
}

// Names and messages the server supplies cannot break a line of the log.
func TestServerTextIsCleaned(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, jsonAnswer(200, `{"success":true,"errors":[],"messages":[],"result":{"environments":[`+
		`{"name":"A\n##[stop-commands]tok","ref":"5d41402abc4b2a76b9719d911017c","expression":"(a)\n and (b)"},`+
		`{"name":"\u00a0::set-output name=zone-id::x\r\u2028\u0085\u200b\u001b[31m","ref":"49f0bad299687c62334182178bfd","expression":""},`+
		`{"name":"`+strings.Repeat("n", 5000)+`","ref":"12abcd3e45f678940a573f51834a54","expression":""}]}}`))
	envs, err := client(srv.URL, &recorder{}).Environments(context.Background(), zoneID)
	if err != nil {
		t.Fatal(err)
	}
	want := []Environment{
		{Name: "A##[stop-commands]tok", Ref: "5d41402abc4b2a76b9719d911017c", Expression: "(a)\n and (b)"},
		{Name: "\u00a0::set-output name=zone-id::x[31m", Ref: "49f0bad299687c62334182178bfd"},
		{Name: strings.Repeat("n", maxName-1) + "…", Ref: "12abcd3e45f678940a573f51834a54"},
	}
	if diff := cmp.Diff(want, envs); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}

	srv, _ = server(t, jsonAnswer(200, `{"success":true,"result":[{"id":"abc","name":"ex\nample.com","account":{"id":"a","name":"Acme\r\n::error::x"},"plan":{"name":"Pro\nWebsite"}}]}`))
	zones, err := client(srv.URL, &recorder{}).FindZones(context.Background(), "example.com", "")
	if diff := cmp.Diff([]Zone{{ID: "abc", Name: "example.com", AccountID: "a", AccountName: "Acme::error::x", Plan: "ProWebsite"}}, zones); err != nil || diff != "" {
		t.Errorf("zones %v (-want +got):\n%s", err, diff)
	}

	long := strings.Repeat("m", 5000)
	srv, _ = server(t, jsonAnswer(400, `{"success":false,"errors":[{"code":1,"message":"bad\n##[set-output name=x]y"},{"code":2,"message":"`+long+`"}`+strings.Repeat(`,{"code":3,"message":"`+long+`"}`, 50)+`]}`))
	_, _, err = client(srv.URL, &recorder{}).Purge(context.Background(), zoneID, "", tags)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	for _, s := range []string{e.Error(), e.Message()} {
		if strings.ContainsAny(s, "\r\n") || len(s) > 8000 || !strings.Contains(s, "bad ##[set-output") {
			t.Errorf("error text of %d bytes, line breaks %v: %.200q", len(s), strings.ContainsAny(s, "\r\n"), s)
		}
	}
	if len(e.Details) != maxDetails {
		t.Errorf("%d details kept, want %d", len(e.Details), maxDetails)
	}
}

// fakePacer records what the client tells it.
type fakePacer struct {
	mu      sync.Mutex
	calls   []pace.Call
	answers []pace.Answer
	err     error
}

func (p *fakePacer) Wait(ctx context.Context, c pace.Call) (func(pace.Answer), error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	p.calls = append(p.calls, c)
	once := false
	return func(a pace.Answer) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if once {
			panic("done called twice")
		}
		once = true
		if a.Header != nil {
			a.Header = http.Header{"Ratelimit": a.Header.Values("Ratelimit")} // only what the tests look at
		}
		p.answers = append(p.answers, a)
	}, nil
}

// The pacer is asked before every attempt and told of every answer.
func TestPacerSeesEveryAttempt(t *testing.T) {
	t.Parallel()
	limited := answer{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"rate limited"}]}`,
		headers: map[string]string{"Retry-After": "2", "Ratelimit": `"default";r=0;t=2`}}
	ok := jsonAnswer(200, okPurge)
	ok.headers = map[string]string{"Ratelimit": `"default";r=49;t=30`}
	srv, n := server(t, limited, ok)
	p := &fakePacer{}
	rec := &recorder{}
	c := client(srv.URL, rec)
	c.o.Pacer = p
	files := plan.Batch{Kind: result.KindFiles, Files: []config.File{{URL: "https://example.com/a"}, {URL: "https://example.com/b"}}}
	if _, attempts, err := c.Purge(context.Background(), zoneID, "", files); err != nil || attempts != 2 || n.Load() != 2 {
		t.Fatalf("Purge: %d attempts, %v", attempts, err)
	}
	if diff := cmp.Diff([]pace.Call{{Purge: true, URLs: 2}, {Purge: true, URLs: 2}}, p.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	wantAnswers := []pace.Answer{
		{Status: 429, Code: 1134, RetryAfter: 2 * time.Second, Header: http.Header{"Ratelimit": {`"default";r=0;t=2`}}},
		{Status: 200, Header: http.Header{"Ratelimit": {`"default";r=49;t=30`}}},
	}
	if diff := cmp.Diff(wantAnswers, p.answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, rec.sleeps); diff != "" {
		t.Errorf("the retry waits exactly Retry-After (-want +got):\n%s", diff)
	}

	// Lookups are paced too, as lookups.
	srv, _ = server(t, jsonAnswer(200, `{"success":true,"result":{"environments":[]}}`))
	c = client(srv.URL, &recorder{})
	p = &fakePacer{}
	c.o.Pacer = p
	if _, err := c.Environments(context.Background(), zoneID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]pace.Call{{}}, p.calls); diff != "" || len(p.answers) != 1 || p.answers[0].Status != 200 {
		t.Errorf("lookup calls (-want +got):\n%s answers %v", diff, p.answers)
	}
}

// No answer: the pacer is told so (a zero Answer); max-retries is the
// number of retries, each paced.
func TestPacerToldOfNoAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		_ = conn.Close() // hang up without an answer
	}))
	t.Cleanup(srv.Close)
	c := client(srv.URL, &recorder{})
	p := &fakePacer{}
	c.o.Pacer = p
	_, attempts, err := c.Purge(context.Background(), zoneID, "", tags)
	if err == nil || attempts != 3 {
		t.Fatalf("Purge: %d attempts, %v; want 3 failed", attempts, err)
	}
	if diff := cmp.Diff(make([]pace.Answer, 3), p.answers); diff != "" || len(p.calls) != 3 {
		t.Errorf("%d calls; answers (-want +got):\n%s", len(p.calls), diff)
	}
}

// The run ending in the pacer's wait sends nothing and says so.
func TestPacerWaitEnds(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(200, okPurge))
	c := client(srv.URL, &recorder{})
	c.o.Pacer = &fakePacer{err: context.Canceled}
	_, attempts, err := c.Purge(context.Background(), zoneID, "", tags)
	if attempts != 0 || n.Load() != 0 || err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("Purge: %d attempts, %d requests, %v; want none, cancelled", attempts, n.Load(), err)
	}
}

// A Retry-After longer than the run has left fails that request at once,
// saying both; the 971 answer (API-wide limit) gets its own hint.
func TestRetryAfterPastTheDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, retryAfter string
		asked                  time.Duration
		hint                   string
	}{
		{"1134", `{"success":false,"errors":[{"code":1134,"message":"rate limited"}]}`, "40", 40 * time.Second, "raise timeout"},
		{"971", `{"success":false,"errors":[{"code":971,"message":"More than 1200 requests per 300 seconds reached. Please wait and consider throttling your request speed"}]}`, "300", 5 * time.Minute, "API-wide limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, answer{status: 429, ctype: "application/json", body: tt.body, headers: map[string]string{"Retry-After": tt.retryAfter}})
			rec := &recorder{}
			c := client(srv.URL, rec)
			p := &fakePacer{}
			c.o.Pacer = p
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, attempts, err := c.Purge(ctx, zoneID, "", tags)
			var e *Error
			if !errors.As(err, &e) || attempts != 1 || n.Load() != 1 || len(rec.sleeps) != 0 {
				t.Fatalf("Purge: %d attempts, sleeps %v, %v; want 1 attempt and no wait", attempts, rec.sleeps, err)
			}
			// The time left is in whole seconds, at most the 20 s given:
			// fewer when the machine is slow to get there.
			want := regexp.MustCompile(`^.*Cloudflare asked to wait ` + regexp.QuoteMeta(tt.asked.String()) + `.*more than the run's timeout left \(([0-9]+)s\)`)
			for _, s := range []string{e.Message(), e.Error()} {
				m := want.FindStringSubmatch(s)
				if m == nil {
					t.Errorf("%q does not match %s", s, want)
				} else if left, _ := strconv.Atoi(m[1]); left < 1 || left > 20 {
					t.Errorf("%q: %ds left, want 1 to 20", s, left)
				}
			}
			if !strings.Contains(e.Hint(), tt.hint) {
				t.Errorf("hint %q lacks %q", e.Hint(), tt.hint)
			}
			if len(p.answers) != 1 || p.answers[0].RetryAfter != tt.asked || p.answers[0].Status != 429 {
				t.Errorf("pacer answers %v", p.answers)
			}
		})
	}
	// The backoff, not asked for, is not blamed on Cloudflare.
	backoff := &Error{Step: StepPurge, Status: 500, NoTimeToWait: 10 * time.Second, TimeLeft: 4400 * time.Millisecond}
	if diff := cmp.Diff([]string{"HTTP 500 (the next attempt was due in 10s, more than the run's timeout left (4s))", "The next retry was due later than the run's timeout left: raise timeout."},
		[]string{backoff.Message(), backoff.Hint()}); diff != "" {
		t.Errorf("backoff past the deadline (-want +got):\n%s", diff)
	}
	e := &Error{Step: StepPurge, Status: 429, Details: []Detail{{Code: 971, Message: "m"}}}
	for _, want := range []string{"blocks every API call of the user for 5 minutes", "other tools", "fewer jobs at once", "larger requests", "Wait 5 minutes"} {
		if !strings.Contains(e.Hint(), want) {
			t.Errorf("971 hint %q lacks %q", e.Hint(), want)
		}
	}
}

// "Retry-After: 0" means at once, not the backoff.
func TestRetryAfterZero(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, answer{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"x"}]}`, headers: map[string]string{"Retry-After": "0"}}, jsonAnswer(200, okPurge))
	rec := &recorder{}
	if _, _, err := client(srv.URL, rec).Purge(context.Background(), zoneID, "", tags); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{0}, rec.sleeps); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

// Invalidation goes to the invalidate_cache endpoints with the bodies a
// purge would send, through the same client, and never to purge_cache.
func TestInvalidate(t *testing.T) {
	t.Parallel()
	type hit struct{ Method, Path, Body, Auth string }
	var mu sync.Mutex
	var hits []hit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Method, r.URL.Path, string(b), r.Header.Get("Authorization")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okPurge)
	}))
	t.Cleanup(srv.Close)
	const ref = "5d41402abc4b2a76b9719d911017c"
	batches := []plan.Batch{
		tags,
		{Kind: result.KindFiles, Files: []config.File{{URL: "https://example.com/a"}}},
		{Kind: result.KindFilesWithHeaders, Files: []config.File{{URL: "https://example.com/a", Headers: map[string]string{"CF-IPCountry": "US"}}}},
		{Kind: result.KindHosts, Items: []string{"example.com"}},
		{Kind: result.KindPrefixes, Items: []string{"example.com/a"}},
		{Kind: result.KindEverything},
	}
	rec := &recorder{}
	c := client(srv.URL, rec)
	for _, r := range []string{"", ref} {
		for _, b := range batches {
			if _, _, err := c.Purge(context.Background(), zoneID, r, b); err != nil {
				t.Fatal(err)
			}
			if id, attempts, err := c.Invalidate(context.Background(), zoneID, r, b); err != nil || attempts != 1 || id != "9a7806061c88ada191ed06f989cc3dac" {
				t.Fatalf("Invalidate(%q, %s) = %q, %d, %v", r, b.Kind, id, attempts, err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 4*len(batches) {
		t.Fatalf("%d requests, want %d", len(hits), 4*len(batches))
	}
	for i := 0; i < len(hits); i += 2 {
		purge, inv := hits[i], hits[i+1]
		want := purge
		want.Path = strings.TrimSuffix(purge.Path, "/purge_cache") + "/invalidate_cache"
		if diff := cmp.Diff(want, inv); diff != "" || !strings.HasSuffix(purge.Path, "/purge_cache") {
			t.Errorf("invalidation vs purge (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff([]string{"/client/v4/zones/" + zoneID + "/invalidate_cache", "/client/v4/zones/" + zoneID + "/environments/" + ref + "/invalidate_cache"},
		[]string{hits[1].Path, hits[2*len(batches)+1].Path}); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	rec.mu.Lock()
	if len(rec.debug) != len(hits) {
		t.Errorf("debug lines %v", rec.debug)
	}
	rec.mu.Unlock()

	// Its failures say invalidation.
	fail, _ := server(t, jsonAnswer(400, `{"success":false,"errors":[{"code":1136,"message":"not by URL"}]}`))
	_, _, err := client(fail.URL, &recorder{}).Invalidate(context.Background(), zoneID, ref, batches[1])
	var e *Error
	if !errors.As(err, &e) || e.Step != StepInvalidate || !strings.HasPrefix(err.Error(), "invalidation failed (HTTP 400)") || !strings.Contains(e.Hint(), "invalidate it by tags") {
		t.Errorf("failed invalidation: %v", err)
	}
}

// The rewrite refuses anything but a purge: nothing else becomes an
// invalidation, and nothing is sent.
func TestInvalidateRewriteOnlyPurges(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(200, `{"success":true,"result":{"environments":[]}}`))
	c := client(srv.URL, &recorder{})
	_, err := c.Environments(context.WithValue(context.Background(), invalidateKey{}, true), zoneID)
	if !errors.Is(err, errNotAPurge) || n.Load() != 0 {
		t.Errorf("Environments with the mark: %v after %d requests", err, n.Load())
	}
}

// GET /zones/{id} gives the plan; a refusal is an *Error with Cloudflare's code.
func TestZone(t *testing.T) {
	t.Parallel()
	zoneAnswer := func(id, plan string) string {
		return `{"success":true,"errors":[],"messages":[],"result":{"id":"` + id + `","name":"example.com","status":"active","account":{"id":"01a7362d577a6c3019a474fd6f485823","name":"Acme"},"plan":` + plan + `}}`
	}
	tests := []struct {
		name   string
		answer answer
		want   Zone
		code   int
		status int
		cause  error
	}{
		{name: "legacy id", answer: jsonAnswer(200, zoneAnswer(zoneID, `{"id":"a577b510288e82b26486fa3e5ef8d7f8","name":"Pro Website","legacy_id":"pro"}`)),
			want: Zone{ID: zoneID, Name: "example.com", AccountID: "01a7362d577a6c3019a474fd6f485823", AccountName: "Acme", Plan: "pro"}},
		{name: "name only", answer: jsonAnswer(200, zoneAnswer(zoneID, `{"name":"Enterprise Website"}`)),
			want: Zone{ID: zoneID, Name: "example.com", AccountID: "01a7362d577a6c3019a474fd6f485823", AccountName: "Acme", Plan: "Enterprise Website"}},
		{name: "no plan", answer: jsonAnswer(200, zoneAnswer(zoneID, `null`)),
			want: Zone{ID: zoneID, Name: "example.com", AccountID: "01a7362d577a6c3019a474fd6f485823", AccountName: "Acme"}},
		{name: "refused", answer: jsonAnswer(403, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}`), code: 10000, status: 403},
		{name: "another zone", answer: jsonAnswer(200, zoneAnswer("abc", `null`)), status: 200, cause: errOtherZone},
		{name: "numeric id", answer: jsonAnswer(200, strings.Replace(zoneAnswer("x", `null`), `"x"`, `5`, 1)), status: 200, cause: errBadID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var path string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path = r.Method + " " + r.URL.Path
				w.Header().Set("Content-Type", tt.answer.ctype)
				w.WriteHeader(tt.answer.status)
				_, _ = io.WriteString(w, tt.answer.body)
			}))
			t.Cleanup(srv.Close)
			z, err := client(srv.URL, &recorder{}).Zone(context.Background(), zoneID)
			if path != "GET /client/v4/zones/"+zoneID {
				t.Errorf("request %q", path)
			}
			if tt.status == 0 {
				if diff := cmp.Diff(tt.want, z); err != nil || diff != "" {
					t.Errorf("Zone: %v (-want +got):\n%s", err, diff)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code() != tt.code || e.Status != tt.status || e.Step != StepZoneRead || (tt.cause != nil && !errors.Is(err, tt.cause)) {
				t.Errorf("Zone: %+v, %v; want code %d status %d %v", z, err, tt.code, tt.status, tt.cause)
			}
			if tt.code == 10000 && !strings.Contains(e.Hint(), "Zone > Zone Read") {
				t.Errorf("hint %q", e.Hint())
			}
		})
	}
}

// The result classifies errors through these, without importing the package.
func TestErrorInterfaces(t *testing.T) {
	t.Parallel()
	var err error = &Error{Step: StepInvalidate, Status: 429, Details: []Detail{{Code: 1134, Message: "m"}}}
	var classified interface {
		ErrorKind() string
		ErrorStep() string
		HTTPStatus() int
		Code() int
		Message() string
		Hint() string
	}
	if !errors.As(err, &classified) {
		t.Fatal("*Error does not expose the interfaces")
	}
	got := []any{classified.ErrorKind(), classified.ErrorStep(), classified.HTTPStatus(), classified.Code(), classified.Message()}
	if diff := cmp.Diff([]any{"api", "invalidation", 429, 1134, "m"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A run cancelled while a request waits to retry is reported as cancelled,
// not as the answer that asked for the retry.
func TestCancelledWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(500, `{"success":false,"errors":[{"code":10002,"message":"busy"}]}`))
	c := client(srv.URL, &recorder{})
	ctx, cancel := context.WithCancel(context.Background())
	c.o.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	_, attempts, err := c.Purge(ctx, zoneID, "", tags)
	var e *Error
	if !errors.As(err, &e) || attempts != 1 || n.Load() != 1 || e.Status != 0 || !errors.Is(err, context.Canceled) ||
		!strings.Contains(e.Message(), "the run was cancelled") || !strings.Contains(e.Message(), "busy") || e.Hint() != "" {
		t.Errorf("Purge: %d attempts, %v (hint %q); want cancelled, naming the last failure", attempts, err, e.Hint())
	}
}

// A wait the pacer cannot fit before the deadline fails the call at once,
// saying how long and why, not as the run's timeout: the run still had
// time, and nothing was sent.
func TestPacerWaitPastTheDeadline(t *testing.T) {
	t.Parallel()
	srv, n := server(t, jsonAnswer(200, okPurge))
	c := client(srv.URL, &recorder{})
	c.o.Pacer = &fakePacer{err: &pace.TooLongError{Why: "Cloudflare's API-wide limit", Wait: 40 * time.Second, Left: 12 * time.Second}}
	_, _, err := c.Purge(context.Background(), zoneID, "", plan.Batch{Kind: result.KindTags, Items: []string{"a"}})
	var ce *Error
	if !errors.As(err, &ce) || n.Load() != 0 {
		t.Fatalf("err %v after %d requests; want an *Error and none sent", err, n.Load())
	}
	if got, want := ce.Message(), "Cloudflare's API-wide limit asks to wait 40s, and the run's deadline is 12s away"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	if got := ce.Hint(); !strings.HasPrefix(got, "Cloudflare asked to wait longer than the run's timeout left") {
		t.Errorf("Hint() = %q", got)
	}
	if errors.Is(err, ErrRunTimeout) {
		t.Errorf("reported as the run's timeout: %v", err)
	}
}

// OnSend hears of every attempt as it leaves, after the pacer's turn.
func TestOnSendHearsEachAttempt(t *testing.T) {
	t.Parallel()
	limited := answer{status: 429, ctype: "application/json", body: `{"success":false,"errors":[{"code":1134,"message":"rate limited"}]}`, headers: map[string]string{"Retry-After": "0"}}
	srv, _ := server(t, limited, jsonAnswer(200, okPurge))
	c := client(srv.URL, &recorder{})
	var mu sync.Mutex
	var sends []time.Time
	var paced time.Time
	c.o.Pacer = pacerFunc(func() { mu.Lock(); paced = time.Now(); mu.Unlock() })
	ctx := OnSend(context.Background(), func(at time.Time) { mu.Lock(); sends = append(sends, at); mu.Unlock() })
	if _, attempts, err := c.Purge(ctx, zoneID, "", plan.Batch{Kind: result.KindTags, Items: []string{"a"}}); err != nil || attempts != 2 {
		t.Fatalf("Purge: %d attempts, %v", attempts, err)
	}
	if len(sends) != 2 || sends[1].Before(paced) {
		t.Errorf("%d sends heard (want 2), the last at %v, the pacer's last turn at %v", len(sends), sends, paced)
	}
}

// pacerFunc lets every call go at once, calling f on each turn.
type pacerFunc func()

func (f pacerFunc) Wait(context.Context, pace.Call) (func(pace.Answer), error) {
	f()
	return func(pace.Answer) {}, nil
}
