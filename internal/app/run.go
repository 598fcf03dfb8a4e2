package app

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
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
	"github.com/cloudflare-purge/cloudflare-purge/internal/route"
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
	if cfg.Skipped != "" {
		// The inputs are still checked, the routing of several zones'
		// items among them (zones given by name only: nothing is sent).
		if len(cfg.Zones) > 1 {
			names := make([]string, len(cfg.Zones))
			for i, z := range cfg.Zones {
				names[i] = z.Name
			}
			_, _, err := route.Split(cfg.Items, names, cfg.CLI)
			if err == nil {
				err = siteURLsRouted(cfg, names)
			}
			if err != nil {
				r.Error = result.NewError(err)
				printLines(rn.log, report.RunErrorLines(r.Error))
				return r
			}
		}
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
		keys := "keys they name"
		if rw.Count == 1 {
			keys = "key it names"
		}
		rn.log.Infof("%s sent as the cache %s (host in lower-case ASCII, no default port, no fragment), as clients request them: %s is sent as %s",
			plural(rw.Count, "URL is", "URLs are"), keys, rw.Given, rw.Sent)
	}
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
	shares, unrouted, err := route.Split(cfg.Items, zoneNames(zones), cfg.CLI)
	if err == nil {
		err = siteURLsRouted(cfg, zoneNames(zones))
	}
	if err != nil {
		r.Error = result.NewError(err)
		printLines(rn.log, report.RunErrorLines(r.Error))
		return r
	}
	for i, share := range shares {
		zones[i].items = share
	}

	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.Timeout))
	defer cancel()
	client, pacer := rn.client(cfg)
	if err := rn.zones(ctx, r, cfg, client, zones); err != nil {
		return rn.stopUnplanned(r, cfg, zones, unrouted, err)
	}
	dup := false
	if zones, dup = rn.dedupe(r, zones); dup || unrouted.Count() > 0 {
		// The lookups named the zones given by ID: route what waited.
		shares, _, err := route.Split(cfg.Items, zoneNames(zones), cfg.CLI)
		if err != nil {
			return rn.stopUnplanned(r, cfg, zones, unrouted, err)
		}
		for i, share := range shares {
			zones[i].items = share
		}
		unrouted = config.Items{}
	}
	if err := siteURLsRouted(cfg, zoneNames(zones)); err != nil {
		return rn.stopUnplanned(r, cfg, zones, unrouted, err)
	}
	// Each zone's plan sizes its URL batches; a size it refuses is refused
	// before the environments are even read.
	for i := range zones {
		z := &zones[i]
		if z.per, err = plan.FilesPerRequest(z.plan, cfg.FilesPerRequest, cfg.CLI); err != nil {
			return rn.stopUnplanned(r, cfg, zones, unrouted, inZone(r, i, err))
		}
	}
	for i := range zones {
		z := &zones[i]
		// A zone found by name, or read by its ID, exists: an environments
		// call it cannot route means no versioning.
		z.targets, err = resolve.Targets(ctx, client, z.id, z.given.ID == "" || z.name != "", cfg.Environments)
		if err != nil {
			return rn.stopUnplanned(r, cfg, zones, unrouted, inZone(r, i, err))
		}
		rn.maskSelectorCredentials(z.targets)
	}
	layout(r, zones, config.Items{}, func(i int) []result.Environment {
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

	// The pacer learns the plan just before the purges: its model of the
	// bucket starts a margin below the account's full bucket, and would
	// refill into the margin while the run did other work. The zones share
	// it, at the most limited of their plans: the budgets are the
	// account's, never one per zone.
	plans := make([]string, len(zones))
	for i, z := range zones {
		plans[i] = z.plan
	}
	pacer.UsePlan(slowestPlan(plans))
	tooLong := rn.tooLong(ctx, cfg, pacer, zones)
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
	// The environments' targets, zone by zone, as r.Environments lists them.
	var targets []resolve.Target
	for _, z := range zones {
		targets = append(targets, z.targets...)
	}
	if cfg.Wait > 0 {
		if !rn.waitRun(ctx, r, cfg, targets) {
			return r
		}
		// The wait took part of the time the purges were estimated in.
		if err := rn.tooLong(ctx, cfg, pacer, zones); err != nil {
			return rn.stop(r, err)
		}
	}
	sends := make([]purge.Zone, len(zones))
	calls := 0
	for i, z := range zones {
		sends[i] = purge.Zone{ID: z.id, Batches: z.batches}
		calls += len(z.targets) * len(z.batches)
	}
	purge.Run(ctx, client, sends, r.Environments, purge.Options{
		Progress: progress(rn.log, calls), Invalidate: cfg.Invalidate,
	})
	if cfg.Verify {
		o := rn.siteOptions(cfg)
		rn.verifyRun(ctx, r, cfg, targets, o)
		if o.Expect.IsSet() {
			rn.repurge(ctx, r, client, cfg, targets, o)
		}
	}
	if cfg.Warm {
		rn.warmRun(ctx, r, client, cfg, targets)
	}
	return r
}

// zoneRun is one zone of the run as it is resolved: as given, its ID,
// name and plan once known, its share of the items, its URLs per request,
// the environments resolved in it and its batches.
type zoneRun struct {
	given          config.Zone
	id, name, plan string
	items          config.Items
	per            int
	targets        []resolve.Target
	batches        []plan.Batch
}

// siteURLsRouted refuses the verify-urls and wait-urls in none of the
// zones, once their names are known.
func siteURLsRouted(cfg *config.Config, names []string) error {
	return errors.Join(route.URLs(config.InputVerifyURLs, cfg.VerifyURLs, names, cfg.CLI),
		route.URLs(config.InputWaitURLs, cfg.WaitURLs, names, cfg.CLI))
}

// zoneNames are the zones' names, "" where not yet known.
func zoneNames(zones []zoneRun) []string {
	names := make([]string, len(zones))
	for i, z := range zones {
		names[i] = strings.ToLower(z.name)
	}
	return names
}

// layout plans each zone's batches, its per URLs a request, and lays them
// out in the result, in every environment envs gives for the zone. rest,
// the items that wait for a zone's name, goes with the first zone whose
// name is unknown (else the first zone): a run that stops there counts
// them failed once per environment.
func layout(r *result.Result, zones []zoneRun, rest config.Items, envs func(zone int) []result.Environment) {
	r.Environments = nil
	restGiven := rest.Count() == 0
	restTo := slices.IndexFunc(zones, func(z zoneRun) bool { return z.name == "" })
	for i := range zones {
		z := &zones[i]
		items := z.items
		if !restGiven && (i == restTo || restTo < 0) {
			items.Files = append(slices.Clip(items.Files), rest.Files...)
			items.Hosts = append(slices.Clip(items.Hosts), rest.Hosts...)
			items.Prefixes = append(slices.Clip(items.Prefixes), rest.Prefixes...)
			restGiven = true
		}
		z.batches = plan.Build(items, z.per)
		envsOf := result.Layout(envs(i), plan.Layout(z.batches))
		for j := range envsOf {
			envsOf[j].Zone = i
		}
		r.Environments = append(r.Environments, envsOf...)
	}
}

// zoneReadTimeout bounds the read of a zone's plan, retries included.
const zoneReadTimeout = 10 * time.Second

// client is the run's Cloudflare client, and its pacer.
func (rn runner) client(cfg *config.Config) (*cloudflare.Client, *pace.Pacer) {
	h := rn.env.hooks
	paceSleep := h.paceSleep
	if paceSleep == nil {
		paceSleep = h.sleep
	}
	own := pace.New(pace.Options{Now: h.now, Sleep: paceSleep})
	var pacer cloudflare.Pacer = own
	if h.observe != nil {
		pacer = h.observe(own)
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

// zones finds each zone's ID, name and plan ("": unknown), which sizes its
// URL batches and names the account's purge budget to the pacer. A name
// is looked up, which has them. One zone given by ID is read (Zone Read,
// which a purge does not need) only when its plan changes something: the
// size of the URL batches (not asked for, or more than every plan takes),
// the pacer's budget; without it, batches of 30 URLs, which every plan
// takes, and the pacer paces from the answers. A zone given by ID among
// several is always read, for its name, which routes items to it: a read
// that fails then stops the run when URLs, hosts or prefixes wait to be
// routed; a run of tags or purge-everything needs no name and goes on.
func (rn runner) zones(ctx context.Context, r *result.Result, cfg *config.Config, client *cloudflare.Client, zones []zoneRun) error {
	defer rn.setZoneIDs(r, zones)
	needName := len(zones) > 1 && len(cfg.Items.Files)+len(cfg.Items.Hosts)+len(cfg.Items.Prefixes) > 0
	for i := range zones {
		z := &zones[i]
		if z.given.ID == "" {
			rn.log.Infof("Looking up zone %q", z.given.Name)
			found, err := resolve.Zone(ctx, client, z.given.Name, cfg.AccountID)
			if re := (*result.Error)(nil); errors.As(err, &re) && re.Kind == result.ErrorConfiguration {
				return err // it names the zone
			}
			if err != nil {
				return inZone(r, i, err)
			}
			z.id, z.plan = found.ID, found.Plan
			r.Zones[i].ID = found.ID
			continue
		}
		sizes := len(z.items.Files) > 0 && (cfg.FilesPerRequest == 0 || cfg.FilesPerRequest > plan.OtherFilesPerRequest)
		if len(zones) == 1 && !sizes && cfg.DryRun {
			continue
		}
		// A hint, not a step of the run: a slow or failing read costs the
		// purge little, unless the zone's name routes items.
		zctx, cancel := context.WithTimeout(ctx, zoneReadTimeout)
		found, err := client.Zone(zctx, z.id)
		cancel()
		switch {
		case err == nil:
			z.plan = found.Plan
			if len(zones) > 1 {
				z.name = strings.ToLower(found.Name)
				r.Zones[i].Name = found.Name
			}
		case needName:
			return &zoneError{zone: r.Zones[i].Label(), err: err,
				hint: "The zone's name routes URLs, hosts and prefixes to it: give the zone by name, or let the token read the zone (Zone > Zone Read)."}
		case len(cfg.Items.Files) > 0 && cfg.FilesPerRequest == 0:
			set := "set files-per-request: %d"
			if cfg.CLI {
				set = "give --files-per-request %d"
			}
			of := "The zone's plan"
			if len(zones) > 1 {
				of = "The plan of zone " + z.id
			}
			rn.log.Infof(of+" could not be read (%v): URLs go %d per request, as every plan takes them; "+
				"on Enterprise, give the token Zone > Zone Read, or "+set, err, plan.OtherFilesPerRequest, plan.EnterpriseFilesPerRequest)
		case len(zones) == 1:
			rn.log.Debugf("the zone's plan is unknown (%v): pacing from the answers", err)
		default:
			rn.log.Debugf("the plan of zone %s is unknown (%v): pacing from the answers", z.id, err)
		}
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

// As reads the error as the result's Error (result.NewError does): the
// zone's own error, Cloudflare's message followed by the zone, and the
// zone's hint when it has one.
func (e *zoneError) As(target any) bool {
	t, ok := target.(**result.Error)
	if !ok {
		return false
	}
	var inner *result.Error
	if !errors.As(e.err, &inner) {
		*t = &result.Error{Kind: result.ErrorAPI, Message: e.Error(), Hint: e.hint}
		return true
	}
	c := *inner
	if c.Kind == result.ErrorAPI {
		c.Message += " (zone " + e.zone + ")"
	}
	if e.hint != "" {
		c.Hint = e.hint
	}
	*t = &c
	return true
}

// tooLong is the refusal of a run that the zone's purge budgets, or
// Cloudflare's API-wide limit, cannot let through before its deadline even
// from full buckets (pace.Need's floor); nil when it may fit. A refusal is
// a configuration error: exit code 2. The zones' calls count together:
// they share the account's budgets.
func (rn runner) tooLong(ctx context.Context, cfg *config.Config, p *pace.Pacer, zones []zoneRun) error {
	deadline, ok := ctx.Deadline()
	n, limit := 0, 0
	for _, z := range zones {
		n += len(z.targets) * len(z.batches)
		if l, _ := plan.FilesLimit(z.plan); l > limit {
			limit = l // the most URLs per request a zone's plan takes
		}
	}
	if !ok || n == 0 {
		return nil
	}
	// The calls in the order they go: zone, environment, then batch; and
	// the items of each.
	calls := make([]pace.Call, 0, n)
	counts := make([]int, 0, n)
	files, sum := false, 0
	for _, z := range zones {
		for range z.targets {
			for _, b := range z.batches {
				c := pace.Call{Purge: true}
				if b.Kind == result.KindFiles || b.Kind == result.KindFilesWithHeaders {
					c.URLs, files = b.Count(), true
				}
				calls = append(calls, c)
				counts = append(counts, b.Count())
				sum += b.Count()
			}
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
	for _, c := range counts[:fit] {
		fitItems += c
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
	ways = append(ways, fmt.Sprintf("at most %s of its %s (%s of %s requests)", report.Number(fitItems), report.Count(sum, "item"), report.Number(fit), report.Number(len(calls))))
	return &result.Error{Kind: result.ErrorConfiguration, Message: fmt.Sprintf("this run cannot finish before its timeout, so nothing was sent: its %s need at least %s under %s, and %s %s leaves %s. What fits: %s",
		report.Count(len(calls), "purge request"), roundUp(need), what, naming(config.InputTimeout), cfg.Timeout, left.Round(100*time.Millisecond), strings.Join(ways, "; or "))}
}

// roundUp rounds a wait up to a tenth of a second (up: it is a floor).
func roundUp(d time.Duration) time.Duration {
	const unit = 100 * time.Millisecond
	return (d + unit - 1).Truncate(unit)
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

// stopUnplanned is stop for a run that ended before its batches were
// planned: each zone's items, in the environments as asked, are laid out
// at the size the zone's plan (if known) gives, and fail. rest are the
// items that waited for a zone's name (see layout).
func (rn runner) stopUnplanned(r *result.Result, cfg *config.Config, zones []zoneRun, rest config.Items, err error) *result.Result {
	for i := range zones {
		z := &zones[i]
		per, perErr := plan.FilesPerRequest(z.plan, cfg.FilesPerRequest, cfg.CLI)
		if perErr != nil {
			per, _ = plan.FilesLimit(z.plan)
		}
		z.per = per
	}
	asked := make([]result.Environment, 0, len(cfg.Environments))
	for _, name := range cfg.Environments {
		asked = append(asked, result.Environment{Name: name})
	}
	if len(asked) == 0 {
		asked = append(asked, result.Environment{Name: resolve.Production})
	}
	layout(r, zones, rest, func(int) []result.Environment { return asked })
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
