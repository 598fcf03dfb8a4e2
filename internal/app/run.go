package app

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/purge"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
	"github.com/cloudflare-purge/cloudflare-purge/internal/selector"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// runner holds what one run needs besides its configuration.
type runner struct {
	env Env
	log logger
	// verify is where verification requests go: the sandbox routes them
	// to the emulator's edge in-process.
	verify verify.Options
	// mask registers secrets learned during the run: masked in the log
	// from now on (::add-mask:: in the action) and hidden in everything
	// written. Nil: nowhere.
	mask func(secrets ...string)
	// redact hides the run's secrets: verification redacts a site's text
	// before it cuts it.
	redact func(string) string
}

// maskSelectorCredentials masks the values that the environments'
// expressions match in credential headers and cookies (Authorization,
// Cookie, a session token): verification sends them, nothing prints them.
func (rn runner) maskSelectorCredentials(targets []resolve.Target) {
	if rn.mask == nil {
		return
	}
	for _, t := range targets {
		if sel, err := selector.Parse(t.Expression); err == nil {
			if s := sel.Secrets(); len(s) > 0 {
				rn.mask(s...)
			}
		}
	}
}

// run is the whole flow: config -> plan -> resolve -> purge -> verify ->
// result. It always returns a result, also when the run fails: every
// planned item ends purged or failed.
func (rn runner) run(ctx context.Context, src config.Source) (r *result.Result) {
	start := time.Now()
	r = &result.Result{}
	defer func() { r.Finish(time.Since(start)) }()
	defer func() {
		// A bug must not cost the outputs and the summary, nor print a
		// panic past the redactor.
		if p := recover(); p != nil {
			rn.log.Debugf("%s", debug.Stack())
			rn.stop(r, fmt.Errorf("internal error (please report it with the debug log): %v", p))
		}
	}()

	cfg, err := config.LoadContext(ctx, src)
	if err != nil {
		r.Error = result.NewError(err)
		printLines(rn.log, report.RunErrorLines(r.Error))
		return r
	}
	if cfg.Skipped != "" {
		// Nothing to resolve, plan or send: the outputs and the summary
		// say that the run was skipped, and why.
		r.Skipped, r.SkipQuietly = cfg.Skipped, cfg.IfNoCredentials == config.NoCredentialsIgnore
		printLines(rn.log, report.SkipLines(r))
		return r
	}
	r.DryRun, r.Invalidate, r.Verify = cfg.DryRun, cfg.Invalidate, cfg.Verify && !cfg.DryRun
	r.Warm = cfg.Warm && !cfg.DryRun
	r.Expect = expectation(cfg).String()
	if rw := cfg.Rewrites; rw.Count > 0 {
		rn.log.Infof("%s sent as the cache keys they name (host in lower-case ASCII, no default port, no fragment), as clients request them: %s is sent as %s",
			plural(rw.Count, "URL is", "URLs are"), rw.Given, rw.Sent)
	}
	if u, err := url.Parse(cfg.APIURL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		rn.log.Warningf("api-url %s is plain http to another machine: the credentials travel unencrypted; use https", u.Redacted())
	}
	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.Timeout))
	defer cancel()
	client, pacer := rn.client(cfg)
	zoneID, zonePlan, err := rn.zone(ctx, r, cfg, client, pacer != nil)
	if err != nil {
		return rn.stopUnplanned(r, cfg, zonePlan, err)
	}
	// The zone's plan sizes its URL batches; a size it refuses is refused
	// before the environments are even read.
	per, err := plan.FilesPerRequest(zonePlan, cfg.FilesPerRequest, cfg.CLI)
	if err != nil {
		return rn.stopUnplanned(r, cfg, zonePlan, err)
	}
	targets, err := resolve.Targets(ctx, client, zoneID, !cfg.ZoneIsID, cfg.Environments)
	if err != nil {
		return rn.stopUnplanned(r, cfg, zonePlan, err)
	}
	rn.maskSelectorCredentials(targets)
	batches := plan.Build(cfg.Items, per)
	resolved := make([]result.Environment, len(targets))
	for i, t := range targets {
		resolved[i] = result.Environment{Name: t.Name, Ref: t.Ref, Endpoint: result.EndpointEnvironment}
		if t.IsZone() {
			resolved[i].Endpoint = result.EndpointZone
		}
	}
	r.Environments = result.Layout(resolved, plan.Layout(batches))
	printLines(rn.log, report.PlanLines(r))

	// The pacer learns the plan just before the purges: its model of the
	// bucket starts a margin below the account's full bucket, and would
	// refill into the margin while the run did other work.
	if pacer != nil {
		pacer.UsePlan(zonePlan)
	} else {
		// A test's pacer: the estimate is still the pacer's model of the plan.
		pacer = pace.New(pace.Options{Plan: zonePlan})
	}
	limit, _ := plan.FilesLimit(zonePlan)
	tooLong := rn.tooLong(ctx, cfg, pacer, batches, len(targets), limit)
	if cfg.DryRun {
		if tooLong != nil {
			rn.log.Warningf("Without dry-run, this run would be refused: %v", tooLong)
		}
		what := "purge"
		if cfg.Invalidate {
			what = "invalidation"
		}
		rn.log.Infof("Dry run: no %s request sent", what)
		if cfg.Verify {
			rn.log.Infof("Dry run: nothing to verify")
		}
		if cfg.Wait > 0 {
			rn.log.Infof("Dry run: no wait for the new build")
		}
		return r
	}
	// A run that cannot finish is refused before the wait too: waiting
	// for it would only cost time.
	if tooLong != nil {
		return rn.stop(r, tooLong)
	}
	if cfg.Wait > 0 {
		if !rn.waitRun(ctx, r, cfg, targets) {
			return r
		}
		// The wait took part of the time the purges were estimated in.
		if err := rn.tooLong(ctx, cfg, pacer, batches, len(targets), limit); err != nil {
			return rn.stop(r, err)
		}
	}
	sent := make(firstSends, len(r.Environments))
	purge.Run(ctx, client, zoneID, batches, r.Environments, purge.Options{
		Progress: progress(rn.log, len(targets)*len(batches)), Invalidate: cfg.Invalidate, Context: sent.hook,
	})
	for i := range r.Environments {
		r.Environments[i].FirstSentAt = sent.at(i)
	}
	if cfg.Verify {
		o := rn.siteOptions(cfg)
		rn.verifyRun(ctx, r, cfg, targets, o)
		if o.Expect.IsSet() {
			rn.repurge(ctx, r, client, zoneID, cfg, targets, o)
		}
	}
	if cfg.Warm {
		rn.warmRun(ctx, r, client, cfg, targets)
	}
	return r
}

// zoneReadTimeout bounds the read of a zone's plan, retries included.
const zoneReadTimeout = 10 * time.Second

// client is the run's Cloudflare client, and its pacer when it is the
// run's own (nil when a test gave one).
func (rn runner) client(cfg *config.Config) (*cloudflare.Client, *pace.Pacer) {
	h := rn.env.hooks
	pacer := h.pacer
	var own *pace.Pacer
	if pacer == nil {
		own = pace.New(pace.Options{Now: h.now, Sleep: h.sleep})
		pacer = own
	}
	return cloudflare.New(cloudflare.Options{
		BaseURL:        cfg.APIURL,
		Credentials:    cloudflare.Credentials{Token: cfg.Auth.Token, Key: cfg.Auth.Key, Email: cfg.Auth.Email},
		HTTPClient:     h.httpClient,
		RequestTimeout: h.requestTimeout,
		Retry:          retry.Default(cfg.MaxRetries),
		Sleep:          h.sleep,
		Pacer:          pacer,
		Debugf:         rn.log.Debugf,
	}), own
}

// zone is the zone's ID, as given or looked up by name, and its plan ("":
// unknown), which sizes the URL batches and names the account's purge
// budget to the pacer. The lookup by name has it; for an ID, a read of the
// zone (Zone Read, which a purge does not need: without it, batches of 30
// URLs, which every plan takes, and the pacer paces from the answers).
func (rn runner) zone(ctx context.Context, r *result.Result, cfg *config.Config, client *cloudflare.Client, ownPacer bool) (id, zonePlan string, err error) {
	if cfg.ZoneIsID {
		r.ZoneID = cfg.Zone
		// Read when the plan changes something: the size of the URL
		// batches (not asked for, or more than every plan takes), the
		// pacer's budget. A hint, not a step of the run: a slow or failing
		// read costs the purge little.
		sizes := len(cfg.Items.Files) > 0 && (cfg.FilesPerRequest == 0 || cfg.FilesPerRequest > plan.OtherFilesPerRequest)
		if !sizes && (!ownPacer || cfg.DryRun) {
			return cfg.Zone, "", nil
		}
		zctx, cancel := context.WithTimeout(ctx, zoneReadTimeout)
		defer cancel()
		if z, err := client.Zone(zctx, cfg.Zone); err == nil {
			zonePlan = z.Plan
		} else if len(cfg.Items.Files) > 0 && cfg.FilesPerRequest == 0 {
			set := "set files-per-request: %d"
			if cfg.CLI {
				set = "give --files-per-request %d"
			}
			rn.log.Infof("The zone's plan could not be read (%v): URLs go %d per request, as every plan takes them; "+
				"on Enterprise, give the token Zone > Zone Read, or "+set, err, plan.OtherFilesPerRequest, plan.EnterpriseFilesPerRequest)
		} else {
			rn.log.Debugf("the zone's plan is unknown (%v): pacing from the answers", err)
		}
	} else {
		r.ZoneName = cfg.Zone
		rn.log.Infof("Looking up zone %q", cfg.Zone)
		z, err := resolve.Zone(ctx, client, cfg.Zone, cfg.AccountID)
		if err != nil {
			return "", "", err
		}
		r.ZoneID, zonePlan = z.ID, z.Plan
	}
	return r.ZoneID, zonePlan, nil
}

// tooLong is the refusal of a run that the zone's purge budgets, or
// Cloudflare's API-wide limit, cannot let through before its deadline even
// from full buckets (pace.Need's floor); nil when it may fit.
// limit is the most URLs per request the zone's plan takes.
func (rn runner) tooLong(ctx context.Context, cfg *config.Config, p *pace.Pacer, batches []plan.Batch, envs, limit int) error {
	deadline, ok := ctx.Deadline()
	if !ok || len(batches) == 0 {
		return nil
	}
	// The calls in the order they go: environment, then batch.
	calls := make([]pace.Call, 0, envs*len(batches))
	files, sum := false, 0
	for range envs {
		for _, b := range batches {
			c := pace.Call{Purge: true}
			if b.Kind == result.KindFiles || b.Kind == result.KindFilesWithHeaders {
				c.URLs, files = b.Count(), true
			}
			calls = append(calls, c)
			sum += b.Count()
		}
	}
	left := time.Until(deadline)
	need, what := p.Need(calls)
	if need <= left {
		return nil
	}
	// The most calls, in the order they go, that fit in the time left.
	fit := sort.Search(len(calls)+1, func(n int) bool {
		d, _ := p.Need(calls[:n])
		return d > left
	}) - 1
	fitItems := 0
	for i := range fit {
		fitItems += batches[i%len(batches)].Count()
	}
	naming := func(in string) string {
		if cfg.CLI {
			return "--" + in
		}
		return in
	}
	var ways []string
	timeout := cfg.Timeout - left + need // the time spent so far, then the need
	timeout = (timeout + 10*time.Second).Truncate(10 * time.Second)
	ways = append(ways, fmt.Sprintf("a %s of %s or more", naming(config.InputTimeout), timeout))
	if files && cfg.FilesPerRequest > 0 && cfg.FilesPerRequest < limit {
		ways = append(ways, fmt.Sprintf("an empty %s (%d URLs per request, the most the zone's plan takes)", naming(config.InputFilesPerRequest), limit))
	}
	// A prefix, host or tag stands for many URLs, unless their own
	// budget is what binds.
	var others []pace.Call
	for _, c := range calls {
		if c.URLs == 0 {
			others = append(others, c)
		}
	}
	if d, _ := p.Need(others); files && d <= left {
		ways = append(ways, "prefixes, hosts or tags instead of many URLs (one stands for many)")
	}
	ways = append(ways, fmt.Sprintf("at most %s of its %s (%d of %d requests)", report.Number(fitItems), report.Count(sum, "item"), fit, len(calls)))
	return &refusal{fmt.Sprintf("this run cannot finish before its timeout, so nothing was sent: its %s need at least %s under %s, and %s %s leaves %s. What fits: %s",
		report.Count(len(calls), "purge request"), roundUp(need), what, naming(config.InputTimeout), cfg.Timeout, left.Round(100*time.Millisecond), strings.Join(ways, "; or "))}
}

// roundUp rounds a wait up to a tenth of a second (up: it is a floor).
func roundUp(d time.Duration) time.Duration {
	const unit = 100 * time.Millisecond
	return (d + unit - 1).Truncate(unit)
}

// refusal is a run refused before its first purge because the account
// cannot carry it out: exit code 2, as for the configuration.
type refusal struct{ msg string }

func (e *refusal) Error() string     { return e.msg }
func (e *refusal) ErrorKind() string { return result.KindConfiguration }

// isLoopback tells whether host is this machine: plain http there (the
// emulator, a local proxy) exposes nothing.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// stopUnplanned is stop for a run that ended before its batches were
// planned: its items, in the environments as asked, are laid out at the
// size the zone's plan (if known) gives, and fail.
func (rn runner) stopUnplanned(r *result.Result, cfg *config.Config, zonePlan string, err error) *result.Result {
	per, perErr := plan.FilesPerRequest(zonePlan, cfg.FilesPerRequest, cfg.CLI)
	if perErr != nil {
		per, _ = plan.FilesLimit(zonePlan)
	}
	asked := make([]result.Environment, 0, len(cfg.Environments))
	for _, name := range cfg.Environments {
		asked = append(asked, result.Environment{Name: name})
	}
	if len(asked) == 0 {
		asked = append(asked, result.Environment{Name: resolve.Production})
	}
	r.Environments = result.Layout(asked, plan.Layout(plan.Build(cfg.Items, per)))
	return rn.stop(r, err)
}

// stop records a run that ended before its purges, and logs why.
func (rn runner) stop(r *result.Result, err error) *result.Result {
	r.Stop(result.NewError(err))
	printLines(rn.log, report.RunErrorLines(r.Error))
	return r
}

// progress logs long purges every few seconds, not every request.
func progress(log logger, total int) func(result.Progress) {
	if total < 10 {
		return nil
	}
	var last time.Duration
	return func(p result.Progress) {
		if p.Done != p.Total && p.Elapsed-last < 2*time.Second {
			return
		}
		last = p.Elapsed
		log.Infof("%s", report.ProgressLine(p))
	}
}

// plural is "1 URL is" or "3 URLs are".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
