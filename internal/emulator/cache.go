package emulator

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// The edge's cache: one copy per (zone, environment, cache key), filled by the edge's
// GETs, emptied by accepted purges and marked stale by accepted invalidations.

// maxCached bounds the cache of a long-running emulator (every distinct URL asked
// for is a copy); past it, an arbitrary copy makes room.
const maxCached = 10000

// cacheKey is where a copy lives. The key is host (lower case) + path + query, as
// Cloudflare's default cache key, without the scheme: the sandbox's edge speaks
// plain HTTP while purges name https:// URLs.
type cacheKey struct {
	zoneID, envRef string
	key            string
}

// cached is one copy.
type cached struct {
	host, path string // for purges by host and prefix
	tags       []string
	at         time.Time // when it was cached, for Age
	stale      bool      // invalidated: the next request revalidates (EXPIRED)
	build      string    // the origin's build when it was cached
}

// keyOf is the cache key of a URL's host, path and query.
func keyOf(host, path, rawQuery string) string {
	k := strings.ToLower(host) + path
	if rawQuery != "" {
		k += "?" + rawQuery
	}
	return k
}

// keyOfURL is the cache key of an absolute URL (a files item, a survivor); ok is
// false for anything else.
func keyOfURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	return keyOf(u.Hostname(), u.EscapedPath(), u.RawQuery), true
}

// applyToCache evicts (a purge) or marks stale (an invalidation) the copies an
// accepted request matches: through the zone endpoint (env nil) in every
// environment, as a Production purge does; through an environment's endpoint in that
// environment only. Survivors are left alone: their copy lives under a cache key that
// no purge names. Call with e.mu held.
func (e *Emulator) applyToCache(zone Zone, env *Environment, p Purge) {
	match := purgeMatcher(p)
	for k, c := range e.cache {
		if k.zoneID != zone.ID || (env != nil && k.envRef != env.Ref) || e.survivors[k.key] || !match(k.key, c) {
			continue
		}
		if p.Invalidate {
			c.stale = true
		} else {
			delete(e.cache, k)
		}
	}
}

// purgeMatcher returns whether a copy is among what p names.
func purgeMatcher(p Purge) func(key string, c *cached) bool {
	switch p.Kind {
	case "files":
		keys := map[string]bool{}
		for _, item := range p.Items {
			if k, ok := keyOfURL(item); ok {
				keys[k] = true
			}
		}
		return func(key string, _ *cached) bool { return keys[key] }
	case "tags":
		return func(_ string, c *cached) bool {
			return slices.ContainsFunc(c.tags, func(tag string) bool {
				return slices.ContainsFunc(p.Items, func(item string) bool { return strings.EqualFold(item, tag) })
			})
		}
	case "hosts":
		return func(_ string, c *cached) bool {
			return slices.ContainsFunc(p.Items, func(h string) bool { return strings.EqualFold(h, c.host) })
		}
	case "prefixes":
		return func(_ string, c *cached) bool {
			return slices.ContainsFunc(p.Items, func(prefix string) bool { return prefixMatches(prefix, c.host, c.path) })
		}
	}
	return func(string, *cached) bool { return true } // purge_everything
}

// prefixMatches tells whether a prefix (host + path) covers a copy: the same host, and
// a path that is the prefix's or lies under it.
func prefixMatches(prefix, host, path string) bool {
	h, p, _ := strings.Cut(prefix, "/")
	if !strings.EqualFold(h, host) {
		return false
	}
	p = "/" + p
	return p == "/" || path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/")
}

// look returns the copy at k and what the edge answers for it: MISS (none: it is
// cached now), EXPIRED (stale: revalidated, fresh now) or HIT with its age; and the
// build the answer carries: the copy's, or for a MISS or EXPIRED the origin's now
// (fetch, called without e.mu held, asks it).
func (e *Emulator) look(k cacheKey, host, path string, tags []string, fetch func() string) (status string, age time.Duration, build string) {
	e.mu.Lock()
	c := e.cache[k]
	if c != nil && !c.stale {
		defer e.mu.Unlock()
		return "HIT", max(0, e.opts.Now().Sub(c.at)), c.build
	}
	e.mu.Unlock()
	build = fetch()
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	c = e.cache[k]
	switch {
	case c == nil:
		if len(e.cache) >= maxCached {
			for old := range e.cache {
				delete(e.cache, old)
				break
			}
		}
		e.cache[k] = &cached{host: strings.ToLower(host), path: path, tags: tags, at: now, build: build}
		return "MISS", 0, build
	case c.stale:
		c.stale, c.at, c.build = false, now, build
		return "EXPIRED", 0, build
	}
	// Another request cached it meanwhile: this one was a MISS all the same.
	return "MISS", 0, build
}
