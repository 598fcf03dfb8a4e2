package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/purge"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/route"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
	"github.com/cloudflare-purge/cloudflare-purge/internal/wait"
	"github.com/cloudflare-purge/cloudflare-purge/internal/warm"
)

// expectation is the configuration's expectation as package verify takes it.
func expectation(cfg *config.Config) verify.Expectation {
	return verify.Expectation{Header: cfg.Expect.Header, Value: cfg.Expect.Value, Body: cfg.Expect.Body}
}

// siteOptions are the options of every request to a site: the sandbox's
// routing, the edge URL, a test's changes.
func (rn runner) siteOptions(cfg *config.Config) verify.Options {
	o := rn.verify
	o.Edge, o.Debugf, o.Redact = cfg.EdgeURL, rn.log.Debugf, rn.redact
	o.Expect = expectation(cfg)
	if h := rn.env.hooks.verifyOptions; h != nil {
		h(&o)
	}
	return o
}

// plainFiles are the first n plain URLs of the purge (files without
// headers) of each zone of r: the default verification URLs before
// anything is purged. Per zone, as the verification takes them: a zone
// whose URLs come after another's first n is waited for too.
func plainFiles(cfg *config.Config, r *result.Result, n int) []string {
	var names []string
	if r.MultiZone() {
		names = resultZoneNames(r)
	}
	taken := make([]int, max(len(names), 1))
	var out []string
	for _, f := range cfg.Items.Files {
		if len(out) == n*len(taken) {
			break
		}
		if len(f.Headers) != 0 {
			continue
		}
		z := 0
		if names != nil {
			if z = route.Zone(route.URLHost(f.URL), names); z < 0 {
				continue
			}
		}
		if taken[z] < n {
			taken[z]++
			out = append(out, f.URL)
		}
	}
	return out
}

// waitRun waits, before the first purge, until every wait URL serves the
// expectation through each environment. false: it did not, the run is
// stopped and nothing is purged.
func (rn runner) waitRun(ctx context.Context, r *result.Result, cfg *config.Config, targets []resolve.Target) bool {
	urls, bust := cfg.WaitURLs, false
	if len(urls) == 0 {
		urls, bust = cfg.VerifyURLs, true
		if len(urls) == 0 {
			urls = plainFiles(cfg, r, maxDefaultVerifyURLs)
		}
	}
	wts := make([]wait.Target, 0, len(targets))
	for i, t := range targets {
		e := r.Environments[i]
		if envURLs := zoneURLs(urls, r, e.Zone); len(envURLs) > 0 || !r.MultiZone() {
			wts = append(wts, wait.Target{Name: envName(r, e), Expression: t.Expression, URLs: envURLs, Bust: bust})
		}
	}
	o := wait.Options{Fetch: rn.siteOptions(cfg), Expect: expectation(cfg), For: cfg.Wait,
		Progress: func(p wait.Progress) { rn.log.Infof("%s", report.WaitProgressLine(p.Ready, p.Total, p.Elapsed)) }}
	if h := rn.env.hooks.waitOptions; h != nil {
		h(&o)
	}
	how := "as given"
	if bust {
		how = "each with a query parameter of its own, so that Cloudflare asks the origin"
	}
	rn.log.Infof("Waiting up to %s for the new build (%s): %s through %s, %s", cfg.Wait, o.Expect, report.Count(len(urls), "URL"), report.Count(len(wts), "environment"), how)
	w := wait.Run(ctx, wts, o)
	r.Wait = w
	if w.Status == result.WaitStatusReady {
		rn.log.Infof("%s", report.WaitDoneLine(w))
		return true
	}
	// The run's error when the wait ended without the new build.
	rn.stop(r, &result.Error{Kind: result.ErrorAPI, Step: "wait", Message: report.WaitErrorText(w)})
	return false
}

// repurge purges once more, alone, each environment's URLs found outdated
// whose origin served the new build (the first purge came before the
// deploy had landed and the old build was cached again), then verifies
// them again.
func (rn runner) repurge(ctx context.Context, r *result.Result, client *cloudflare.Client, cfg *config.Config, targets []resolve.Target, o verify.Options) {
	for i := range r.Environments {
		e := &r.Environments[i]
		v := e.Verification
		if v == nil {
			continue
		}
		var urls []string
		for _, c := range v.URLs {
			if c.Verdict == result.VerdictOutdated && c.OriginServes {
				urls = append(urls, c.URL)
			}
		}
		if len(urls) == 0 {
			continue
		}
		files := make([]config.File, len(urls))
		for k, u := range urls {
			files[k] = config.File{URL: u}
		}
		batches := plan.Build(config.Items{Files: files}, len(files))
		one := []result.Environment{{Name: e.Name, Ref: e.Ref, Endpoint: e.Endpoint}}
		one[0].Batches = plan.Layout(batches)
		verb := "purging"
		if cfg.Invalidate {
			verb = "invalidating"
		}
		rn.log.Infof("%s: %s served the old build after the %s while the origin now serves the new one: %s them once more, alone: %s",
			envName(r, *e), report.Count(len(urls), "URL"), strings.TrimSuffix(verb, "ing")+"e", verb, strings.Join(urls, ", "))
		purge.Run(ctx, client, []purge.Zone{{ID: r.ZoneOf(*e).ID, Batches: batches}}, one, purge.Options{Invalidate: cfg.Invalidate})
		b := one[0].Batches[0]
		v.Repurge = &result.Repurge{URLs: urls, Status: b.Status, ID: b.ID, Error: b.Error}
		if b.Status != result.Purged {
			continue
		}
		again := verify.Run(ctx, []verify.Target{{Name: envName(r, *e), Ref: e.Ref, Expression: targets[i].Expression, URLs: urls, PurgedAt: one[0].FirstSentAt}}, o)[0]
		for _, c := range again.URLs {
			c.Repurged = true
			if k := slices.IndexFunc(v.URLs, func(old result.URLCheck) bool { return old.URL == c.URL }); k >= 0 {
				v.URLs[k] = c
			}
		}
	}
}

// warmRun requests the warm URLs (the verification URLs and the sitemap's
// pages) through each environment that something was purged in.
func (rn runner) warmRun(ctx context.Context, r *result.Result, client *cloudflare.Client, cfg *config.Config, targets []resolve.Target) {
	o := rn.siteOptions(cfg)
	var pages []string
	if cfg.WarmSitemap != "" {
		pages = rn.sitemap(ctx, r, client, cfg, targets, o)
	}
	var wts []warm.Target
	var at []int
	for i := range r.Environments {
		e := &r.Environments[i]
		if !slices.ContainsFunc(e.Batches, func(b result.Batch) bool { return b.Status == result.Purged }) {
			e.Warm = &result.Warm{Status: result.WarmSkipped, Reason: "nothing was " + pastOf(r) + " in it", Failures: []result.WarmFailure{}}
			continue
		}
		urls := zoneURLs(cfg.VerifyURLs, r, e.Zone)
		if len(urls) == 0 {
			urls = purgedURLs(*e, maxDefaultVerifyURLs)
		}
		urls = dedupe(append(slices.Clone(urls), zoneURLs(pages, r, e.Zone)...))
		wts = append(wts, warm.Target{Name: envName(r, *e), Expression: targets[i].Expression, URLs: urls})
		at = append(at, i)
	}
	if len(wts) == 0 {
		return
	}
	total := 0
	for _, t := range wts {
		total += len(t.URLs)
	}
	rn.log.Infof("Warming the cache: %s through %s, %d at a time", report.Count(total, "request"), report.Count(len(wts), "environment"), warm.DefaultConcurrency)
	start := time.Now()
	for k, w := range warm.Run(ctx, wts, warm.Options{Fetch: o}) {
		r.Environments[at[k]].Warm = w
	}
	rn.log.Debugf("warming took %s", time.Since(start).Round(time.Millisecond))
}

// sitemap reads warm-sitemap through the first environment that can be
// selected, keeping the pages of the zone's hosts.
func (rn runner) sitemap(ctx context.Context, r *result.Result, client *cloudflare.Client, cfg *config.Config, targets []resolve.Target, o verify.Options) []string {
	zoneName := r.ZoneName
	if r.MultiZone() {
		// The pages of any of the zones: each environment warms its own
		// zone's.
		names := resultZoneNames(r)
		return rn.readSitemap(ctx, r, cfg, targets, o, func(host string) bool { return route.Zone(host, names) >= 0 })
	}
	if zoneName == "" {
		zctx, cancel := context.WithTimeout(ctx, zoneReadTimeout)
		if z, err := client.Zone(zctx, r.ZoneID); err == nil {
			zoneName = z.Name
		}
		cancel()
	}
	zoneName = strings.ToLower(strings.TrimSuffix(zoneName, "."))
	own := ""
	if u, err := url.Parse(cfg.WarmSitemap); err == nil {
		own = strings.ToLower(u.Hostname())
	}
	allowed := func(host string) bool {
		if zoneName == "" {
			return host == own // the zone's name unknown: the sitemap's own host only
		}
		return host == zoneName || strings.HasSuffix(host, "."+zoneName)
	}
	return rn.readSitemap(ctx, r, cfg, targets, o, allowed)
}

// readSitemap reads warm-sitemap through the first environment that can
// be selected, keeping the pages whose hosts allowed takes.
func (rn runner) readSitemap(ctx context.Context, r *result.Result, cfg *config.Config, targets []resolve.Target, o verify.Options, allowed func(host string) bool) []string {
	var errs []error
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	if r.MultiZone() {
		// The environments of the sitemap's own zone first: another
		// zone's selector does not reach its host.
		z := route.Zone(route.URLHost(cfg.WarmSitemap), resultZoneNames(r))
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(b2i(r.Environments[a].Zone != z), b2i(r.Environments[b].Zone != z))
		})
	}
	for _, i := range order {
		t := targets[i]
		f, err := verify.NewFetcher("sitemap", envName(r, r.Environments[i]), t.Expression, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pages, s := warm.Sitemap(ctx, f, cfg.WarmSitemap, allowed)
		f.Close()
		r.Sitemap = s
		rn.log.Infof("%s", report.SitemapLine(s))
		return pages
	}
	r.Sitemap = &result.Sitemap{URL: cfg.WarmSitemap, Error: fmt.Sprintf("no environment can be selected to read it: %v", errors.Join(errs...))}
	rn.log.Warningf("%s", report.SitemapLine(r.Sitemap))
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
