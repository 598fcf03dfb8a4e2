package warm

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// Bounds of what a sitemap may bring, as sitemaps.org's protocol sets them:
// 50,000 URLs and 50 MiB uncompressed per file; ours is 10 MiB in all.
const (
	MaxSitemapBytes = 10 << 20
	MaxSitemapURLs  = 50000
	// maxNested bounds the sitemaps of a sitemap index that are read.
	maxNested = 50
)

// Sitemap reads the sitemap at raw through f (and, for a sitemap index, the
// sitemaps it lists, one level deep), within MaxSitemapBytes and
// MaxSitemapURLs in all, and returns its pages' URLs whose host allowed
// accepts, deduplicated, in order. The Sitemap says what it found; its Error
// why it could not be read (a warning: the other warm URLs are warmed still).
func Sitemap(ctx context.Context, f *verify.Fetcher, raw string, allowed func(host string) bool) ([]string, *result.Sitemap) {
	s := &result.Sitemap{URL: raw}
	budget := int64(MaxSitemapBytes)
	var pages []string
	seen := map[string]bool{}
	queue := []string{raw}
	for n := 0; len(queue) > 0 && n <= maxNested; n++ {
		u := queue[0]
		queue = queue[1:]
		a := f.Get(ctx, u, budget)
		switch {
		case a.Failure != "":
			s.Error = fmt.Sprintf("%s: %s", u, a.Failure)
			continue
		case a.Status != 200:
			s.Error = fmt.Sprintf("%s: the site answered %d, not 200", u, a.Status)
			continue
		}
		budget -= int64(len(a.Body))
		if a.Truncated || budget <= 0 {
			s.Truncated = true
		}
		locs, index, err := parseSitemap(a.Body)
		if err != nil && !a.Truncated {
			s.Error = fmt.Sprintf("%s: %v", u, err)
		}
		if index {
			if n == 0 {
				queue = append(queue, locs...)
			}
			continue
		}
		for _, loc := range locs {
			pu, err := url.Parse(loc)
			switch {
			case err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil:
				s.Skipped++
				continue
			case !allowed(strings.ToLower(pu.Hostname())):
				s.Skipped++
				continue
			}
			pu.Fragment, pu.RawFragment = "", ""
			p := pu.String()
			if seen[p] {
				continue
			}
			if len(pages) == MaxSitemapURLs {
				s.Truncated = true
				break
			}
			seen[p] = true
			pages = append(pages, p)
		}
		if budget <= 0 {
			break
		}
	}
	if len(queue) > 0 {
		s.Truncated = true
	}
	s.Pages = len(pages)
	// The error may quote the site (a nested sitemap's address, the XML).
	s.Error = f.SiteText(s.Error)
	return pages, s
}

// parseSitemap reads the <loc> of each <url> of a urlset, or of each
// <sitemap> of a sitemapindex (index true). What it read before an error is
// returned with the error: a sitemap cut at the byte bound still gives its
// first pages.
func parseSitemap(b []byte) (locs []string, index bool, err error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	var path []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return locs, index, fmt.Errorf("not a sitemap (XML): %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) == 0 {
				switch t.Name.Local {
				case "urlset":
				case "sitemapindex":
					index = true
				default:
					return nil, false, fmt.Errorf("not a sitemap: its root element is <%s>, not <urlset> or <sitemapindex>", t.Name.Local)
				}
			}
			path = append(path, t.Name.Local)
			if len(path) == 3 && t.Name.Local == "loc" && (path[1] == "url" || path[1] == "sitemap") {
				var loc string
				if err := d.DecodeElement(&loc, &t); err != nil {
					return locs, index, fmt.Errorf("not a sitemap (XML): %w", err)
				}
				path = path[:len(path)-1]
				if loc = strings.TrimSpace(loc); loc != "" {
					locs = append(locs, loc)
				}
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
		if len(locs) > MaxSitemapURLs {
			return locs, index, nil
		}
	}
	if len(path) != 0 || (locs == nil && !index && len(b) == 0) {
		return locs, index, errors.New("not a sitemap: empty or cut short")
	}
	return locs, index, nil
}
