package verify

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

func TestExpectationCheck(t *testing.T) {
	t.Parallel()
	h := http.Header{"X-Build": {" v2 "}, "Etag": {`"abc"`}}
	tests := []struct {
		name string
		x    Expectation
		h    http.Header
		body string
		ok   bool
		seen string
	}{
		{"header", Expectation{Header: "X-Build", Value: "v2"}, h, "", true, "X-Build: v2"},
		{"header, another value", Expectation{Header: "X-Build", Value: "v3"}, h, "", false, "X-Build: v2"},
		{"header missing", Expectation{Header: "X-Release", Value: "v2"}, h, "", false, "no X-Release header"},
		{"one of two values", Expectation{Header: "X-Build", Value: "v2"}, http.Header{"X-Build": {"v1", "v2"}}, "", true, "X-Build: v2"},
		{"ETag", Expectation{Header: "Etag", Value: `"abc"`}, h, "", true, `Etag: "abc"`},
		{"body", Expectation{Body: "build v2"}, h, "<p>build v2</p>", true, "a body with the text"},
		{"body without", Expectation{Body: "build v2"}, h, "<p>build v1</p>", false, "a body without the text (15 bytes read)"},
		{"both, the body wrong", Expectation{Header: "X-Build", Value: "v2", Body: "v3"}, h, "v2", false, "X-Build: v2, a body without the text (2 bytes read)"},
		// A site's value as sent: bound cleans, redacts and cuts it (TestSeenBounded).
		{"a site's value", Expectation{Header: "X-Build", Value: "v2"}, http.Header{"X-Build": {"v1\x1b[31m" + strings.Repeat("x", 300)}}, "", false, "X-Build: v1\x1b[31m" + strings.Repeat("x", 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, seen := tt.x.Check(tt.h, []byte(tt.body))
			if ok != tt.ok || seen != tt.seen {
				t.Errorf("Check = %v, %q; want %v, %q", ok, seen, tt.ok, tt.seen)
			}
		})
	}
}

// TestSeenBounded: what a site served of the expectation enters a
// verification's check and a wait's as the rest of its text does: cleaned,
// redacted, then cut.
func TestSeenBounded(t *testing.T) {
	t.Parallel()
	_, seen := Expectation{Header: "X-Build", Value: "v2"}.Check(http.Header{"X-Build": {"v1\x1b[31m s\u200bec-ret " + strings.Repeat("x", 300)}}, nil)
	o := Options{Redact: func(s string) string { return strings.ReplaceAll(s, "sec-ret", "***") }}
	want := "X-Build: v1[31m *** " + strings.Repeat("x", 179) + "…"
	c := o.bound(result.URLCheck{Seen: seen, OriginSeen: seen})
	w := o.BoundWait(result.WaitCheck{Seen: seen, Reason: seen, CacheStatus: seen})
	if c.Seen != want || c.OriginSeen != want || w.Seen != want {
		t.Errorf("bound Seen %q, OriginSeen %q, BoundWait Seen %q; want %q", c.Seen, c.OriginSeen, w.Seen, want)
	}
	if w.Reason != strings.TrimSuffix(want, strings.Repeat("x", 179)+"…")+strings.Repeat("x", 300) || utf8.RuneCountInString(w.CacheStatus) != maxCacheStatus {
		t.Errorf("BoundWait Reason %q, CF-Cache-Status %q", w.Reason, w.CacheStatus)
	}
}

func TestCacheBust(t *testing.T) {
	t.Parallel()
	a, b := CacheBust("https://example.com/a?x=1#f"), CacheBust("https://example.com/a?x=1#f")
	if a == b {
		t.Errorf("two busts gave the same URL %s", a)
	}
	u, err := url.Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if diff := cmp.Diff([]string{"1"}, q["x"]); diff != "" || len(q.Get(CacheBustParam)) != 16 || u.Path != "/a" {
		t.Errorf("CacheBust = %s", a)
	}
}
