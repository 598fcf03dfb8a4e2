package app

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/route"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// maxDefaultVerifyURLs bounds the purged URLs checked per environment
// when verify-urls is not given.
const maxDefaultVerifyURLs = 20

// verifyRun checks, through each environment's own selector, that its purge
// took effect (docs/behaviour.md, "Verification"), and records what it found in the result.
func (rn runner) verifyRun(ctx context.Context, r *result.Result, cfg *config.Config, targets []resolve.Target, o verify.Options) {
	var vts []verify.Target
	var at []int
	for i := range r.Environments {
		e := &r.Environments[i]
		urls := zoneURLs(cfg.VerifyURLs, r, e.Zone)
		if len(urls) == 0 {
			urls = purgedURLs(*e, maxDefaultVerifyURLs)
		}
		switch {
		case !slices.ContainsFunc(e.Batches, func(b result.Batch) bool { return b.Status == result.Purged }):
			e.Verification = &result.Verification{Status: result.VerificationSkipped, Reason: "nothing was " + pastOf(r) + " in it", URLs: []result.URLCheck{}}
			continue
		case len(urls) == 0:
			e.Verification = &result.Verification{Status: result.VerificationSkipped, URLs: []result.URLCheck{},
				Reason: "no URL to request: a purge by tags, hosts, prefixes or everything names none; give verify-urls"}
			continue
		}
		vts = append(vts, verify.Target{Name: envName(r, *e), Ref: e.Ref, Expression: targets[i].Expression, URLs: urls, PurgedAt: e.FirstSentAt})
		at = append(at, i)
	}
	if len(vts) == 0 {
		return
	}
	names := make([]string, len(vts))
	for i, t := range vts {
		names[i] = t.Name
	}
	rn.log.Infof("Verifying through each environment's own selector: %s", strings.Join(names, ", "))
	for k, v := range verify.Run(ctx, vts, o) {
		r.Environments[at[k]].Verification = v
	}
}

// zoneURLs are the URLs of urls that go to zone z of r's zones: all of
// them in a run of one zone, which routes nothing.
func zoneURLs(urls []string, r *result.Result, z int) []string {
	if !r.MultiZone() || len(urls) == 0 {
		return urls
	}
	names := resultZoneNames(r)
	var out []string
	for _, u := range urls {
		if route.Zone(route.URLHost(u), names) == z {
			out = append(out, u)
		}
	}
	return out
}

// resultZoneNames are the names of r's zones, lower case ("" where unknown).
func resultZoneNames(r *result.Result) []string {
	names := make([]string, len(r.Zones))
	for i, zone := range r.Zones {
		names[i] = strings.ToLower(zone.Name)
	}
	return names
}

// envName names an environment for a log line: with its zone, in a run of
// several.
func envName(r *result.Result, e result.Environment) string {
	if !r.MultiZone() {
		return e.Name
	}
	z := r.ZoneOf(e)
	return cmp.Or(z.Name, z.ID) + " " + e.Name
}

// purgedURLs are the first n plain URLs (files without headers, whose
// cache key a plain request reaches) that the environment's confirmed
// batches carried.
func purgedURLs(e result.Environment, n int) []string {
	var out []string
	for _, b := range e.Batches {
		if b.Kind != result.KindFiles || b.Status != result.Purged {
			continue
		}
		for _, u := range b.Items {
			if len(out) == n {
				return out
			}
			out = append(out, u)
		}
	}
	return out
}

func pastOf(r *result.Result) string {
	if r.Invalidate {
		return "invalidated"
	}
	return "purged"
}
