package emulator

import (
	"math"
	"time"
)

// limits are one plan's purge limits (Cloudflare's table of purge limits per account).
type limits struct {
	flexCount       float64       // tag/host/prefix/everything requests ...
	flexPer         time.Duration // ... per this long
	flexBurst       float64       // bucket size for those requests
	urlsPerSecond   float64       // URL bucket refill; its size is one second's worth
	filesPerRequest int
}

var planLimits = map[Plan]limits{
	PlanFree:       {flexCount: 5, flexPer: time.Minute, flexBurst: 25, urlsPerSecond: 800, filesPerRequest: 30},
	PlanPro:        {flexCount: 5, flexPer: time.Second, flexBurst: 25, urlsPerSecond: 1500, filesPerRequest: 30},
	PlanBusiness:   {flexCount: 10, flexPer: time.Second, flexBurst: 50, urlsPerSecond: 1500, filesPerRequest: 30},
	PlanEnterprise: {flexCount: 50, flexPer: time.Second, flexBurst: 500, urlsPerSecond: 3000, filesPerRequest: 500},
}

// bucket is a token bucket. Refill is computed as count*elapsed/per so that whole
// periods add whole tokens exactly (12 s on Free is exactly one token).
type bucket struct {
	count    float64
	per      time.Duration
	capacity float64
	tokens   float64
	last     time.Time
}

// epsilon absorbs float rounding so that "exactly enough" counts as enough.
const epsilon = 1e-9

// take removes n tokens, or says how many whole seconds (at least 1) until n are there.
func (b *bucket) take(now time.Time, n float64) (retryAfter int, ok bool) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+b.count*float64(elapsed)/float64(b.per))
		b.last = now
	}
	if b.tokens+epsilon >= n {
		b.tokens = math.Max(0, b.tokens-n)
		return 0, true
	}
	wait := (n - b.tokens) * b.per.Seconds() / b.count
	return max(1, int(math.Ceil(wait-epsilon))), false
}

// accountBuckets are one account's two purge buckets.
type accountBuckets struct {
	flex, urls *bucket
}

// take charges a purge to its account's bucket: one token per URL for files, one per
// request otherwise. Without Options.RateLimits everything passes. A refused request
// takes nothing. Call with e.mu held.
func (e *Emulator) take(z Zone, p purgeBody) (retryAfter int, ok bool) {
	if !e.opts.RateLimits {
		return 0, true
	}
	key := z.AccountID + "/" + string(z.Plan)
	now := e.opts.Now()
	ab := e.buckets[key]
	if ab == nil {
		l := planLimits[z.Plan]
		ab = &accountBuckets{
			flex: &bucket{count: l.flexCount, per: l.flexPer, capacity: l.flexBurst, tokens: l.flexBurst, last: now},
			urls: &bucket{count: l.urlsPerSecond, per: time.Second, capacity: l.urlsPerSecond, tokens: l.urlsPerSecond, last: now},
		}
		e.buckets[key] = ab
	}
	if p.kind == "files" {
		return ab.urls.take(now, float64(len(p.items)))
	}
	return ab.flex.take(now, 1)
}
