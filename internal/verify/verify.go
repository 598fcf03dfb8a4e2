// Package verify checks, after a purge, that each environment's URLs are no longer
// served from a copy cached before it (docs/behaviour.md, "Verification"). It requests every URL
// the way the environment selects it (the cookies, headers and edge IP of its
// expression, read by package selector) and judges the answer's CF-Cache-Status and Age.
//
// What reaches a site is only: GET, the URL's path and query, Host, the User-Agent
// below, the selector's cookies (one Cookie header) and the selector's headers. The
// client is built here for every run: no cookie jar, no credentials (a URL with user
// information is refused, since Go would send it as Authorization), no compression
// negotiation, redirects not followed.
//
// Proxies from the environment (HTTPS_PROXY, ...) are not used: an environment may be
// selected by the edge address the request reaches, which a proxy would choose instead
// of us, and a caching proxy could answer from its own copy. A runner that can reach
// the internet only through a proxy gets "not verified" with the connection's error.
package verify

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
	"github.com/cloudflare-purge/cloudflare-purge/internal/selector"
)

// UserAgent is the only User-Agent sent (unless a selector names its own).
const UserAgent = "cloudflare-purge-verify/1"

// Defaults of Options.
const (
	DefaultConcurrency    = 4
	DefaultRequestTimeout = 10 * time.Second
	DefaultStaleRetryFor  = 10 * time.Second
	DefaultRetryInterval  = time.Second
	// bodyLimit is how much of a body is read (then discarded) so that a small answer
	// leaves its connection reusable; the rest is never read.
	bodyLimit = 4 << 10
	// headerLimit bounds an answer's headers (Go's default is 10 MB): a larger one is
	// not verified, saying so.
	headerLimit = 1 << 20
)

// Bounds, in characters, of what a check keeps of the text an answer brought (see
// Options.siteText): what reports print of a site is bounded whatever it sends.
const (
	maxLocation    = 500
	maxCacheStatus = 32
	maxReason      = 500
)

// Target is one environment to verify.
type Target struct {
	Name, Ref, Expression string    // the environment; no Expression: the default one, Production
	URLs                  []string  // what to request
	PurgedAt              time.Time // when its first purge request was sent (zero: the start of Run)
}

// Options tune Run. The zero value is usable.
type Options struct {
	// EdgeURL, when set (http(s)://host:port), is where every request is sent, with the
	// URL's host in the Host header (and as the TLS server name). For an environment
	// selected by edge IP, the IP replaces EdgeURL's host and its port is kept.
	EdgeURL string
	// DialContext opens connections (nil: a net.Dialer); the sandbox routes edge
	// addresses in-process with it.
	DialContext    func(ctx context.Context, network, addr string) (net.Conn, error)
	Concurrency    int           // requests in flight at once, over all targets (0: DefaultConcurrency)
	RequestTimeout time.Duration // per request (0: DefaultRequestTimeout)
	StaleRetryFor  time.Duration // how long a stale HIT is requested again (0: DefaultStaleRetryFor)
	RetryInterval  time.Duration // between those requests (0: DefaultRetryInterval)
	Now            func() time.Time
	Sleep          func(ctx context.Context, d time.Duration) error
	TLSConfig      *tls.Config // roots (tests, the sandbox); cloned; ServerName and InsecureSkipVerify are ignored
	Debugf         func(format string, args ...any)
	// Expect, when set, is what the new deploy serves: a URL that does not
	// serve it is outdated, and its origin is asked (see expect.go).
	Expect Expectation
	// Redact hides the run's secrets in a text (nil: none to hide). Text from a site
	// is redacted before it is cut, so that a cut never leaves part of a secret
	// that the whole would have matched.
	Redact func(string) string
}

func (o *Options) fill() {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.StaleRetryFor <= 0 {
		o.StaleRetryFor = DefaultStaleRetryFor
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultRetryInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = retry.Sleep
	}
	if o.Debugf == nil {
		o.Debugf = func(string, ...any) {}
	}
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	if o.DialContext == nil {
		o.DialContext = (&net.Dialer{Timeout: o.RequestTimeout}).DialContext
	}
}

// Run verifies every target and returns one Verification per target, in order.
// Nothing is requested for a target whose expression cannot be sent.
func Run(ctx context.Context, targets []Target, o Options) []*result.Verification {
	o.fill()
	start := o.Now()
	out := make([]*result.Verification, len(targets))
	sem := make(chan struct{}, o.Concurrency)
	var edge *url.URL
	var edgeErr error
	if o.EdgeURL != "" {
		edge, edgeErr = parseEdgeURL(o.EdgeURL)
	}
	var wg sync.WaitGroup
	var clients []*http.Client
	for i, t := range targets {
		v := &result.Verification{URLs: []result.URLCheck{}}
		out[i] = v
		if len(t.URLs) == 0 {
			v.Status = result.VerificationSkipped
			v.Reason = "no URL to check"
			continue
		}
		// No expression: the zone's default environment, Production,
		// whose list was not read: a plain request selects it.
		var sel selector.Selector
		var err error
		if t.Expression != "" {
			sel, err = selector.Parse(t.Expression)
		}
		if err != nil {
			v.Status = result.VerificationNotVerifiable
			// The expression is the API's text.
			v.Reason = o.siteText(strings.TrimPrefix(err.Error(), selector.ErrNotSelectable.Error()+": "), maxReason)
			continue
		}
		if why := privateEdge(sel, o.EdgeURL); why != "" {
			v.Status = result.VerificationNotVerifiable
			v.Selector = o.siteText(sel.String(), maxReason)
			v.Reason = why
			continue
		}
		v.Status = result.VerificationDone
		v.Selector = o.siteText(sel.String(), maxReason)
		v.URLs = make([]result.URLCheck, len(t.URLs))
		if edgeErr != nil {
			for j, u := range t.URLs {
				v.URLs[j] = result.URLCheck{URL: u, Verdict: result.VerdictNotVerified, Reason: o.siteText(edgeErr.Error(), maxReason)}
			}
			continue
		}
		purgedAt := t.PurgedAt
		if purgedAt.IsZero() {
			purgedAt = start
		}
		c := newClient(&o, sel, edge)
		clients = append(clients, c)
		p := &prober{o: &o, sel: sel, edge: edge, client: c, sem: sem, purgedAt: purgedAt, env: t.Name}
		for j, u := range t.URLs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v.URLs[j] = o.bound(p.check(ctx, u))
			}()
		}
	}
	wg.Wait()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	for _, v := range out {
		for _, u := range v.URLs {
			switch u.Verdict {
			case result.VerdictVerified:
				v.VerifiedCount++
			case result.VerdictStale:
				v.StaleCount++
			case result.VerdictOutdated:
				v.OutdatedCount++
			}
		}
	}
	return out
}

// privateEdge says why the selector's edge IPs are not dialled, or "".
// They come from the API: without edge-url (which the user chose), one
// that is not a public address would reach this runner's own network (a
// cloud metadata service at 169.254.169.254), never Cloudflare's edge.
func privateEdge(sel selector.Selector, edgeURL string) string {
	if edgeURL != "" {
		return ""
	}
	ip, what := nonPublic(sel.EdgeIPs)
	if what == "" {
		return ""
	}
	return fmt.Sprintf("its edge IP %s is not a public address (%s), so it is not dialled: Cloudflare's edge is never there; set edge-url to reach it through a proxy", ip, what)
}

// nonPublic returns the first of ips that is not a public address, and
// what it is; "" when all are public.
func nonPublic(ips []netip.Addr) (netip.Addr, string) {
	for _, ip := range ips {
		a := ip.Unmap()
		switch {
		case a.IsLoopback():
			return ip, "loopback"
		case a.IsPrivate():
			return ip, "private"
		case a.IsLinkLocalUnicast():
			return ip, "link-local"
		case a.IsMulticast():
			return ip, "multicast"
		case a.IsUnspecified():
			return ip, "unspecified"
		case !a.IsGlobalUnicast():
			return ip, "not a unicast address"
		}
	}
	return netip.Addr{}, ""
}

func parseEdgeURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("edge-url %q is not http(s)://host:port; fix edge-url (or CLOUDFLARE_EDGE_URL)", s)
	}
	return u, nil
}

// newClient builds the client for one target. Each target gets its own transport, so
// that a connection opened to one environment's edge IP is never reused for another's.
func newClient(o *Options, sel selector.Selector, edge *url.URL) *http.Client {
	var tlsConf *tls.Config
	if o.TLSConfig != nil {
		tlsConf = o.TLSConfig.Clone()
	} else {
		tlsConf = &tls.Config{}
	}
	// The certificate is always checked against the URL's host, whatever the caller set.
	tlsConf.ServerName, tlsConf.InsecureSkipVerify = "", false
	if tlsConf.MinVersion == 0 {
		tlsConf.MinVersion = tls.VersionTLS12
	}
	// The request URL's host is the site's (see request); dial only swaps the address
	// connected to.
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		switch {
		case len(sel.EdgeIPs) > 0:
			var errs []error
			for _, ip := range sel.EdgeIPs {
				c, err := o.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
				if err == nil {
					return c, nil
				}
				errs = append(errs, err)
			}
			return nil, errors.Join(errs...)
		case edge != nil:
			host = edge.Hostname()
		}
		return o.DialContext(ctx, network, net.JoinHostPort(host, port))
	}
	tr := &http.Transport{
		Proxy:                  nil, // see the package comment
		DialContext:            dial,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    o.RequestTimeout,
		ResponseHeaderTimeout:  o.RequestTimeout,
		DisableCompression:     true, // no Accept-Encoding of ours
		MaxResponseHeaderBytes: headerLimit,
		MaxIdleConnsPerHost:    o.Concurrency,
		IdleConnTimeout:        30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No Jar: a cookie set by one answer is never sent back.
	}
}

type prober struct {
	what     string // what the requests are for, in debug lines: verify, wait, warm
	o        *Options
	sel      selector.Selector
	edge     *url.URL
	client   *http.Client
	sem      chan struct{}
	purgedAt time.Time
	env      string
}

// check judges one URL, requesting it again while it is a stale HIT.
func (p *prober) check(ctx context.Context, raw string) result.URLCheck {
	c := result.URLCheck{URL: raw}
	u, why := p.target(raw)
	if why != "" {
		c.Verdict, c.Reason = result.VerdictNotVerified, why
		return c
	}
	first := p.o.Now()
	var stale *result.URLCheck
	for {
		a := p.attempt(ctx, u)
		c.Attempts++
		a.URL, a.Attempts = raw, c.Attempts
		switch {
		case a.Verdict == result.VerdictStale:
			stale = &a
		case a.Verdict == result.VerdictNotVerified && stale != nil:
			// A failed re-request does not hide the stale copy seen before it.
		default:
			if a.Verdict == result.VerdictOutdated {
				p.askOrigin(ctx, u, &a)
			}
			return a
		}
		elapsed := p.o.Now().Sub(first)
		if ctx.Err() != nil || elapsed >= p.o.StaleRetryFor {
			break
		}
		if err := p.o.Sleep(ctx, min(p.o.RetryInterval, p.o.StaleRetryFor-elapsed)); err != nil {
			break
		}
	}
	stale.Attempts = c.Attempts
	stale.Reason += fmt.Sprintf(", still so after %d requests over %s", c.Attempts, p.o.Now().Sub(first).Round(time.Second))
	return *stale
}

// target is the URL to request: the site's URL, or with an edge URL the same path on
// the edge's scheme and port. The second result says why it cannot be requested.
func (p *prober) target(raw string) (*request, string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "not an http(s) URL with a host"
	}
	if u.User != nil {
		return nil, "the URL carries user information (credentials), which is never sent; list it without"
	}
	if !p.sel.HostAllowed(u.Host) {
		return nil, fmt.Sprintf("the environment selects only %s; this URL's host %s is not one of them, so the request would not reach it", p.sel.String(), u.Hostname())
	}
	t := *u
	t.Fragment, t.RawFragment = "", ""
	r := &request{url: &t}
	if p.edge != nil {
		port := p.edge.Port()
		if port == "" {
			port = defaultPort(p.edge.Scheme)
		}
		t.Scheme = p.edge.Scheme
		t.Host = net.JoinHostPort(u.Hostname(), port)
		r.host = u.Host // the site's own host (and port, if the URL had one), not the edge's
	}
	return r, ""
}

// request is where to send one URL: url's host is the site's (the TLS server name and
// the certificate check) and its port the one to connect to; host, if set, is the Host
// header.
type request struct {
	url  *url.URL
	host string
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// attempt sends one request and judges its answer.
func (p *prober) attempt(ctx context.Context, r *request) result.URLCheck {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return result.URLCheck{Verdict: result.VerdictNotVerified, Reason: runEnded(ctx) + " before it could be requested"}
	}
	defer func() { <-p.sem }()
	limit := int64(bodyLimit)
	if p.o.Expect.Body != "" {
		limit = MaxBody
	}
	a := p.send(ctx, r, limit)
	if a.Failure != "" {
		return result.URLCheck{Verdict: result.VerdictNotVerified, Reason: a.Failure}
	}
	resp := &http.Response{StatusCode: a.Status, Header: a.Header}
	c := p.judge(resp)
	p.expect(&c, a)
	return c
}

// send sends one GET and reads at most limit bytes of the body: what every
// request to a site (verification, wait, warm) goes through.
func (p *prober) send(ctx context.Context, r *request, limit int64) Answer {
	u := r.url
	rctx, cancel := context.WithTimeout(ctx, p.o.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Answer{Failure: "cannot build the request: " + err.Error()}
	}
	// A fresh header: only what the package comment lists.
	req.Header = http.Header{"User-Agent": {UserAgent}}
	for name, v := range p.sel.Headers {
		req.Header.Set(name, v)
	}
	if ck := p.sel.CookieHeader(); ck != "" {
		req.Header.Set("Cookie", ck)
	}
	req.Host = r.host
	host := req.Host
	if host == "" {
		host = u.Host
	}
	sel := p.sel.String()
	if sel == "" {
		sel = "no selector"
	}
	p.o.Debugf("%s %s: GET %s (Host %s, %s)", cmp.Or(p.what, "verify"), p.env, u, host, sel)
	resp, err := p.client.Do(req)
	if err != nil {
		return Answer{Failure: failure(ctx, err, p.o.RequestTimeout, u.Hostname())}
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, Header: resp.Header}
	if limit > bodyLimit {
		body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil && ctx.Err() == nil && rctx.Err() != nil {
			// The answer came but its body did not in time: judged on what came.
			p.o.Debugf("%s %s: GET %s: body cut short: %v", cmp.Or(p.what, "verify"), p.env, u, err)
		}
		a.Truncated = int64(len(body)) > limit
		a.Body = body[:min(int64(len(body)), limit)]
	} else {
		_, _ = io.CopyN(io.Discard, resp.Body, limit)
	}
	return a
}

// bound is a check as reports may show it: every text an answer brought (Location,
// CF-Cache-Status, a reason that quotes the site or an error, what it and its
// origin served of the expectation) through siteText,
// once the check is judged. The one place where a site's text enters a result.
func (o *Options) bound(c result.URLCheck) result.URLCheck {
	c.Location = o.siteText(c.Location, maxLocation)
	c.CacheStatus = o.siteText(c.CacheStatus, maxCacheStatus)
	c.Reason = o.siteText(c.Reason, maxReason)
	c.Seen = o.siteText(c.Seen, maxSeen)
	c.OriginSeen = o.siteText(c.OriginSeen, maxSeen)
	return c
}

// SiteText is siteText for the packages that report what a site sent through
// a Fetcher or why it could not be reached (wait, warm): redacted, cleaned,
// then cut to 500 characters.
func (o Options) SiteText(s string) string {
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	return o.siteText(s, maxReason)
}

// BoundWait is a wait's check as reports may show it: what the site sent
// through siteText, as bound does for a verification's.
func (o Options) BoundWait(c result.WaitCheck) result.WaitCheck {
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	c.CacheStatus = o.siteText(c.CacheStatus, maxCacheStatus)
	c.Seen = o.siteText(c.Seen, maxSeen)
	c.Reason = o.siteText(c.Reason, maxReason)
	return c
}

// siteText is text from a site (or the API) made fit to print: valid UTF-8, line
// breaks and tabs made spaces, other control and format characters (bidirectional
// overrides, zero-width characters: they hide or reorder text) removed, the run's
// secrets redacted, then cut to at most n characters. Redaction runs before the
// cut, and again after cleaning, which may join a secret that invisible
// characters split.
func (o *Options) siteText(s string, n int) string {
	if s == "" {
		return s
	}
	s = o.Redact(strings.ToValidUTF8(s, "\uFFFD"))
	return cut(o.Redact(clean(s)), n)
}

// clean makes s one line of visible text (see siteText).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// cut shortens s to n characters, the last an ellipsis marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	k := 0
	for i := range s {
		if k == n-1 {
			return s[:i] + "…"
		}
		k++
	}
	return s
}

// failure says in words why a request got no answer.
func failure(ctx context.Context, err error, timeout time.Duration, host string) string {
	var dnsErr *net.DNSError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var certErr *tls.CertificateVerificationError
	switch {
	case ctx.Err() != nil:
		return runEnded(ctx) + " before an answer"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer within %s", timeout)
	case errors.As(err, &hostErr):
		return fmt.Sprintf("TLS: the certificate is not valid for %s (%v)", host, hostErr)
	case errors.As(err, &authErr):
		return fmt.Sprintf("TLS: the certificate for %s is signed by an unknown authority", host)
	case errors.As(err, &certErr):
		return fmt.Sprintf("TLS: the certificate for %s could not be verified (%v)", host, certErr.Err)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS: %v", dnsErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	// Go quotes the bytes of an answer it cannot read ("malformed MIME header line:
	// \"...\""), escaped so that no redaction can find a secret in them: they are
	// left out.
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		msg = strings.TrimRight(msg[:i], ": ") + " (the answer's text is not shown)"
	}
	return "could not fetch it: " + msg
}

// runEnded says why the run's context ended: its deadline, or a cancel
// (SIGTERM, SIGINT).
func runEnded(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.Canceled) {
		return "the run was cancelled"
	}
	return "the run's deadline passed"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// judge turns an answer into a verdict (docs/behaviour.md, "Verification").
func (p *prober) judge(resp *http.Response) result.URLCheck {
	c := result.URLCheck{HTTPStatus: resp.StatusCode}
	c.CacheStatus = strings.ToUpper(strings.TrimSpace(resp.Header.Get("CF-Cache-Status")))
	if s := strings.TrimSpace(resp.Header.Get("Age")); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			c.Age = &n
		}
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.StatusCode != http.StatusNotModified:
		c.Verdict = result.VerdictRedirect
		c.Location = resp.Header.Get("Location")
		c.Reason = "a redirect is not judged; purge its destination too"
		return c
	case resp.StatusCode >= 500:
		c.Verdict = result.VerdictNotVerified
		c.Reason = fmt.Sprintf("the site answered %d", resp.StatusCode)
		return c
	case resp.StatusCode >= 400 && c.CacheStatus == "":
		// An error page without CF-Cache-Status did not come from the cache (a firewall
		// rule, a challenge): it counts not cached, and says why.
		c.Verdict = result.VerdictNotCached
		c.Reason = fmt.Sprintf("the site answered %d without CF-Cache-Status: not served from Cloudflare's cache (blocked before it?)", resp.StatusCode)
		return c
	}
	// Other 4xx with a cache status are judged like any answer: Cloudflare caches 404s.
	switch c.CacheStatus {
	case "HIT":
		if c.Age == nil {
			c.Verdict = result.VerdictNotVerified
			c.Reason = "HIT without an Age header: cannot tell whether the copy predates the purge"
			return c
		}
		since := p.o.Now().Sub(p.purgedAt).Seconds()
		if float64(*c.Age) <= since+1 {
			c.Verdict = result.VerdictVerified
			c.Reason = "cached again since the purge"
			return c
		}
		c.Verdict = result.VerdictStale
		c.Reason = fmt.Sprintf("HIT with Age %d s, but the environment's first request to Cloudflare was sent %d s ago: this copy predates it", *c.Age, int(since))
	case "MISS", "EXPIRED", "REVALIDATED":
		c.Verdict = result.VerdictVerified
	case "UPDATING":
		// The copy was marked expired (the purge took effect); this once Cloudflare
		// served it while fetching a new one.
		c.Verdict = result.VerdictVerified
		c.Reason = "an expired copy was served while Cloudflare fetched a new one; the next request gets it"
	case "STALE":
		// Expired too, but served because the origin could not be reached.
		c.Verdict = result.VerdictVerified
		c.Reason = "an expired copy was served because the origin did not answer; visitors see it until the origin does"
	case "DYNAMIC", "BYPASS", "NONE/UNKNOWN", "NONE", "UNKNOWN", "":
		c.Verdict = result.VerdictNotCached
		if c.CacheStatus == "" {
			c.Reason = "no CF-Cache-Status: not served through Cloudflare's cache"
		} else {
			c.Reason = "not cached at the edge; nothing to verify"
		}
	default:
		c.Verdict = result.VerdictNotVerified
		// Quoted as is, not escaped (%q): bound cleans it, and an escape
		// would hide from redaction a secret that invisible characters split.
		c.Reason = `unknown CF-Cache-Status "` + c.CacheStatus + `"`
	}
	return c
}
