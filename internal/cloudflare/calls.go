package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudflare/cloudflare-go/v7/cache"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zones"

	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Zone is a zone as the API describes it.
type Zone struct {
	ID, Name, AccountID, AccountName string
	// Plan is the zone's plan: its legacy id ("pro") when the answer has
	// one, else its name ("Pro Website"); "" when the answer names none.
	Plan string
}

// FindZones looks a zone up by name, within one account if accountID is set;
// with no name, it lists the first page of the zones the token sees.
func (c *Client) FindZones(ctx context.Context, name, accountID string) ([]Zone, error) {
	var q zones.ZoneListParams
	if name != "" { // no name: the zones the token sees, a page of them
		q.Name.Value, q.Name.Present = name, true
	}
	if accountID != "" {
		var a zones.ZoneListParamsAccount
		a.ID.Value, a.ID.Present = accountID, true
		q.Account.Value, q.Account.Present = a, true
	}
	var found []Zone
	_, err := c.call(ctx, request{
		step: StepZoneLookup,
		send: func(ctx context.Context, opts ...option.RequestOption) error {
			_, err := c.zones.List(ctx, q, opts...)
			return err
		},
		read: func(result json.RawMessage) error {
			var err error
			found, err = readZones(result)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// Zone reads one zone by its id, for its plan. A token without Zone Read
// gets an *Error with Code 10000 (or Status 403): the caller may go on
// without the plan.
func (c *Client) Zone(ctx context.Context, zoneID string) (Zone, error) {
	if err := checkID(StepZoneRead, "zone id", zoneID); err != nil {
		return Zone{}, err
	}
	var q zones.ZoneGetParams
	q.ZoneID.Value, q.ZoneID.Present = zoneID, true
	var z Zone
	_, err := c.call(ctx, request{
		step: StepZoneRead,
		send: func(ctx context.Context, opts ...option.RequestOption) error {
			_, err := c.zones.Get(ctx, q, opts...)
			return err
		},
		read: func(result json.RawMessage) error {
			var err error
			z, err = readZone(result)
			if err == nil && !strings.EqualFold(z.ID, zoneID) {
				err = fmt.Errorf("%w (asked for zone %s, the answer is about zone %s)", errOtherZone, zoneID, z.ID)
			}
			return err
		},
	})
	if err != nil {
		return Zone{}, err
	}
	return z, nil
}

// Environment is one zone-versioning environment.
type Environment struct {
	Name, Ref, Expression string
}

// Environments lists the zone's environments.
func (c *Client) Environments(ctx context.Context, zoneID string) ([]Environment, error) {
	if err := checkID(StepEnvironments, "zone id", zoneID); err != nil {
		return nil, err
	}
	var q zones.EnvironmentListParams
	q.ZoneID.Value, q.ZoneID.Present = zoneID, true
	var envs []Environment
	_, err := c.call(ctx, request{
		step: StepEnvironments,
		send: func(ctx context.Context, opts ...option.RequestOption) error {
			_, err := c.envs.List(ctx, q, opts...)
			return err
		},
		read: func(result json.RawMessage) error {
			var err error
			envs, err = readEnvironments(result)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return envs, nil
}

// Purge sends one batch to the zone's purge_cache endpoint (ref == "") or
// to the environment's, retrying as the policy says. It returns
// Cloudflare's purge id and the number of attempts made.
func (c *Client) Purge(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, err error) {
	return c.purge(ctx, StepPurge, zoneID, ref, b)
}

// Invalidate is Purge to the invalidate_cache endpoints: the content is
// marked stale, not deleted. Same bodies, same answers.
//
// cloudflare-go v7.10.0 has no call for it. The request goes through the
// SDK's purge call, the same options (authentication, base URL, transport,
// redirect refusal, no SDK retries), and the client's middleware rewrites
// its path from purge_cache to invalidate_cache. When the SDK has
// Cache.Invalidate and Cache.InvalidateEnvironment, call them instead and
// drop invalidateKey and the rewrite in middleware.
func (c *Client) Invalidate(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, err error) {
	return c.purge(context.WithValue(ctx, invalidateKey{}, true), StepInvalidate, zoneID, ref, b)
}

func (c *Client) purge(ctx context.Context, step Step, zoneID, ref string, b plan.Batch) (id string, attempts int, err error) {
	if err := checkID(step, "zone id", zoneID); err != nil {
		return "", 0, err
	}
	if ref != "" {
		if err := checkID(step, "environment ref", ref); err != nil {
			return "", 0, err
		}
	}
	var zp cache.CachePurgeParams
	zp.ZoneID.Value, zp.ZoneID.Present = zoneID, true
	var ep cache.CachePurgeEnvironmentParams
	ep.ZoneID = zp.ZoneID
	if ref == "" {
		zp.Body = zoneBody(b)
	} else {
		ep.Body = environmentBody(b)
	}
	call := pace.Call{Purge: true}
	if b.Kind == result.KindFiles || b.Kind == result.KindFilesWithHeaders {
		call.URLs = len(b.Files)
	}
	attempts, err = c.call(ctx, request{
		step: step,
		pace: call,
		send: func(ctx context.Context, opts ...option.RequestOption) error {
			var err error
			if ref == "" {
				_, err = c.cache.Purge(ctx, zp, opts...)
			} else {
				_, err = c.cache.PurgeEnvironment(ctx, ref, ep, opts...)
			}
			return err
		},
		read: func(result json.RawMessage) error {
			var err error
			id, err = readPurgeID(result)
			return err
		},
	})
	if err != nil {
		return "", attempts, err
	}
	return id, attempts, nil
}

// checkID refuses, before anything is sent, an id that is not of the form
// Cloudflare's ids have: it goes into the request's path.
func checkID(step Step, what, id string) error {
	if validID(id) {
		return nil
	}
	return &Error{Step: step, Err: fmt.Errorf("%w: the %s %q is not one (at most 32 hexadecimal characters); nothing was sent", errBadIDIn, what, clip(cleanMessage(id), 80))}
}

// zoneBody is the request body of one batch: exactly one kind. The SDK's
// typed bodies are used rather than its catch-all body, whose interface{}
// fields go through an encoder that races under concurrent requests.
func zoneBody(b plan.Batch) cache.CachePurgeParamsBodyUnion {
	switch b.Kind {
	case result.KindEverything:
		var v cache.CachePurgeParamsBodyCachePurgeEverything
		v.PurgeEverything.Value, v.PurgeEverything.Present = true, true
		return v
	case result.KindFiles:
		var v cache.CachePurgeParamsBodyCachePurgeSingleFile
		v.Files.Value, v.Files.Present = b.Values(), true
		return v
	case result.KindFilesWithHeaders:
		files := make([]cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeadersFile, len(b.Files))
		for i, f := range b.Files {
			files[i].URL.Value, files[i].URL.Present = f.URL, true
			files[i].Headers.Value, files[i].Headers.Present = f.Headers, true
		}
		var v cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeaders
		v.Files.Value, v.Files.Present = files, true
		return v
	case result.KindTags:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByTags
		v.Tags.Value, v.Tags.Present = b.Items, true
		return v
	case result.KindHosts:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByHostnames
		v.Hosts.Value, v.Hosts.Present = b.Items, true
		return v
	case result.KindPrefixes:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByPrefixes
		v.Prefixes.Value, v.Prefixes.Present = b.Items, true
		return v
	}
	panic(fmt.Sprintf("cloudflare: unknown batch kind %q", b.Kind))
}

// environmentBody is zoneBody for the environment endpoint, whose SDK types
// have the same shape under other names.
func environmentBody(b plan.Batch) cache.CachePurgeEnvironmentParamsBodyUnion {
	switch v := zoneBody(b).(type) {
	case cache.CachePurgeParamsBodyCachePurgeEverything:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeEverything(v)
	case cache.CachePurgeParamsBodyCachePurgeSingleFile:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFile(v)
	case cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeaders:
		files := make([]cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeadersFile, len(v.Files.Value))
		for i, f := range v.Files.Value {
			files[i] = cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeadersFile(f)
		}
		var e cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeaders
		e.Files.Value, e.Files.Present = files, true
		return e
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByTags:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByTags(v)
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByHostnames:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByHostnames(v)
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByPrefixes:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByPrefixes(v)
	}
	panic(fmt.Sprintf("cloudflare: unknown batch kind %q", b.Kind))
}
