package wait

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// site is an origin whose build the test switches; hit makes every answer
// a cache HIT (a cache key that ignores the query string).
type site struct {
	mu      sync.Mutex
	build   string
	hit     bool
	queries []string
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, r.URL.RawQuery)
	w.Header().Set("X-Build", s.build)
	if s.hit {
		w.Header().Set("CF-Cache-Status", "HIT")
	} else {
		w.Header().Set("CF-Cache-Status", "MISS")
	}
	_, _ = w.Write([]byte("<p>build " + s.build + "</p>"))
}

// clock is a fake clock whose Sleep moves it on and calls at, if set, with
// the number of pauses so far.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	pauses []time.Duration
	at     func(n int)
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.pauses = append(c.pauses, d)
	n := len(c.pauses)
	at := c.at
	c.mu.Unlock()
	if at != nil {
		at(n)
	}
	return ctx.Err()
}

func options(srv *httptest.Server, c *clock, expect verify.Expectation, limit time.Duration) Options {
	return Options{Fetch: verify.Options{Edge: edgeOf(srv.URL)}, Expect: expect, For: limit, Now: c.Now, Sleep: c.Sleep}
}

func TestWaitUntilTheNewBuild(t *testing.T) {
	t.Parallel()
	s := &site{build: "v1"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &clock{now: time.Unix(1e9, 0)}
	c.at = func(n int) {
		if n == 4 {
			s.mu.Lock()
			s.build = "v2"
			s.mu.Unlock()
		}
	}
	o := options(srv, c, verify.Expectation{Header: "X-Build", Value: "v2"}, 10*time.Minute)
	var progress []Progress
	o.Progress = func(p Progress) { progress = append(progress, p) }
	w := Run(context.Background(), []Target{
		{Name: "Production", URLs: []string{"https://example.com/", "https://example.com/a?x=1"}, Bust: true},
		{Name: "Geo", Expression: `ip.src.country eq "GB"`, URLs: []string{"https://example.com/"}},
	}, o)
	if w.Status != result.WaitStatusReady {
		t.Fatalf("status %s (%s), want ready", w.Status, w.Reason)
	}
	// 1 s, then half as long again each time, each within ±25%.
	for i, want := range []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond} {
		if d := c.pauses[i]; d < want*3/4 || d > want*5/4 {
			t.Errorf("pause %d: %s, want %s ±25%%", i+1, d, want)
		}
	}
	var states []string
	for _, u := range w.URLs {
		states = append(states, u.Environment+" "+u.State+" "+u.Seen)
	}
	want := []string{"Production ready X-Build: v2", "Production ready X-Build: v2", "Geo not_waitable "}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if w.Requests != 10 || w.URLs[0].Attempts != 5 {
		t.Errorf("%d requests, %d for the first URL; want 10 and 5", w.Requests, w.URLs[0].Attempts)
	}
	// Every request had a cache-busting parameter of its own, kept after the URL's own query.
	seen := map[string]bool{}
	for _, q := range s.queries {
		if !strings.Contains(q, verify.CacheBustParam+"=") || seen[q] {
			t.Errorf("query %q: want a new %s each time", q, verify.CacheBustParam)
		}
		seen[q] = true
	}
	if last := progress[len(progress)-1]; last.Ready != 2 || last.Total != 2 {
		t.Errorf("last progress %+v, want 2/2", last)
	}
}

func TestWaitEndsWithoutTheNewBuild(t *testing.T) {
	t.Parallel()
	s := &site{build: "v1"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &clock{now: time.Unix(1e9, 0)}
	w := Run(context.Background(), []Target{{Name: "Production", URLs: []string{"https://example.com/"}}},
		options(srv, c, verify.Expectation{Body: "build v2"}, time.Minute))
	if w.Status != result.WaitStatusTimedOut || w.URLs[0].State != result.WaitNotReady || !strings.Contains(w.URLs[0].Seen, "without the text") {
		t.Fatalf("wait %+v", w)
	}
	var total time.Duration
	for _, d := range c.pauses {
		total += d
	}
	if total > time.Minute || total < 45*time.Second {
		t.Errorf("paused %s in all, want under the minute's wait and near it", total)
	}
	for _, q := range s.queries {
		if q != "" {
			t.Errorf("query %q on a wait URL given as is", q)
		}
	}
}

func TestWaitToldAtOnceWhenTheQueryStringIsIgnored(t *testing.T) {
	t.Parallel()
	s := &site{build: "v1", hit: true}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &clock{now: time.Unix(1e9, 0)}
	w := Run(context.Background(), []Target{{Name: "Staging", URLs: []string{"https://example.com/"}, Bust: true}},
		options(srv, c, verify.Expectation{Header: "X-Build", Value: "v2"}, time.Hour))
	if w.Status != result.WaitStatusQueryIgnored || len(c.pauses) != 0 || !strings.Contains(w.Reason, "wait-urls") {
		t.Errorf("status %s after %d pauses: %s", w.Status, len(c.pauses), w.Reason)
	}
}

// edgeOf is an edge URL as config reads it; nil for "".
func edgeOf(s string) *url.URL {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// A URL whose host the environment's selector does not take cannot be
// requested through it: it is not waited for (as verification does not
// judge it), rather than polled in vain until the wait fails the run.
func TestWaitSkipsAURLItsEnvironmentCannotReach(t *testing.T) {
	t.Parallel()
	s := &site{build: "v2"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &clock{now: time.Unix(1e9, 0)}
	w := Run(context.Background(), []Target{{Name: "Staging", Expression: `http.host eq "staging.example.com"`,
		URLs: []string{"https://example.com/", "https://staging.example.com/"}}},
		options(srv, c, verify.Expectation{Header: "X-Build", Value: "v2"}, time.Minute))
	if w.Status != result.WaitStatusReady {
		t.Fatalf("status %s (%s), want ready\n%+v", w.Status, w.Reason, w.URLs)
	}
	var states []string
	for _, u := range w.URLs {
		states = append(states, u.URL+" "+u.State)
	}
	want := []string{"https://example.com/ not_waitable", "https://staging.example.com/ ready"}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := w.URLs[0].Reason; !strings.Contains(r, "would not reach it") || w.URLs[0].Attempts != 0 {
		t.Errorf("the unreachable URL: %d attempts, reason %q; want none, and why", w.URLs[0].Attempts, r)
	}
	if w.Requests != 1 {
		t.Errorf("%d requests, want 1", w.Requests)
	}
}
