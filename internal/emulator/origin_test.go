package emulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// build asks the edge (as Production) for path and returns what it served:
// "CF-Cache-Status X-Build body-has-build".
func (h *edgeHarness) build(t *testing.T, path string) string {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, "http://192.0.2.1"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = "example.com"
	resp, err := h.client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b := resp.Header.Get(emulator.BuildHeader)
	inBody := strings.Contains(string(body), "build "+b) || strings.Contains(string(body), `"build":"`+b+`"`)
	if !inBody && !strings.HasSuffix(path, ".png") {
		t.Errorf("%s: the body does not carry build %s: %s", path, b, body)
	}
	return resp.Header.Get("CF-Cache-Status") + " " + b
}

func TestOriginDeploys(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{Origin: emulator.Origin{DeployAfter: 5 * time.Second}})
	var got []string
	got = append(got, h.build(t, "/"), h.build(t, "/"), h.build(t, "/?v=1"))
	h.clock.Advance(5 * time.Second)
	// The cached copy keeps the old build; a new cache key, and the copy a purge
	// made room for, get the new one.
	got = append(got, h.build(t, "/"), h.build(t, "/?v=2"), h.build(t, "/api/x"))
	h.em.Deploy() // deployed already: no change
	purgeStatus(t, h.em, "/client/v4/zones/"+emulator.ExampleZoneID+"/purge_cache", `{"files":["https://example.com/"]}`)
	got = append(got, h.build(t, "/"), h.build(t, "/"))
	want := []string{"MISS v1", "HIT v1", "MISS v1", "HIT v1", "MISS v2", "DYNAMIC v2", "MISS v2", "HIT v2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOriginDeploysOnlyWhenTold(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{Origin: emulator.Origin{DeployAfter: -1, OldBuild: "a", NewBuild: "b"}})
	h.clock.Advance(time.Hour)
	first := h.build(t, "/css/app.css")
	h.em.Deploy()
	if got := []string{first, h.build(t, "/js/app.js"), h.em.Build()}; !cmp.Equal(got, []string{"MISS a", "MISS b", "b"}) {
		t.Errorf("got %v", got)
	}
}

func TestOriginCacheKeyIgnoringTheQueryString(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{Origin: emulator.Origin{IgnoreQuery: true}})
	got := []string{h.build(t, "/"), h.build(t, "/?cloudflare-purge-origin=1"), h.build(t, "/?x=2")}
	if diff := cmp.Diff([]string{"MISS v2", "HIT v2", "HIT v2"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOriginSitemap(t *testing.T) {
	t.Parallel()
	h := newEdge(t, emulator.Options{Origin: emulator.Origin{SitemapPages: 2}})
	r, _ := http.NewRequest(http.MethodGet, "http://192.0.2.1/sitemap.xml", nil)
	r.Host = "www.example.com"
	resp, err := h.client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, p := range []string{"/", "/about/", "/blog/", "/blog/hello-world/", "/contact/", "/page/1/", "/page/2/"} {
		if !strings.Contains(string(body), "<loc>https://www.example.com"+p+"</loc>") {
			t.Errorf("the sitemap lacks %s:\n%s", p, body)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("Content-Type %q", ct)
	}
}
