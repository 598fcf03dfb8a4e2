package app

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
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
		urls := cfg.VerifyURLs
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
		vts = append(vts, verify.Target{Name: e.Name, Ref: e.Ref, Expression: targets[i].Expression, URLs: urls, PurgedAt: e.FirstSentAt})
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

// firstSends keeps when each environment's first purge request left, past
// the pacer (the verification counts a copy's age from then), in Unix nanoseconds.
type firstSends []atomic.Int64

// hook is purge.Options.Context: the client calls back as each attempt
// leaves; the earliest is kept.
func (s firstSends) hook(ctx context.Context, env int) context.Context {
	return cloudflare.OnSend(ctx, func(t time.Time) {
		for n := t.UnixNano(); ; {
			old := s[env].Load()
			if (old != 0 && old <= n) || s[env].CompareAndSwap(old, n) {
				return
			}
		}
	})
}

// at is the environment's first send, zero when none left.
func (s firstSends) at(env int) time.Time {
	if n := s[env].Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}
