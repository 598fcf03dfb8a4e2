package warm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

func TestParseSitemap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		locs    []string
		index   bool
		wantErr string
	}{
		{"urlset", `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a.example/ </loc><lastmod>2026-01-01</lastmod></url><url><loc>https://a.example/b</loc></url></urlset>`,
			[]string{"https://a.example/", "https://a.example/b"}, false, ""},
		{"index", `<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>`, []string{"https://a.example/s1.xml"}, true, ""},
		{"a loc elsewhere is not a page", `<urlset><url><image><loc>https://a.example/i.png</loc></image><loc>https://a.example/</loc></url></urlset>`, []string{"https://a.example/"}, false, ""},
		{"entities", `<urlset><url><loc>https://a.example/?a=1&amp;b=2</loc></url></urlset>`, []string{"https://a.example/?a=1&b=2"}, false, ""},
		{"HTML", `<!DOCTYPE html><html><body>404</body></html>`, nil, false, "its root element is <html>"},
		{"cut short", `<urlset><url><loc>https://a.example/</loc></url><url><lo`, []string{"https://a.example/"}, false, "not a sitemap"},
		{"empty", ``, nil, false, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			locs, index, err := parseSitemap([]byte(tt.in))
			if diff := cmp.Diff(tt.locs, locs); diff != "" || index != tt.index {
				t.Errorf("index %v, locs (-want +got):\n%s", index, diff)
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset><url><loc>https://a.example/</loc></url></urlset>`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>`))
	f.Add([]byte(`<urlset><url><loc>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		locs, _, _ := parseSitemap(b)
		if len(locs) > MaxSitemapURLs+1 {
			t.Fatalf("%d locs", len(locs))
		}
		for _, l := range locs {
			if l == "" || l != strings.TrimSpace(l) {
				t.Fatalf("loc %q", l)
			}
		}
	})
}

// siteMux serves a sitemap index, two sitemaps (one with a foreign host and a
// duplicate) and pages: /gone is 404, /moved redirects.
func siteMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<sitemapindex><sitemap><loc>https://www.example.com/s1.xml</loc></sitemap><sitemap><loc>https://www.example.com/s2.xml</loc></sitemap></sitemapindex>`))
	})
	m.HandleFunc("/s1.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<urlset><url><loc>https://www.example.com/</loc></url><url><loc>https://evil.example/</loc></url><url><loc>https://example.com/gone</loc></url></urlset>`))
	})
	m.HandleFunc("/s2.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<urlset><url><loc>https://www.example.com/</loc></url><url><loc>https://www.example.com/moved#top</loc></url><url><loc>ftp://www.example.com/f</loc></url></urlset>`))
	})
	m.HandleFunc("/gone", http.NotFound)
	m.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusMovedPermanently) })
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusTeapot)
		}
	})
	return m
}

func TestSitemapAndWarm(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(siteMux())
	defer srv.Close()
	o := verify.Options{EdgeURL: srv.URL}
	f, err := verify.NewFetcher("sitemap", "Production", "", o)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inZone := func(h string) bool { return h == "example.com" || strings.HasSuffix(h, ".example.com") }
	pages, s := Sitemap(context.Background(), f, "https://www.example.com/sitemap.xml", inZone)
	wantPages := []string{"https://www.example.com/", "https://example.com/gone", "https://www.example.com/moved"}
	if diff := cmp.Diff(wantPages, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&result.Sitemap{URL: "https://www.example.com/sitemap.xml", Pages: 3, Skipped: 2}, s); diff != "" {
		t.Errorf("sitemap (-want +got):\n%s", diff)
	}

	ws := Run(context.Background(), []Target{
		{Name: "Production", URLs: pages},
		{Name: "Dev", Expression: `any(http.request.cookies["dev"][*] eq "1")`, URLs: pages[:1]},
		{Name: "Geo", Expression: `ip.src.country eq "GB"`, URLs: pages},
	}, Options{Fetch: o})
	if ws[0].WarmedCount != 1 || ws[0].FailedCount != 2 || ws[1].WarmedCount != 1 || ws[2].Status != result.WarmNotWarmable {
		t.Fatalf("warm %+v %+v %+v", ws[0], ws[1], ws[2])
	}
	var reasons []string
	for _, f := range ws[0].Failures {
		reasons = append(reasons, f.URL+": "+f.Reason)
	}
	want := []string{"https://example.com/gone: the site answered 404 Not Found", "https://www.example.com/moved: a redirect (to /) is not followed; warm its destination"}
	if diff := cmp.Diff(want, reasons, cmpSorted); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

func TestSitemapBounds(t *testing.T) {
	t.Parallel()
	m := http.NewServeMux()
	m.HandleFunc("/big.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<urlset>"))
		for i := range MaxSitemapURLs + 10 {
			_, _ = w.Write([]byte("<url><loc>https://example.com/p/" + strconv.Itoa(i) + "</loc></url>"))
		}
		_, _ = w.Write([]byte("</urlset>"))
	})
	m.HandleFunc("/huge.xml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<urlset><url><loc>https://example.com/</loc></url><!--"))
		chunk := []byte(strings.Repeat("x", 1<<20))
		for range 12 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(m)
	defer srv.Close()
	f, err := verify.NewFetcher("sitemap", "Production", "", verify.Options{EdgeURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all := func(string) bool { return true }
	pages, s := Sitemap(context.Background(), f, "https://example.com/big.xml", all)
	if len(pages) != MaxSitemapURLs || !s.Truncated {
		t.Errorf("%d pages, truncated %v; want %d, true", len(pages), s.Truncated, MaxSitemapURLs)
	}
	pages, s = Sitemap(context.Background(), f, "https://example.com/huge.xml", all)
	if len(pages) != 1 || !s.Truncated {
		t.Errorf("%d pages, %+v; want the first page of a sitemap cut at 10 MiB", len(pages), s)
	}
}
