package verify

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		{"a site's value is cleaned", Expectation{Header: "X-Build", Value: "v2"}, http.Header{"X-Build": {"v1\x1b[31m" + strings.Repeat("x", 300)}}, "", false, "X-Build: v1?[31m" + strings.Repeat("x", 193) + "…"},
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
