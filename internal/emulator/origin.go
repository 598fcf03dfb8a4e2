package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Origin is the origin behind the edge: the site's build it serves, and when a
// deploy changes it, so that a purge can be seen to come too early (the old build
// cached again) or in time.
type Origin struct {
	// DeployAfter is how long after New the origin starts serving NewBuild instead
	// of OldBuild: 0, from the start; negative, only when Deploy is called.
	DeployAfter time.Duration
	// OldBuild and NewBuild name the builds; default "v1" and "v2". A page carries
	// its build in the BuildHeader header and in its body.
	OldBuild, NewBuild string
	// IgnoreQuery makes the cache key ignore the query string, as a zone's
	// "Ignore query string" cache level or a Cache Rule does: /a?x=1 is /a's copy.
	IgnoreQuery bool
	// Delay is added to every answer the origin gives (a MISS, an EXPIRED, a
	// DYNAMIC page): its response time.
	Delay time.Duration
	// SitemapPages adds /page/1/ ... /page/N/ to the pages /sitemap.xml lists.
	SitemapPages int
}

// BuildHeader is the header in which the edge's pages carry their build.
const BuildHeader = "X-Build"

// sitemapPaths are the pages /sitemap.xml always lists.
var sitemapPaths = []string{"/", "/about/", "/blog/", "/blog/hello-world/", "/contact/"}

func (o *Origin) fill() {
	if o.OldBuild == "" {
		o.OldBuild = "v1"
	}
	if o.NewBuild == "" {
		o.NewBuild = "v2"
	}
}

// Build is the build the origin serves now.
func (e *Emulator) Build() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.deployAt.IsZero() && !e.opts.Now().Before(e.deployAt) {
		return e.opts.Origin.NewBuild
	}
	return e.opts.Origin.OldBuild
}

// Deploy makes the origin serve the new build from now on.
func (e *Emulator) Deploy() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if now := e.opts.Now(); e.deployAt.IsZero() || e.deployAt.After(now) {
		e.deployAt = now
	}
}

// sitemap is /sitemap.xml of host: its pages' URLs (https, as the site's).
func (e *Emulator) sitemap(host string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, p := range sitemapPaths {
		fmt.Fprintf(&b, "  <url><loc>https://%s%s</loc></url>\n", host, p)
	}
	for i := 1; i <= e.opts.Origin.SitemapPages; i++ {
		fmt.Fprintf(&b, "  <url><loc>https://%s/page/%d/</loc></url>\n", host, i)
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

// originWait waits for the origin's answer, or for the request to go.
func (e *Emulator) originWait(r *http.Request) {
	if d := e.opts.Origin.Delay; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
	}
}
