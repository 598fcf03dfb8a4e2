package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/selector"
)

// MaxBody is how much of a body is read when the expectation looks into it;
// the rest is never read.
const MaxBody = 1 << 20

// CacheBustParam is the query parameter of the action's own that makes a
// URL a cache key nobody else asks for, so that Cloudflare fetches it from
// the origin: each request gets a new value (CacheBust).
const CacheBustParam = "cloudflare-purge-origin"

// maxSeen bounds the text kept of what a site served (a header's value):
// see Options.bound.
const maxSeen = 200

// Expectation is what the new deploy serves: a header with an exact value
// (the name in any case), a text in the first MaxBody bytes of the body, or
// both, all of which an answer must show. The zero value expects nothing.
type Expectation struct {
	Header, Value string
	Body          string
}

// IsSet tells whether anything is expected.
func (x Expectation) IsSet() bool { return x.Header != "" || x.Body != "" }

// String is the expectation in words: `X-Build: v2`, `body contains "v2"`.
func (x Expectation) String() string {
	var parts []string
	if x.Header != "" {
		parts = append(parts, x.Header+": "+x.Value)
	}
	if x.Body != "" {
		parts = append(parts, fmt.Sprintf("body contains %q", printable(x.Body)))
	}
	return strings.Join(parts, " and ")
}

// BodyLimit is how much of a body Check needs: MaxBody when the body is
// looked into, else none.
func (x Expectation) BodyLimit() int64 {
	if x.Body != "" {
		return MaxBody
	}
	return 0
}

// Check tells whether an answer serves the expectation, and what it served
// instead or besides, in words: "X-Build: v1", "no X-Build header", "a
// body without the text (512 bytes read)".
func (x Expectation) Check(h http.Header, body []byte) (ok bool, seen string) {
	ok = true
	var parts []string
	if x.Header != "" {
		vals := h.Values(x.Header)
		found := false
		for _, v := range vals {
			if strings.TrimSpace(v) == x.Value {
				found = true
			}
		}
		switch {
		case found:
			parts = append(parts, x.Header+": "+printable(x.Value))
		case len(vals) == 0:
			ok = false
			parts = append(parts, "no "+x.Header+" header")
		default:
			ok = false
			// The site's text: Options.bound (or BoundWait) cleans, redacts
			// and cuts it.
			parts = append(parts, x.Header+": "+strings.TrimSpace(vals[0]))
		}
	}
	if x.Body != "" {
		if bytes.Contains(body, []byte(x.Body)) {
			parts = append(parts, "a body with the text")
		} else {
			ok = false
			parts = append(parts, fmt.Sprintf("a body without the text (%d bytes read)", len(body)))
		}
	}
	return ok, strings.Join(parts, ", ")
}

// printable is the user's text (expect-header's value, expect-body, which
// the configuration bounds) fit for a report: one line, printable. A site's
// text goes through Options.siteText instead.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}

// CacheBust is raw with CacheBustParam set to a new random value.
func CacheBust(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	q := u.RawQuery
	if q != "" {
		q += "&"
	}
	u.RawQuery = q + CacheBustParam + "=" + hex.EncodeToString(b[:])
	return u.String()
}

// Answer is what one request to a site got.
type Answer struct {
	Status    int
	Header    http.Header
	Body      []byte // at most the limit asked for
	Truncated bool   // the body was longer than the limit
	// Failure says why there is no answer (DNS, connection, TLS, timeout);
	// empty when there is one.
	Failure string
}

// CacheStatus is the answer's CF-Cache-Status, upper case.
func (a Answer) CacheStatus() string {
	return strings.ToUpper(strings.TrimSpace(a.Header.Get("CF-Cache-Status")))
}

// Fetcher sends GETs to a site the way one environment selects them, as
// Run does (see the package comment): for the wait before a purge and the
// warming after it.
type Fetcher struct{ p *prober }

// NewFetcher is a Fetcher for the environment of expression ("": the
// default environment, which a plain request selects). what names the
// requests in debug lines ("wait", "warm"). The error says why the
// environment cannot be reached: its expression cannot be sent.
func NewFetcher(what, env, expression string, o Options) (*Fetcher, error) {
	o.fill()
	var sel selector.Selector
	if expression != "" {
		var err error
		if sel, err = selector.Parse(expression); err != nil {
			return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), selector.ErrNotSelectable.Error()+": "))
		}
	}
	if why := privateEdge(sel, o.Edge); why != "" {
		return nil, errors.New(why)
	}
	return &Fetcher{p: &prober{what: what, o: &o, sel: sel, edge: o.Edge, client: newClient(&o, sel, o.Edge), env: env}}, nil
}

// Selector is how the environment is selected, in words ("" for none).
func (f *Fetcher) Selector() string { return f.p.sel.String() }

// Unreachable says why raw cannot be requested through the environment
// (its host is not one the selector takes, it is not an http(s) URL);
// "" when it can.
func (f *Fetcher) Unreachable(raw string) string {
	_, why := f.p.target(raw)
	return why
}

// Get requests raw and reads at most limit bytes of its body.
func (f *Fetcher) Get(ctx context.Context, raw string, limit int64) Answer {
	r, why := f.p.target(raw)
	if why != "" {
		return Answer{Failure: why}
	}
	return f.p.send(ctx, r, max(limit, bodyLimit))
}

// SiteText is what a site sent, or why it could not be reached, as reports
// may show it (see Options.SiteText).
func (f *Fetcher) SiteText(s string) string { return f.p.o.siteText(s, maxReason) }

// Close lets the fetcher's idle connections go.
func (f *Fetcher) Close() { f.p.client.CloseIdleConnections() }

// expect turns a verdict that passed (verified, not cached) into outdated
// when the answer does not serve the expectation, and records what it
// served.
func (p *prober) expect(c *result.URLCheck, a Answer) {
	if !p.o.Expect.IsSet() || c.Verdict == result.VerdictRedirect || c.Verdict == result.VerdictNotVerified {
		return
	}
	ok, seen := p.o.Expect.Check(a.Header, a.Body)
	c.Seen = seen
	if ok || c.Verdict == result.VerdictStale {
		return
	}
	c.Verdict = result.VerdictOutdated
	c.Reason = "does not serve the new build (expected " + p.o.Expect.String() + ")"
}

// askOrigin asks, for an outdated URL, whether its origin serves the new
// build now: the URL with CacheBustParam, for up to StaleRetryFor. When it
// does, the copy was cached from an origin that had not yet deployed, and
// one more purge of the URL alone fixes it (the caller's).
func (p *prober) askOrigin(ctx context.Context, r *request, c *result.URLCheck) {
	first := p.o.Now()
	bust := *r
	for {
		u := *r.url
		bu, err := url.Parse(CacheBust(u.String()))
		if err != nil {
			return
		}
		bust.url = bu
		a := p.fetchOne(ctx, &bust)
		ok, seen := p.o.Expect.Check(a.Header, a.Body)
		switch {
		case a.Failure != "":
			c.OriginSeen = "no answer: " + a.Failure
		case a.CacheStatus() == "HIT":
			c.OriginSeen = "a request with a query parameter of its own was a HIT: the zone's cache key ignores the query string, so the origin cannot be reached through the edge; give wait-urls"
			return
		case ok:
			c.OriginServes, c.OriginSeen = true, seen
			return
		default:
			c.OriginSeen = seen
		}
		elapsed := p.o.Now().Sub(first)
		if ctx.Err() != nil || elapsed >= p.o.StaleRetryFor {
			return
		}
		if p.o.Sleep(ctx, min(p.o.RetryInterval, p.o.StaleRetryFor-elapsed)) != nil {
			return
		}
	}
}

// fetchOne sends one request in turn with the others.
func (p *prober) fetchOne(ctx context.Context, r *request) Answer {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return Answer{Failure: "the run's deadline passed before it could be requested"}
	}
	defer func() { <-p.sem }()
	return p.send(ctx, r, max(p.o.Expect.BodyLimit(), bodyLimit))
}
