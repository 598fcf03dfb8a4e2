// Package resolve turns the zone and environments a user named into the
// ids the purge endpoints take, with as few API calls as possible: none for
// a zone ID, none for Production, one environments list however many
// environments are asked for.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/suggest"
)

// ErrConfig marks what the user must fix in the configuration: an unknown or
// ambiguous zone name, an unknown environment, a zone without versioning.
// Such runs are refused before any purge, with exit code 2.
var ErrConfig = errors.New("configuration does not match the account")

// API is what resolving needs from Cloudflare.
type API interface {
	FindZones(ctx context.Context, name, accountID string) ([]cloudflare.Zone, error)
	Environments(ctx context.Context, zoneID string) ([]cloudflare.Environment, error)
}

// Production is the environment that the zone endpoint purges.
const Production = "Production"

type configError struct{ msg string }

func (e *configError) Error() string        { return e.msg }
func (e *configError) Is(target error) bool { return target == ErrConfig }

// ErrorKind classifies the error for the result: the configuration must
// change (exit code 2).
func (e *configError) ErrorKind() string { return "configuration" }

// Target is one environment to purge. Production (Ref == "") goes through
// the zone endpoint, which purges every environment of the zone.
// Expression is the environment's selector, when the list was read.
type Target struct {
	Name, Ref, Expression string
}

// IsZone reports whether the target uses the zone-level endpoint.
func (t Target) IsZone() bool { return t.Ref == "" }

func configErr(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// Zone finds the zone ID for a zone name; exactly one zone must match.
func Zone(ctx context.Context, api API, name, accountID string) (cloudflare.Zone, error) {
	found, err := api.FindZones(ctx, name, accountID)
	if err != nil {
		return cloudflare.Zone{}, err
	}
	var exact []cloudflare.Zone
	for _, z := range found {
		if strings.EqualFold(z.Name, name) {
			exact = append(exact, z)
		}
	}
	switch len(exact) {
	case 1:
		return exact[0], nil
	case 0:
		return cloudflare.Zone{}, notFound(ctx, api, name, accountID)
	}
	accounts := make([]string, len(exact))
	for i, z := range exact {
		accounts[i] = fmt.Sprintf("%q (account-id %s)", z.AccountName, z.AccountID)
	}
	return cloudflare.Zone{}, configErr("zone %q exists in %d accounts: %s; set account-id to choose one, or give the zone ID", name, len(exact), strings.Join(accounts, ", "))
}

// notFound explains a zone name that matched no zone. Two slips are common,
// and telling them costs a few more lookups on this failing path only: a
// host of a zone given as the zone (www.example.com for example.com), and
// a typo of a zone the token can see. Only when the token sees no zone
// like it is its permission in question.
func notFound(ctx context.Context, api API, name, accountID string) error {
	where := ""
	if accountID != "" {
		where = fmt.Sprintf(" in account %s", accountID)
	}
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i := 1; len(labels)-i >= 2 && i <= 3; i++ {
		parent := strings.Join(labels[i:], ".")
		found, err := api.FindZones(ctx, parent, accountID)
		if err != nil {
			break
		}
		for _, z := range found {
			if strings.EqualFold(z.Name, parent) {
				return configErr("zone %q was not found%s: it is a host of the zone %s; give zone %s (its URLs, hosts and prefixes may be of any host of the zone)", name, where, z.Name, z.Name)
			}
		}
	}
	const seenMax = 5 // zones named, when the token sees so few
	if seen, err := api.FindZones(ctx, "", accountID); err == nil && len(seen) > 0 {
		names := make([]string, len(seen))
		for i, z := range seen {
			names[i] = z.Name
		}
		if s := suggest.Nearest(name, names); s != "" {
			return configErr("zone %q was not found%s: did you mean %s?", name, where, s)
		}
		if len(seen) <= seenMax {
			return configErr("zone %q was not found%s: the token sees only %s; check the name, or give the zone ID", name, where, strings.Join(names, ", "))
		}
	}
	return configErr("zone %q was not found%s: check the name, or give the zone ID; the token needs Zone > Zone Read on the zone to find it by name", name, where)
}

// IsProduction reports whether an environment name means the zone endpoint.
func IsProduction(name string) bool { return strings.EqualFold(name, Production) }

// Targets resolves environment names or refs, in input order. Names match
// exactly first, then case-insensitively if that is unique; refs match
// exactly. Production (or nothing) needs no API call.
// zoneFound says the zone ID came from a lookup by name, so it is right.
func Targets(ctx context.Context, api API, zoneID string, zoneFound bool, asked []string) ([]Target, error) {
	if len(asked) == 0 {
		return []Target{{Name: Production}}, nil
	}
	needList := false
	for _, a := range asked {
		needList = needList || !IsProduction(a)
	}
	var envs []cloudflare.Environment
	if needList {
		var err error
		envs, err = api.Environments(ctx, zoneID)
		if err != nil {
			return nil, versioningError(err, asked, zoneFound)
		}
		if len(envs) == 0 {
			return nil, configErr("zone %s has no environments: zone versioning is not enabled, so only Production (an empty environment) can be purged", zoneID)
		}
	}
	var targets []Target
	seen := map[Target]bool{}
	for _, a := range asked {
		t, err := match(a, envs)
		if err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			targets = append(targets, t)
		}
	}
	return targets, nil
}

func match(asked string, envs []cloudflare.Environment) (Target, error) {
	if len(envs) == 0 && IsProduction(asked) {
		return Target{Name: Production}, nil
	}
	pick := func(cands []cloudflare.Environment) (Target, bool, error) {
		switch len(cands) {
		case 0:
			return Target{}, false, nil
		case 1:
			return target(cands[0]), true, nil
		}
		refs := make([]string, len(cands))
		for i, e := range cands {
			refs[i] = e.Ref
		}
		return Target{}, false, configErr("environment %q matches %d environments (refs %s): give the ref instead", asked, len(cands), strings.Join(refs, ", "))
	}
	for _, eq := range []func(cloudflare.Environment) bool{
		func(e cloudflare.Environment) bool { return e.Name == asked },
		func(e cloudflare.Environment) bool { return e.Ref == asked },
		func(e cloudflare.Environment) bool { return strings.EqualFold(e.Name, asked) },
	} {
		var cands []cloudflare.Environment
		for _, e := range envs {
			if eq(e) {
				cands = append(cands, e)
			}
		}
		if t, ok, err := pick(cands); ok || err != nil {
			return t, err
		}
	}
	if IsProduction(asked) {
		return Target{Name: Production}, nil
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
	}
	if s := suggest.Nearest(asked, names); s != "" {
		return Target{}, configErr("environment %q is not in the zone: did you mean %s? Its environments are: %s", asked, s, list(envs))
	}
	return Target{}, configErr("environment %q is not in the zone; its environments are: %s", asked, list(envs))
}

// target maps an environment to its endpoint: Production goes through the
// zone endpoint, which purges every environment.
func target(e cloudflare.Environment) Target {
	if IsProduction(e.Name) {
		return Target{Name: e.Name, Expression: e.Expression}
	}
	return Target{Name: e.Name, Ref: e.Ref, Expression: e.Expression}
}

func list(envs []cloudflare.Environment) string {
	s := make([]string, len(envs))
	for i, e := range envs {
		s[i] = fmt.Sprintf("%s (ref %s)", e.Name, e.Ref)
	}
	return strings.Join(s, ", ")
}

// versioningError explains a failed environments list. Permission and
// network failures stay what they are (exit 1), and so does "no route"
// for a zone ID the user gave, which may be wrong: a refusal, as its purge
// would be. Any other refusal means the zone has no versioning (Cloudflare
// does not document that answer: docs/cloudflare.md, "Answers and codes"), also "no route" for a zone just found by name.
func versioningError(err error, asked []string, zoneFound bool) error {
	var ce *cloudflare.Error
	noRoute := errors.As(err, &ce) && (ce.Status == http.StatusNotFound || ce.Code() == 7003 || ce.Code() == 7000)
	if !errors.As(err, &ce) || ce.Status == 0 || ce.Status >= 500 || ce.Status == http.StatusTooManyRequests ||
		ce.Status == http.StatusUnauthorized || ce.Status == http.StatusForbidden || ce.Code() == 10000 ||
		errors.Is(err, cloudflare.ErrNotJSON) || // a proxy's page or a cut-off body: no answer from the API
		noRoute && !zoneFound {
		return err
	}
	why := ce.Message()
	if ce.Code() != 0 {
		why = fmt.Sprintf("Cloudflare error %d: %s", ce.Code(), why)
	}
	return configErr("environment %s cannot be targeted: zone versioning is not available on this zone (%s); target Production (an empty environment) or enable zone versioning",
		strings.Join(quoteAll(asked), ", "), why)
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return q
}
