// Package app wires a run together: it reads the configuration, resolves the
// zone and environments, plans and sends the purge, and reports the result,
// as a GitHub Action or as the cloudflare-purge CLI.
package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/purge"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// Version is stamped at build time with -ldflags "-X ...app.Version=v1.2.3".
var Version = "dev"

// Env is the process's world, so that the whole program runs in tests.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// HTTPClient, if set, carries every API call (tests).
	HTTPClient *http.Client
	// Sleep, if set, replaces real waits between retries (tests).
	Sleep func(context.Context, time.Duration) error
	// RequestTimeout, if set, bounds each attempt (tests; default 30s).
	RequestTimeout time.Duration
	// Now, if set, is the pacer's clock (benchmarks on a fast clock; pair
	// it with Sleep).
	Now func() time.Time
	// Pacer, if set, replaces the run's pace.Pacer (tests that record it).
	Pacer cloudflare.Pacer
}

// Main runs the program and returns its exit code.
func Main(ctx context.Context, env Env) int {
	if len(env.Args) > 0 && env.Args[0] == "emulate" {
		return emulate(ctx, env)
	}
	if env.Getenv("GITHUB_ACTIONS") == "true" && len(env.Args) == 0 {
		return runAction(ctx, env)
	}
	return runCLI(ctx, env)
}

// runner holds what one run needs besides its configuration.
type runner struct {
	env Env
	log logger
}

// run is the whole flow: config -> resolve -> plan -> purge -> result.
// It always returns a result, also when the run fails.
func (rn runner) run(ctx context.Context, src config.Source) (r *result.Result) {
	start := time.Now()
	r = &result.Result{}
	defer func() { r.Finish(time.Since(start)) }()
	var cfg *config.Config
	defer func() {
		// A bug must not cost the outputs and the summary, nor print a
		// panic past the redactor.
		if p := recover(); p != nil {
			err := fmt.Errorf("internal error (please report it with the debug log): %v", p)
			rn.log.Debugf("%s", debug.Stack())
			if cfg != nil && len(r.Environments) == 0 {
				rn.stopped(r, cfg, r.ZoneID, err)
				return
			}
			r.Error = result.NewError(err)
			rn.log.Errorf("%s", r.Error.Text())
		}
	}()

	cfg, err := config.Load(src)
	if err != nil {
		r.Error = result.NewError(err)
		for _, e := range config.Problems(err) {
			rn.log.Errorf("%s", e)
		}
		return r
	}
	r.DryRun = cfg.DryRun
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	pacer := rn.env.Pacer
	var ownPacer *pace.Pacer
	if pacer == nil {
		ownPacer = pace.New(pace.Options{Now: rn.env.Now, Sleep: rn.env.Sleep})
		pacer = ownPacer
	}
	client := cloudflare.New(cloudflare.Options{
		BaseURL:        cfg.APIURL,
		Auth:           cfg.Auth,
		HTTPClient:     rn.env.HTTPClient,
		RequestTimeout: rn.env.RequestTimeout,
		Retry:          retry.Default(cfg.MaxRetries),
		Sleep:          rn.env.Sleep,
		Pacer:          pacer,
		Debugf:         rn.log.Debugf,
	})

	zoneID := cfg.Zone
	if cfg.ZoneIsID {
		r.ZoneID = zoneID
	} else {
		r.ZoneName = cfg.Zone
		rn.log.Infof("Looking up zone %q", cfg.Zone)
		z, err := resolve.Zone(ctx, client, cfg.Zone, cfg.AccountID)
		if err != nil {
			return rn.stopped(r, cfg, "", err)
		}
		zoneID, r.ZoneID = z.ID, z.ID
		if ownPacer != nil {
			// The plan names the account's purge budget: pace to it from the start.
			ownPacer.UsePlan(z.Plan)
		}
	}

	targets, err := resolve.Targets(ctx, client, zoneID, !cfg.ZoneIsID, cfg.Environments)
	if err != nil {
		return rn.stopped(r, cfg, zoneID, err)
	}
	p := plan.Build(zoneID, targets, cfg.Items, cfg.FilesPerRequest)
	if len(targets) > 1 && slices.ContainsFunc(targets, plan.Target.IsZone) {
		rn.log.Warningf("Production is purged through the zone endpoint, which purges every environment of the zone: purging the other environments as well sends requests that change nothing")
	}
	rn.log.Infof("Plan: %s in %s to %s", report.Count(cfg.Items.Count()*len(targets), "item"), report.Count(p.Requests(), "request"), describeTargets(targets))

	if cfg.DryRun {
		r.Environments = purge.Planned(p)
		rn.log.Infof("Dry run: no purge request sent")
		return r
	}
	r.Environments = purge.Run(ctx, p, client, purge.Options{Progress: progress(rn.log, p.Requests())})
	return r
}

// stopped records a run that ended before its purges: every item failed,
// with an error (result.StopError) that points at the run's.
func (rn runner) stopped(r *result.Result, cfg *config.Config, zoneID string, err error) *result.Result {
	r.Error = result.NewError(err)
	rn.log.Errorf("%s", r.Error.Text())
	targets := make([]plan.Target, 0, len(cfg.Environments))
	for _, e := range cfg.Environments {
		targets = append(targets, plan.Target{Name: e})
	}
	if len(targets) == 0 {
		targets = append(targets, plan.Target{Name: resolve.Production})
	}
	p := plan.Build(zoneID, targets, cfg.Items, cfg.FilesPerRequest)
	r.Environments = purge.Planned(p)
	for i := range r.Environments {
		r.Environments[i].Endpoint = "" // never resolved
	}
	if !cfg.DryRun {
		purge.Fail(r.Environments, p, result.StopError(r.Error))
	}
	return r
}

func describeTargets(ts []plan.Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		if t.IsZone() {
			s[i] = fmt.Sprintf("%s (zone endpoint: purges every environment)", t.Name)
		} else {
			s[i] = fmt.Sprintf("%s (ref %s)", t.Name, t.Ref)
		}
	}
	return strings.Join(s, ", ")
}

// progress logs long purges every few seconds, not every request.
func progress(log logger, total int) func(purge.Progress) {
	if total < 10 {
		return nil
	}
	var last time.Duration
	return func(p purge.Progress) {
		if p.Done != p.Total && p.Elapsed-last < 2*time.Second {
			return
		}
		last = p.Elapsed
		rate := float64(p.Items) / max(p.Elapsed.Seconds(), 0.001)
		log.Infof("Progress: %d/%d requests, %d/%d items, %d failed, %.0f items/s", p.Done, p.Total, p.Items, p.TotalItems, p.Failed, rate)
	}
}

// secretValues reads the secret inputs before validation, so that they are
// masked before anything else is printed.
func secretValues(input func(string) string, getenv func(string) string) []string {
	var out []string
	for _, in := range config.Inputs {
		if !in.Secret {
			continue
		}
		v := input(in.Name)
		if strings.TrimSpace(v) == "" && in.Env != "" {
			v = getenv(in.Env)
		}
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

// logGroups writes one group per environment with each request's outcome
// at ::debug::, then one ::error:: per distinct error (same code and
// message) per environment, with how many requests and items it failed:
// those that failed the most items first, as GitHub shows the first 10.
// Batches that the run's own error explains (it was logged when the run
// stopped) are not repeated. See failures.go.
func logGroups(log logger, r *result.Result) {
	for _, e := range r.Environments {
		title := e.Name
		if e.Ref != "" {
			title += " (ref " + e.Ref + ")"
		}
		log.Group(title)
		purged := 0
		for i, b := range e.Batches {
			switch {
			case isFailure(b):
				log.Debugf("request %d: %s failed after %s: %s", i+1, report.KindCount(b.Count, b.Kind), report.Count(b.Attempts, "attempt"), b.Error.Text())
			case b.Status == result.Purged:
				purged++
				log.Debugf("request %d: %s purged, id %s, %s", i+1, report.KindCount(b.Count, b.Kind), b.ID, report.Count(b.Attempts, "attempt"))
			}
		}
		switch {
		case e.Endpoint == "" && r.DryRun:
			log.Infof("%s: not resolved", e.Name)
		case e.Endpoint == "":
			log.Infof("%s: not purged (%s): the run stopped before its purges", e.Name, report.Kinds(e.Batches))
		case r.DryRun:
			log.Infof("%s: %s planned in %s", e.Name, report.Kinds(e.Batches), report.Count(len(e.Batches), "request"))
		default:
			log.Infof("%s: %s purged in %s of %s, %s failed", e.Name, report.Count(e.PurgedCount, "item"), report.Number(purged), report.Count(len(e.Batches), "request"), report.Number(e.FailedCount))
		}
		if e.Endpoint == result.EndpointZone && purged > 0 {
			log.Infof("Production goes through the zone endpoint: every environment of the zone was purged.")
		}
		log.EndGroup()
	}
	logFailures(log, failures(r), "the debug log, the job summary and the result output")
}

// runAction is the GitHub Action: inputs from INPUT_*, outputs to
// GITHUB_OUTPUT, the report to GITHUB_STEP_SUMMARY.
func runAction(ctx context.Context, env Env) int {
	raw := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	secrets := secretValues(raw.GetInput, env.Getenv)
	for _, s := range secrets {
		raw.AddMask(s) // before anything else is printed
	}
	red := newRedactor(secrets)
	gha := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(red.Writer(env.Stdout)))
	rn := runner{env: env, log: actionLog{gha}}

	r := rn.run(ctx, config.Source{Input: gha.GetInput, Getenv: env.Getenv, Dir: env.Getenv("GITHUB_WORKSPACE")})
	red.Result(r)

	logGroups(rn.log, r)
	if shown := report.PurgeIDsShown(r); shown < len(r.PurgeIDs) {
		rn.log.Warningf("The purge-ids output lists the first %d of %d purge IDs: GitHub limits an output to 1 MB (--json from the CLI lists them all)", shown, len(r.PurgeIDs))
	}
	if err := writeFiles(gha, red, r); err != nil {
		fmt.Fprintf(red.Writer(env.Stderr), "::error::cannot write the outputs or the job summary: %v\n", err)
		return result.ExitFailed
	}
	return r.ExitCode()
}

// writeFiles writes the outputs and the job summary. go-githubactions
// panics when the files cannot be written; that becomes an error here.
func writeFiles(gha *githubactions.Action, red redactor, r *result.Result) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	if gha.Getenv("GITHUB_OUTPUT") != "" {
		for _, o := range report.Outputs(r) {
			gha.SetOutput(o.Name, red.String(o.Value))
		}
	}
	if gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		gha.AddStepSummary(red.String(report.Summary(r)))
	}
	return nil
}
