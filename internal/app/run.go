package app

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"runtime/debug"
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
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// runner holds what one run needs besides its configuration.
type runner struct {
	env Env
	log logger
	// verify is where verification requests go: the sandbox routes them
	// to the emulator's edge in-process.
	verify verify.Options
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
	if u, err := url.Parse(cfg.APIURL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		rn.log.Warningf("api-url %s is plain http to another machine: the credentials travel unencrypted; use https", u.Redacted())
	}
	batches := plan.Build(cfg.Items, cfg.FilesPerRequest)
	layout := plan.Layout(batches)
	// Until they are resolved, the environments are as asked.
	asked := make([]result.Environment, 0, len(cfg.Environments))
	for _, name := range cfg.Environments {
		asked = append(asked, result.Environment{Name: name})
	}
	if len(asked) == 0 {
		asked = append(asked, result.Environment{Name: resolve.Production})
	}
	r.Environments = result.Layout(asked, layout)

	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.Timeout))
	defer cancel()
	client, ownPacer := rn.client(cfg)
	zoneID, err := rn.zone(ctx, r, cfg, client, ownPacer)
	if err != nil {
		return rn.stop(r, err)
	}
	targets, err := resolve.Targets(ctx, client, zoneID, !cfg.ZoneIsID, cfg.Environments)
	if err != nil {
		return rn.stop(r, err)
	}
	resolved := make([]result.Environment, len(targets))
	for i, t := range targets {
		resolved[i] = result.Environment{Name: t.Name, Ref: t.Ref, Endpoint: result.EndpointEnvironment}
		if t.IsZone() {
			resolved[i].Endpoint = result.EndpointZone
		}
	}
	r.Environments = result.Layout(resolved, layout)
	printLines(rn.log, report.PlanLines(r))

	if cfg.DryRun {
		what := "purge"
		if cfg.Invalidate {
			what = "invalidation"
		}
		rn.log.Infof("Dry run: no %s request sent", what)
		if cfg.Verify {
			rn.log.Infof("Dry run: nothing to verify")
		}
		return r
	}
	if ownPacer != nil {
		rn.warnAPILimit(ctx, ownPacer, len(targets)*len(batches))
	}
	sent := make(firstSends, len(r.Environments))
	purge.Run(ctx, client, zoneID, batches, r.Environments, purge.Options{
		Progress: progress(rn.log, len(targets)*len(batches)), Invalidate: cfg.Invalidate, Context: sent.hook,
	})
	for i := range r.Environments {
		r.Environments[i].FirstSentAt = sent.at(i)
	}
	if cfg.Verify {
		o := rn.verify
		o.EdgeURL, o.Debugf = cfg.EdgeURL, rn.log.Debugf
		if h := rn.env.hooks.verifyOptions; h != nil {
			h(&o)
		}
		rn.verifyRun(ctx, r, cfg, targets, o)
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

// zone is the zone's ID: as given, or looked up by name. Either way the
// zone's plan, which names the account's purge budget, goes to the pacer:
// the lookup has it, and for an ID a read of the zone (Zone Read, which a
// purge does not need: without it, the pacer paces from the answers).
func (rn runner) zone(ctx context.Context, r *result.Result, cfg *config.Config, client *cloudflare.Client, pacer *pace.Pacer) (string, error) {
	if cfg.ZoneIsID {
		r.ZoneID = cfg.Zone
		if pacer != nil && !cfg.DryRun {
			// A hint for the pacer, not a step of the run: a slow or failing
			// read costs the purge little.
			zctx, cancel := context.WithTimeout(ctx, zoneReadTimeout)
			defer cancel()
			if z, err := client.Zone(zctx, cfg.Zone); err == nil {
				pacer.UsePlan(z.Plan)
			} else {
				rn.log.Debugf("the zone's plan is unknown (%v): pacing from the answers", err)
			}
		}
		return cfg.Zone, nil
	}
	r.ZoneName = cfg.Zone
	rn.log.Infof("Looking up zone %q", cfg.Zone)
	z, err := resolve.Zone(ctx, client, cfg.Zone, cfg.AccountID)
	if err != nil {
		return "", err
	}
	r.ZoneID = z.ID
	if pacer != nil {
		pacer.UsePlan(z.Plan)
	}
	return z.ID, nil
}

// warnAPILimit warns, before the first purge, when the purge needs more
// calls than Cloudflare's API-wide limit lets through before the run's
// deadline: the pacer will hold them to the limit (never tripping its
// block, which stops every tool of the user), and the run would end with
// items left.
func (rn runner) warnAPILimit(ctx context.Context, p *pace.Pacer, calls int) {
	need, q := p.Need(calls)
	deadline, ok := ctx.Deadline()
	if need == 0 || !ok || time.Until(deadline) >= need {
		return
	}
	rn.log.Warningf("This run sends %d API calls; Cloudflare's API-wide limit (%q: %d per %s) lets %d more through now, so it needs about %s, more than the %s its timeout leaves. "+
		"Send fewer calls (a larger files-per-request on Enterprise zones, up to 500; prefixes, hosts or tags instead of many URLs) or raise timeout",
		calls, q.Name, q.Quota, q.Window, q.Left, need.Round(time.Second), time.Until(deadline).Round(time.Second))
}

// isLoopback tells whether host is this machine: plain http there (the
// emulator, a local proxy) exposes nothing.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
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
