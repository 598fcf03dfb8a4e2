package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/selector"
)

// defaultHistory is how many requests and purges `emulate` keeps: a
// long-running emulator must not grow without bound.
const defaultHistory = 1000

const defaultEdgeListen = "127.0.0.1:8788"

const emulateUsageHead = `cloudflare-purge emulate serves the emulator of the Cloudflare API, and the edge of
its zone example.com, until interrupted (Ctrl-C).

The zone and its environments are those of the example in Cloudflare's docs
("Purge zone versions via API"):
  Production   12abcd3e45f678940a573f51834a54  every request no other environment selects
  Staging      5d41402abc4b2a76b9719d911017c   requests that reach edge IP 1.2.3.4 or 5.6.7.8
  Development  49f0bad299687c62334182178bfd    requests with the cookie development=true
It accepts one API token: the sandbox token, printed at start.

The edge serves any path of example.com and its subdomains (send the host in the Host
header): a page cached per environment (CF-Cache-Status MISS, then HIT with Age),
evicted by the purges the API accepted (MISS again) and marked stale by its
invalidations (EXPIRED); /api/... is DYNAMIC and /old redirects to /. Pages are tagged
html, css, js or img. Behind the edge, an origin serves build v1 until --deploy-after,
then v2, in the X-Build header and in the body; /sitemap.xml lists its pages. A cached
copy keeps the build it was fetched with until a purge.

Usage:
  cloudflare-purge emulate [flags]

Checking each environment against the edge (a purge first, e.g. with
  cloudflare-purge --api-url http://127.0.0.1:8787/client/v4 --api-token sandbox-token-not-a-secret \
    --zone example.com --environment Staging --tags html --edge-url http://127.0.0.1:8788 \
    --verify --verify-urls 'https://example.com/ https://example.com/css/app.css'):
  Production   curl -sI -H 'Host: example.com' http://127.0.0.1:8788/
  Development  curl -sI -H 'Host: example.com' --cookie development=true http://127.0.0.1:8788/
  Staging      the edge must be reached on 1.2.3.4 (or 5.6.7.8), which --verify connects to on
               the port of --edge-url. Give the machine that address and serve the edge on it too:
                 sudo ip addr add 1.2.3.4/32 dev lo        (macOS: sudo ifconfig lo0 alias 1.2.3.4)
                 cloudflare-purge emulate --edge-listen 127.0.0.1:8788,1.2.3.4:8788
                 curl -sI -H 'Host: example.com' http://1.2.3.4:8788/
               and remove it afterwards (sudo ip addr del 1.2.3.4/32 dev lo). To look by hand
               without root, alias a local port instead: --edge-listen 127.0.0.1:8788,127.0.0.1:8789=1.2.3.4
               makes requests to 127.0.0.1:8789 arrive on edge IP 1.2.3.4 (curl sees Staging; --verify
               still connects to 1.2.3.4 itself).
  A stale verdict: --survive https://example.com/css/app.css keeps that page cached through every
  purge, as a copy under another cache key would be.

Flags:
`

// emulateFlags are emulate's flags in the order --help lists them, with
// the placeholder of their value. Flags of the API-wide request limit go
// after rate-limits.
var emulateFlags = []struct{ name, placeholder string }{
	{"listen", "ADDR"}, {"edge-listen", "ADDR[=IP],..."}, {"plan", "PLAN"}, {"rate-limits", ""},
	{"api-limit", "QUOTA/WINDOW[/BLOCK]"}, {"survive", "URL"}, {"latency", "DURATION"}, {"history", "N"},
	{"deploy-after", "DURATION"}, {"ignore-query-string", ""}, {"origin-delay", "DURATION"},
}

// edgeAddr is one address the edge is served on; as, when valid, is the edge IP
// the requests that reach it are taken to have reached.
type edgeAddr struct {
	listen string
	as     netip.Addr
}

// emulateConfig is what emulate's flags ask for.
type emulateConfig struct {
	listen string
	edge   []edgeAddr // none: no edge
	opts   emulator.Options
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// parseEmulate reads emulate's flags (args after "emulate"). For --help it
// prints the usage on stdout and returns flag.ErrHelp.
func parseEmulate(args []string, stdout io.Writer) (emulateConfig, error) {
	fs := flag.NewFlagSet("cloudflare-purge emulate", flag.ContinueOnError)
	// emulate prints errors, once; the usage only for --help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	listen := fs.String("listen", "127.0.0.1:8787", "address to serve the API on, at /client/v4 (default 127.0.0.1:8787)")
	edgeListen := fs.String("edge-listen", defaultEdgeListen, "addresses to serve the edge on, comma-separated, or off; ADDR=IP makes requests to ADDR arrive on edge IP IP "+
		"(default "+defaultEdgeListen+")")
	plan := fs.String("plan", "enterprise", "plan of the example.com account: free, pro, business or enterprise (default enterprise)")
	limits := fs.Bool("rate-limits", false, "enforce the plan's purge rate limits (429 + code 1134)")
	apiLimit := fs.String("api-limit", "1200/5m/5m", "Cloudflare's API-wide limit, always announced in the Ratelimit headers and enforced: QUOTA calls per WINDOW per credential, "+
		"then every call refused (429 + code 971) for BLOCK; scale it down to reach it, such as 100/10s (default 1200/5m/5m)")
	var survivors stringList
	fs.Var(&survivors, "survive", "a URL whose copy at the edge survives every purge and invalidation (repeatable)")
	latency := fs.Duration("latency", 0, "delay added to every API response, such as 50ms")
	deployAfter := fs.Duration("deploy-after", 0, "the origin serves its new build ("+emulator.BuildHeader+": v2, and in the body) from this long after the start, the old one (v1) before (default 0: v2 from the start)")
	ignoreQuery := fs.Bool("ignore-query-string", false, "the edge's cache key ignores the query string (a zone's \"Ignore query string\" cache level): /a?x=1 is /a's copy")
	originDelay := fs.Duration("origin-delay", 0, "delay of every answer the origin gives (a MISS, an EXPIRED, a DYNAMIC page), such as 200ms")
	history := fs.Int("history", defaultHistory, fmt.Sprintf("how many requests and purges to keep, each, 0 for all (default %d)", defaultHistory))
	err := fs.Parse(args)
	if err == nil {
		err = strayArgument(fs, args, func(string) string { return "emulate takes only flags" })
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, emulateUsageHead)
		order := make([]string, len(emulateFlags))
		placeholder := map[string]string{}
		for i, f := range emulateFlags {
			order[i], placeholder[f.name] = f.name, f.placeholder
		}
		printFlags(stdout, fs, order, func(fl *flag.Flag) string { return placeholder[fl.Name] })
		return emulateConfig{}, err
	}
	if err != nil {
		return emulateConfig{}, err
	}
	if *deployAfter < 0 || *originDelay < 0 {
		return emulateConfig{}, fmt.Errorf("--deploy-after and --origin-delay take a duration of 0 or more, such as 5s")
	}
	if *history < 0 {
		return emulateConfig{}, fmt.Errorf("--history %d: must be 0 (keep all) or more", *history)
	}
	pl, err := emulator.ParsePlan(*plan)
	if err != nil {
		return emulateConfig{}, fmt.Errorf("--plan %q: must be free, pro, business or enterprise", *plan)
	}
	al, err := emulator.ParseAPILimit(*apiLimit)
	if err != nil {
		return emulateConfig{}, fmt.Errorf("--api-limit: %w", err)
	}
	edge, err := parseEdgeListen(*edgeListen)
	if err != nil {
		return emulateConfig{}, err
	}
	for _, u := range survivors {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return emulateConfig{}, fmt.Errorf("--survive %q: give a full URL, such as https://example.com/css/app.css", u)
		}
	}
	return emulateConfig{listen: *listen, edge: edge, opts: emulator.Options{
		Plan: pl, RateLimits: *limits, APILimit: al, Latency: *latency, History: *history, Survivors: survivors,
		Origin: emulator.Origin{DeployAfter: *deployAfter, IgnoreQuery: *ignoreQuery, Delay: *originDelay},
	}}, nil
}

// parseEdgeListen reads --edge-listen: "off", or ADDR[=IP] items separated by commas.
func parseEdgeListen(v string) ([]edgeAddr, error) {
	if strings.EqualFold(strings.TrimSpace(v), "off") {
		return nil, nil
	}
	var out []edgeAddr
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		addr, ip, alias := strings.Cut(item, "=")
		if addr == "" {
			return nil, fmt.Errorf("--edge-listen %q: give addresses such as 127.0.0.1:8788, comma-separated, or off", v)
		}
		a := edgeAddr{listen: addr}
		if alias {
			var err error
			if a.as, err = netip.ParseAddr(ip); err != nil {
				return nil, fmt.Errorf("--edge-listen %q: after = give the edge IP the requests arrive on, such as 1.2.3.4: %w", item, err)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// aliasListener makes its connections' LocalAddr the edge IP as (port kept), so
// that the edge sees them arrive on it.
type aliasListener struct {
	net.Listener
	as netip.Addr
}

func (l aliasListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	port := uint16(0)
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		port = uint16(a.Port)
	}
	return aliasConn{Conn: c, local: net.TCPAddrFromAddrPort(netip.AddrPortFrom(l.as, port))}, nil
}

type aliasConn struct {
	net.Conn
	local net.Addr
}

func (c aliasConn) LocalAddr() net.Addr { return c.local }

// emulate serves the emulator's API and edge until ctx ends (Ctrl-C) or
// one of them fails.
func emulate(ctx context.Context, env Env) int {
	cfg, err := parseEmulate(env.Args[1:], env.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case err != nil:
		fmt.Fprintf(env.Stderr, "error: %v\nRun cloudflare-purge emulate --help for usage.\n", err)
		return ExitConfig
	}
	var listeners []net.Listener
	closeAll := func() {
		for _, ln := range listeners {
			_ = ln.Close()
		}
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: --listen %q: %v\n", cfg.listen, err)
		return ExitConfig
	}
	listeners = append(listeners, ln)
	var edgeURLs []string
	for _, a := range cfg.edge {
		eln, err := net.Listen("tcp", a.listen)
		if err != nil {
			closeAll()
			hint := ""
			if ip, _, _ := net.SplitHostPort(a.listen); ip != "" && !strings.HasPrefix(ip, "127.") && ip != "localhost" {
				hint = " (is that address this machine's? See emulate --help for giving it 1.2.3.4)"
			}
			fmt.Fprintf(env.Stderr, "error: --edge-listen %q: %v%s\n", a.listen, err, hint)
			return ExitConfig
		}
		listeners = append(listeners, eln)
		u := "http://" + eln.Addr().String()
		if a.as.IsValid() {
			eln = aliasListener{Listener: eln, as: a.as}
			listeners[len(listeners)-1] = eln
			u += " (as edge IP " + a.as.String() + ")"
		}
		edgeURLs = append(edgeURLs, u)
	}

	cfg.opts.Log = env.Stderr
	em := emulator.New(cfg.opts)
	fmt.Fprint(env.Stderr, emulateBanner(cfg, ln.Addr().String(), edgeURLs))

	servers := make([]*http.Server, len(listeners))
	errc := make(chan error, len(listeners))
	for i, l := range listeners {
		var h http.Handler = em
		if i > 0 {
			h = em.Edge()
		}
		servers[i] = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- servers[i].Serve(l) }()
	}
	// Until Ctrl-C, or until a server fails: then the others stop too, and
	// every Serve has returned before emulate does.
	var failed error
	pending := len(servers)
	select {
	case <-ctx.Done():
	case err := <-errc:
		pending--
		failed = err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shutdown)
	}
	for ; pending > 0; pending-- {
		if err := <-errc; failed == nil && !errors.Is(err, http.ErrServerClosed) {
			failed = err
		}
	}
	if failed != nil && !errors.Is(failed, http.ErrServerClosed) {
		fmt.Fprintf(env.Stderr, "error: serving stopped: %v\n", failed)
		return ExitFailed
	}
	return ExitOK
}

// emulateBanner says what is served where: the API, the zone with its plan and
// whether rate limits are on, the environments and how each is selected, the edge.
func emulateBanner(cfg emulateConfig, apiAddr string, edgeURLs []string) string {
	var b strings.Builder
	limits := "off"
	if cfg.opts.RateLimits {
		limits = "on"
	}
	fmt.Fprintf(&b, "Emulating the Cloudflare API at http://%s/client/v4 (token %q)\n", apiAddr, emulator.SandboxToken)
	fmt.Fprintf(&b, "  zone %s (id %s), plan %s, purge rate limits %s, API-wide limit %s\n", emulator.ExampleZoneName, emulator.ExampleZoneID, cfg.opts.Plan, limits, cfg.opts.APILimit)
	for _, env := range emulator.ExampleEnvironments() {
		how := "every request no other environment selects"
		if env.Name != "Production" {
			how = "not selectable"
			if s, err := selector.Parse(env.Expression); err == nil {
				how = s.String()
			}
		}
		fmt.Fprintf(&b, "  environment %-11s %s: %s\n", env.Name, env.Ref, how)
	}
	o := cfg.opts.Origin
	origin := "build v2"
	if o.DeployAfter > 0 {
		origin = fmt.Sprintf("build v1, v2 from %s after the start", o.DeployAfter)
	}
	if o.IgnoreQuery {
		origin += "; the cache key ignores the query string"
	}
	fmt.Fprintf(&b, "  origin: %s (header %s and in the body); /sitemap.xml lists its pages\n", origin, emulator.BuildHeader)
	if len(cfg.opts.Survivors) > 0 {
		fmt.Fprintf(&b, "  surviving every purge: %s\n", strings.Join(cfg.opts.Survivors, ", "))
	}
	if len(edgeURLs) == 0 {
		b.WriteString("Edge: off (--edge-listen off)\n")
	} else {
		fmt.Fprintf(&b, "Edge of %s at %s (send Host: %s)\n", emulator.ExampleZoneName, strings.Join(edgeURLs, ", "), emulator.ExampleZoneName)
	}
	return b.String()
}
