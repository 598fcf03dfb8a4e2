package config

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// A URL is sent as the cache key it names, or refused when no client
// would request it as written.
func TestCacheKeyURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, problem string }{
		{in: "https://example.com/a", want: "https://example.com/a"},
		{in: "HTTPS://Example.COM/A.css?V=1", want: "https://example.com/A.css?V=1"},
		{in: "https://bücher.example/a", want: "https://xn--bcher-kva.example/a"},
		{in: "https://BÜCHER.example/Ü", want: "https://xn--bcher-kva.example/Ü"},
		{in: "https://xn--bcher-kva.example/a", want: "https://xn--bcher-kva.example/a"},
		{in: "https://example.com:443/a", want: "https://example.com/a"},
		{in: "http://example.com:80/a", want: "http://example.com/a"},
		{in: "https://example.com:/a", want: "https://example.com/a"},
		{in: "http://example.com:443/a", want: "http://example.com:443/a"},
		{in: "https://example.com:8443/a", want: "https://example.com:8443/a"},
		{in: "https://[2001:DB8::1]:443/a", want: "https://[2001:db8::1]/a"},
		{in: "https://[::1]:8443/a", want: "https://[::1]:8443/a"},
		{in: "https://example.com/a#frag", want: "https://example.com/a"},
		{in: "https://example.com/a?q=1#frag", want: "https://example.com/a?q=1"},
		{in: "https://example.com#x", want: "https://example.com"},
		{in: "https://example.com/a,b.css", want: "https://example.com/a,b.css"},
		{in: "https://example.com/?to=https://other.example/", want: "https://example.com/?to=https://other.example/"},
		{in: "https://example.com/\xffa", problem: "not valid UTF-8"},
		{in: "https://ex\xe4mple.com/", problem: "not valid UTF-8"},
		{in: "https://example.com/a,https://example.com/b", problem: "two URLs joined by a comma"},
		{in: "https://example.com/a,HTTP://example.com/b", problem: "two URLs joined by a comma"},
		{in: "https://example.com/assets/*", problem: "a prefix such as example.com/assets in prefixes"},
		{in: "https://example.com/*.css", problem: "a prefix such as example.com in prefixes"},
		{in: "https://*.example.com/", problem: "must not contain *"},
		{in: "https://exa\u200dmple.com/", problem: "international domain name"},
		{in: "ftp://example.com/", problem: "http or https"},
	}
	for _, tt := range tests {
		got, err := CacheKeyURL(tt.in)
		switch {
		case tt.problem == "" && (err != nil || got != tt.want):
			t.Errorf("CacheKeyURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("CacheKeyURL(%q) = %q, %v; want a problem with %q", tt.in, got, err, tt.problem)
		}
	}
}

// Every URL input is read as the cache key it names; a comma-joined entry
// or a * is refused with exit 2, naming the input; the log's note has the
// first URL changed and how many were.
func TestLoadSendsCacheKeys(t *testing.T) {
	t.Parallel()
	in := map[string]string{InputAPIToken: token, InputZone: "example.com",
		InputFiles:      "https://bücher.example/a#top https://example.com:443/b\nhttps://EXAMPLE.com/c",
		InputHosts:      "Bücher.example",
		InputPrefixes:   "bücher.example/x",
		InputVerifyURLs: "https://bücher.example:443/v#x"}
	base := map[string]string{InputAPIToken: token, InputZone: "example.com", InputBaseURL: "https://Bücher.example:443/site/", InputFiles: "a.css"}
	if c, err := Load(source(base, nil)); err != nil || len(c.Items.Files) != 1 || c.Items.Files[0].URL != "https://xn--bcher-kva.example/site/a.css" || c.Rewrites.Count != 1 {
		t.Errorf("base-url with an international host: %+v, %v", c, err)
	}
	c, err := Load(source(in, nil))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, f := range c.Items.Files {
		urls = append(urls, f.URL)
	}
	got := map[string]any{"files": urls, "hosts": c.Items.Hosts, "prefixes": c.Items.Prefixes, "verify": c.VerifyURLs, "rewrites": c.Rewrites}
	want := map[string]any{
		"files":    []string{"https://xn--bcher-kva.example/a", "https://example.com/b", "https://example.com/c"},
		"hosts":    []string{"xn--bcher-kva.example"},
		"prefixes": []string{"xn--bcher-kva.example/x"},
		"verify":   []string{"https://xn--bcher-kva.example/v"},
		"rewrites": Rewrites{Count: 3, Given: "https://bücher.example/a#top", Sent: "https://xn--bcher-kva.example/a"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	for _, bad := range []map[string]string{
		{InputFiles: "https://example.com/a,https://example.com/b"},
		{InputFiles: `{"url": "https://example.com/a,https://example.com/b"}`},
		{InputFiles: "https://example.com/assets/*"},
		{InputFiles: "assets/*", InputBaseURL: "https://example.com"},
		{InputTags: "a", InputVerifyURLs: "https://example.com/a,https://example.com/b"},
		{InputFiles: "https://example.com/\xff"},
	} {
		bad[InputAPIToken], bad[InputZone] = token, "example.com"
		_, err := Load(source(bad, nil))
		var ie *InputError
		if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) || (ie.Input != InputFiles && ie.Input != InputVerifyURLs) {
			t.Errorf("%v: %v, want an input error", bad, err)
		}
	}
}

// FuzzCacheKeyURL: a key is valid UTF-8, has no fragment nor default
// port, a lower-case ASCII host, and is its own key.
func FuzzCacheKeyURL(f *testing.F) {
	for _, s := range []string{"https://bücher.example/a#x", "http://EXAMPLE.com:80/", "https://[::1]:443/", "https://a/b,https://c/", "https://a/*", "https://example.com:/", "https://\xff/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := CacheKeyURL(s)
		if err != nil {
			return
		}
		u, perr := url.Parse(k)
		if perr != nil || !utf8.ValidString(k) || strings.Contains(k, "#") || strings.Contains(k, "*") || u.Port() == "443" && u.Scheme == "https" || u.Port() == "80" && u.Scheme == "http" {
			t.Fatalf("CacheKeyURL(%q) = %q (%v)", s, k, perr)
		}
		if h := u.Host; h != strings.ToLower(h) || !isASCII(h) {
			t.Fatalf("CacheKeyURL(%q) = %q: host %q", s, k, h)
		}
		if again, err := CacheKeyURL(k); err != nil || again != k {
			t.Fatalf("CacheKeyURL(%q) = %q, but CacheKeyURL(%q) = %q, %v", s, k, k, again, err)
		}
	})
}
