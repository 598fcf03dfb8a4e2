package route

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

func TestZone(t *testing.T) {
	t.Parallel()
	names := []string{"example.com", "example.org", "shop.example.com", ""}
	for host, want := range map[string]int{
		"example.com":          0,
		"www.example.com":      0,
		"WWW.Example.ORG.":     1,
		"shop.example.com":     2,
		"a.b.shop.example.com": 2,
		"badexample.com":       -1,
		"example.net":          -1,
		"com":                  -1,
		"":                     -1,
	} {
		if got := Zone(host, names); got != want {
			t.Errorf("Zone(%q) = %d, want %d", host, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	items := config.Items{
		Files: []config.File{
			{URL: "https://www.example.org/a"},
			{URL: "https://example.com:8443/b"},
			{URL: "https://shop.example.com/c", Headers: map[string]string{"CF-Device-Type": "mobile"}},
		},
		Tags:     []string{"html"},
		Hosts:    []string{"static.example.org"},
		Prefixes: []string{"example.com/blog", "shop.example.com:8443/x"},
	}
	got, unrouted, err := Split(items, []string{"example.com", "example.org", "shop.example.com"}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Items{
		{Files: []config.File{{URL: "https://example.com:8443/b"}}, Tags: []string{"html"}, Prefixes: []string{"example.com/blog"}},
		{Files: []config.File{{URL: "https://www.example.org/a"}}, Tags: []string{"html"}, Hosts: []string{"static.example.org"}},
		{Files: []config.File{{URL: "https://shop.example.com/c", Headers: map[string]string{"CF-Device-Type": "mobile"}}}, Tags: []string{"html"}, Prefixes: []string{"shop.example.com:8443/x"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if unrouted.Count() != 0 {
		t.Errorf("unrouted: %+v", unrouted)
	}

	// Everything goes to every zone.
	got, _, err = Split(config.Items{Everything: true}, []string{"example.com", "example.org"}, false)
	if err != nil || len(got) != 2 || !got[0].Everything || !got[1].Everything {
		t.Errorf("purge everything: %+v, %v", got, err)
	}

	// One zone routes nothing.
	one := config.Items{Files: []config.File{{URL: "https://shop.example.net/"}}}
	got, _, err = Split(one, []string{"example.com"}, false)
	if err != nil || len(got) != 1 || len(got[0].Files) != 1 {
		t.Errorf("one zone: %+v, %v", got, err)
	}

	// While a zone's name is unknown, what no known zone takes waits.
	got, unrouted, err = Split(items, []string{"example.com", ""}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].Files) != 2 || len(unrouted.Files) != 1 || len(unrouted.Hosts) != 1 || len(got[1].Tags) != 1 {
		t.Errorf("unknown name: %+v, unrouted %+v", got, unrouted)
	}
}

// An item of no zone is refused, naming it, its input and the zones; past
// ten, the rest are counted.
func TestSplitRefuses(t *testing.T) {
	t.Parallel()
	items := config.Items{Files: []config.File{{URL: "https://example.net/a"}}, Hosts: []string{"example.org"}, Prefixes: []string{"cdn.example.net/x"}}
	_, _, err := Split(items, []string{"example.com", "shop.example.com"}, true)
	var ie *config.InputError
	if re := result.NewError(err); !errors.As(err, &ie) || re.Kind != result.ErrorInput {
		t.Fatalf("err = %v, want input errors", err)
	}
	msg := err.Error()
	for _, s := range []string{`--files: "https://example.net/a": its host is in none of the zones (example.com, shop.example.com)`, `--hosts: "example.org"`, `--prefixes: "cdn.example.net/x"`, "--zone"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error does not say %q:\n%s", s, msg)
		}
	}
	var many config.Items
	for range 25 {
		many.Hosts = append(many.Hosts, "x.example.net")
	}
	_, _, err = Split(many, []string{"example.com", "example.org"}, false)
	if ps := config.Problems(err); len(ps) != maxUnrouted+1 || !strings.Contains(ps[maxUnrouted].Error(), "and 15 more items") {
		t.Errorf("25 unrouted: %d problems: %v", len(ps), err)
	}
}

func FuzzZone(f *testing.F) {
	f.Add("www.example.org", "example.org,example.com")
	f.Fuzz(func(t *testing.T, host, list string) {
		names := strings.Split(list, ",")
		i := Zone(host, names)
		if i < 0 {
			return
		}
		h := strings.TrimSuffix(strings.ToLower(host), ".")
		if n := names[i]; n == "" || !(h == n || strings.HasSuffix(h, "."+n)) {
			t.Fatalf("Zone(%q, %q) = %d", host, names, i)
		}
	})
}

// BenchmarkSplit routes 500,000 URLs (the input's most) to three zones.
func BenchmarkSplit(b *testing.B) {
	var items config.Items
	hosts := []string{"www.example.com", "static.example.org", "a.shop.example.com"}
	for i := range 500_000 {
		items.Files = append(items.Files, config.File{URL: "https://" + hosts[i%3] + "/assets/" + strings.Repeat("x", i%40) + ".css"})
	}
	names := []string{"example.com", "example.org", "shop.example.com"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Split(items, names, false); err != nil {
			b.Fatal(err)
		}
	}
}

// URLHost reads the host as net/url does, for every URL config accepts.
func FuzzURLHost(f *testing.F) {
	for _, s := range []string{"https://www.example.org/a", "https://u:p@example.com:8443/b?c#d", "http://[::1]:80/", "https://example.com", "https://example.com?x", "x", "https://a@b@c/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil || u.Opaque != "" || u.Host == "" || !strings.HasPrefix(s, u.Scheme+"://") || strings.ContainsAny(s, "\\%") {
			// Not a URL config accepts: hosts are plain names or addresses.
			return
		}
		if got := URLHost(s); got != u.Hostname() {
			t.Fatalf("URLHost(%q) = %q, net/url says %q", s, got, u.Hostname())
		}
	})
}

func TestURLsRefuses(t *testing.T) {
	t.Parallel()
	names := []string{"example.com", "example.org"}
	if err := URLs(config.InputVerifyURLs, []string{"https://www.example.org/", "https://example.com:8443/a"}, names, false); err != nil {
		t.Errorf("URLs of the zones: %v", err)
	}
	for _, n := range [][]string{{"example.com"}, {"example.com", ""}} {
		if err := URLs(config.InputWaitURLs, []string{"https://example.net/"}, n, false); err != nil {
			t.Errorf("zones %q refuse: %v", n, err)
		}
	}
	err := URLs(config.InputWaitURLs, []string{"https://example.com/", "https://example.net/x"}, names, true)
	if want := `--wait-urls: "https://example.net/x": its host is in none of the zones (example.com, example.org)`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
	many := make([]string, 25)
	for i := range many {
		many[i] = "https://x.example.net/"
	}
	err = URLs(config.InputVerifyURLs, many, names, false)
	if ps := config.Problems(err); len(ps) != maxUnrouted+1 || !strings.Contains(ps[maxUnrouted].Error(), "and 15 more URLs") {
		t.Errorf("25 unrouted: %d problems: %v", len(ps), err)
	}
}
