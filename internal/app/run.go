package app

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
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
	"github.com/cloudflare-purge/cloudflare-purge/internal/route"
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

// run is the whole flow: config -> resolve the zones -> route the items
// to them -> resolve each zone's environments -> plan -> purge -> verify
// -> result. It always returns a result, also when the run fails: every
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
	r.DryRun, r.Invalidate, r.Verify = cfg.DryRun, cfg.Invalidate, cfg.Verify && !cfg.DryRun
	if u, err := url.Parse(cfg.APIURL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		rn.log.Warningf("api-url %s is plain http to another machine: the credentials travel unencrypted; use https", u.Redacted())
	}
	zones := make([]zoneRun, len(cfg.Zones))
	r.Zones = make([]result.Zone, len(cfg.Zones))
	for i, z := range cfg.Zones {
		zones[i] = zoneRun{given: z, id: z.ID, name: z.Name}
		r.Zones[i] = result.Zone{ID: z.ID, Name: z.Name}
	}
	rn.setZoneIDs(r, zones)
	// With every zone's name known (given, or one zone, which routes
	// nothing), an item of no zone is refused before any request.
	shares, unrouted, err := route.Split(cfg.Items, zoneNames(zones), src.CLI)
	if err != nil {
		r.Error = result.NewError(err)
		printLines(rn.log, report.RunErrorLines(r.Error))
		return r
	}
	for i, share := range shares {
		zones[i].items = share
	}
	// Until they are resolved, the environments are as asked.
	asked := make([]result.Environment, 0, len(cfg.Environments))
	for _, name := range cfg.Environments {
		asked = append(asked, result.Environment{Name: name})
	}
	if len(asked) == 0 {
		asked = append(asked, result.Environment{Name: resolve.Production})
	}
	layout(r, cfg, zones, unrouted, true, func(int) []result.Environment { return asked })

	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.Timeout))
	defer cancel()
	client, ownPacer := rn.client(cfg)
	if err := rn.zones(ctx, r, cfg, client, ownPacer, zones); err != nil {
		return rn.stop(r, err)
	}
	dup := false
	if zones, dup = rn.dedupe(r, zones); dup || unrouted.Count() > 0 {
		// The lookups named the zones given by ID: route what waited.
		shares, _, err := route.Split(cfg.Items, zoneNames(zones), src.CLI)
		if err != nil {
			return rn.stop(r, err)
		}
		for i, share := range shares {
			zones[i].items = share
		}
		layout(r, cfg, zones, config.Items{}, true, func(int) []result.Environment { return asked })
	}
	for i := range zones {
		z := &zones[i]
		// A zone found by name, or read by its ID, exists: an environments
		// call it cannot route means no versioning.
		z.targets, err = resolve.Targets(ctx, client, z.id, z.given.ID == "" || z.name != "", cfg.Environments)
		if err != nil {
			return rn.stop(r, inZone(r, i, err))
		}
	}
	layout(r, cfg, zones, config.Items{}, false, func(i int) []result.Environment {
		resolved := make([]result.Environment, len(zones[i].targets))
		for j, t := range zones[i].targets {
			resolved[j] = result.Environment{Name: t.Name, Ref: t.Ref, Endpoint: result.EndpointEnvironment}
			if t.IsZone() {
				resolved[j].Endpoint = result.EndpointZone
			}
		}
		return resolved
	})
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
	plans := make([]purge.Zone, len(zones))
	calls := 0
	for i, z := range zones {
		plans[i] = purge.Zone{ID: z.id, Batches: z.batches}
		calls += len(z.targets) * len(z.batches)
	}
	if ownPacer != nil {
		rn.warnAPILimit(ctx, ownPacer, calls)
	}
	sent := make(firstSends, len(r.Environments))
	purge.Run(ctx, client, plans, r.Environments, purge.Options{
		Progress: progress(rn.log, calls), Invalidate: cfg.Invalidate, Context: sent.hook,
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
		var targets []resolve.Target
		for _, z := range zones {
			targets = append(targets, z.targets...)
		}
		rn.verifyRun(ctx, r, cfg, targets, o)
	}
	return r
}

// zoneRun is one zone of the run as it is resolved: as given, its ID and
// name once known, its share of the items, the environments resolved in
// it and its batches.
type zoneRun struct {
	given    config.Zone
	id, name string
	items    config.Items
	targets  []resolve.Target
	batches  []plan.Batch
	layout   []result.Batch // batches as the result lays them out
}

// zoneNames are the zones' names, "" where not yet known.
func zoneNames(zones []zoneRun) []string {
	names := make([]string, len(zones))
	for i, z := range zones {
		names[i] = strings.ToLower(z.name)
	}
	return names
}

// layout lays each zone's batches out in the result, in every
// environment envs gives for the zone; with replan, it plans them first
// (the zones' items changed). rest, the items that wait for a zone's name,
// goes with the first zone whose name is unknown: a run that stops there
// counts them failed once per environment.
func layout(r *result.Result, cfg *config.Config, zones []zoneRun, rest config.Items, replan bool, envs func(zone int) []result.Environment) {
	r.Environments = r.Environments[:0]
	restGiven := rest.Count() == 0
	for i := range zones {
		z := &zones[i]
		if replan {
			items := z.items
			if !restGiven && z.name == "" {
				items.Files = append(slices.Clip(items.Files), rest.Files...)
				items.Hosts = append(slices.Clip(items.Hosts), rest.Hosts...)
				items.Prefixes = append(slices.Clip(items.Prefixes), rest.Prefixes...)
				restGiven = true
			}
			z.batches = plan.Build(items, cfg.FilesPerRequest)
			z.layout = plan.Layout(z.batches)
		}
		envsOf := result.Layout(envs(i), z.layout)
		for j := range envsOf {
			envsOf[j].Zone = i
		}
		r.Environments = append(r.Environments, envsOf...)
	}
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

// zones finds each zone's ID and name: a name is looked up; an ID is read
// (GET /zones/{id}) for its name, which routes items to it. Either way the
// zone's plan, which names the account's purge budget, goes to the pacer.
//
// One zone given by ID is read only for its plan, as a hint (Zone Read,
// which a purge does not need: without it, the pacer paces from the
// answers). Of several zones, a read that fails stops the run when items
// wait to be routed by that zone's name (URLs, hosts, prefixes): they
// cannot be sent to the right zone. A run of tags or purge-everything
// only needs no name, and goes on.
func (rn runner) zones(ctx context.Context, r *result.Result, cfg *config.Config, client *cloudflare.Client, pacer *pace.Pacer, zones []zoneRun) error {
	defer rn.setZoneIDs(r, zones)
	needName := len(zones) > 1 && len(cfg.Items.Files)+len(cfg.Items.Hosts)+len(cfg.Items.Prefixes) > 0
	var plans []string
	for i := range zones {
		z := &zones[i]
		if z.given.ID != "" {
			if len(zones) == 1 && (pacer == nil || cfg.DryRun) {
				continue
			}
			// A hint for the pacer, and the name: a slow or failing read
			// costs the purge little, unless the name routes items.
			zctx, cancel := context.WithTimeout(ctx, zoneReadTimeout)
			found, err := client.Zone(zctx, z.id)
			cancel()
			switch {
			case err == nil:
				plans = append(plans, found.Plan)
				if len(zones) > 1 {
					z.name = strings.ToLower(found.Name)
					r.Zones[i].Name = found.Name
				}
			case needName:
				ze := &zoneError{zone: r.Zones[i].Label(), err: err,
					hint: "The zone's name routes URLs, hosts and prefixes to it: give the zone by name, or let the token read the zone (Zone > Zone Read)."}
				return ze
			default:
				rn.log.Debugf("zone %s: its plan is unknown (%v): pacing from the answers", z.id, err)
			}
			continue
		}
		rn.log.Infof("Looking up zone %q", z.given.Name)
		found, err := resolve.Zone(ctx, client, z.given.Name, cfg.AccountID)
		if errors.Is(err, resolve.ErrConfig) {
			return err // it names the zone
		}
		if err != nil {
			return inZone(r, i, err)
		}
		z.id = found.ID
		r.Zones[i].ID = found.ID
		plans = append(plans, found.Plan)
	}
	if pacer != nil && len(plans) > 0 {
		pacer.UsePlan(slowestPlan(plans))
	}
	return nil
}

// dedupe drops a zone given twice (by ID and by name), once both are
// resolved: its items would go to the first, its tags twice.
func (rn runner) dedupe(r *result.Result, zones []zoneRun) ([]zoneRun, bool) {
	seen := map[string]bool{}
	kept := zones[:0:0]
	var keptZones []result.Zone
	for i, z := range zones {
		if z.id != "" && seen[strings.ToLower(z.id)] {
			rn.log.Warningf("zone %s is given twice (as %s): it is purged once", r.Zones[i].Label(), z.given)
			continue
		}
		seen[strings.ToLower(z.id)] = true
		kept = append(kept, z)
		keptZones = append(keptZones, r.Zones[i])
	}
	if len(kept) == len(zones) {
		return zones, false
	}
	r.Zones = keptZones
	rn.setZoneIDs(r, kept)
	if len(kept) == 1 {
		r.ZoneName = kept[0].name
	}
	return kept, true
}

// setZoneIDs sets the result's zone: one zone's ID and the name it was
// given by, or the zones' IDs, comma-separated in input order (those
// resolved).
func (rn runner) setZoneIDs(r *result.Result, zones []zoneRun) {
	if len(zones) == 1 {
		r.ZoneID, r.ZoneName = zones[0].id, zones[0].given.Name
		return
	}
	var ids []string
	for i, z := range zones {
		r.Zones[i].ID = z.id
		if z.id != "" {
			ids = append(ids, z.id)
		}
	}
	r.ZoneID, r.ZoneName = strings.Join(ids, ","), ""
}

// planOrder ranks plans by their purge budgets, the smallest first.
var planOrder = []string{"free", "pro", "business", "enterprise"}

// slowestPlan is the plan of smallest budget among the zones': the
// budgets are the account's, which the zones of one account share, and
// the pacer keeps one budget for the run, never one per zone (zones of
// different accounts share it too: slower, never refused).
func slowestPlan(plans []string) string {
	best, rank := "", len(planOrder)
	for _, p := range plans {
		f := strings.Fields(strings.ToLower(p))
		if len(f) == 0 {
			continue
		}
		if i := slices.Index(planOrder, f[0]); i >= 0 && i < rank {
			best, rank = p, i
		}
	}
	return best
}

// inZone names the zone in an error of a run of several zones; one zone's
// errors stay as they were.
func inZone(r *result.Result, zone int, err error) error {
	if !r.MultiZone() || err == nil {
		return err
	}
	return &zoneError{zone: r.Zones[zone].Label(), err: err}
}

// zoneError is an error about one zone of several, which it names.
type zoneError struct {
	zone string
	err  error
	hint string // what to do, when the zone's own error does not say
}

func (e *zoneError) Error() string { return "zone " + e.zone + ": " + e.err.Error() }
func (e *zoneError) Unwrap() error { return e.err }

// Hint is the zone's hint, else the error's.
func (e *zoneError) Hint() string {
	if e.hint != "" {
		return e.hint
	}
	var h interface{ Hint() string }
	if errors.As(e.err, &h) {
		return h.Hint()
	}
	return ""
}

// Message is the API's message (result.NewError reads it), then the zone:
// the report puts Cloudflare's code before it.
func (e *zoneError) Message() string {
	var m interface{ Message() string }
	if errors.As(e.err, &m) {
		return m.Message() + " (zone " + e.zone + ")"
	}
	return e.Error()
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
