package app

import (
	"context"
	"fmt"

	"github.com/sethvargo/go-githubactions"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/ghaout"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// runAction is the GitHub Action: inputs from INPUT_*, outputs to
// GITHUB_OUTPUT, the report to GITHUB_STEP_SUMMARY.
func runAction(ctx context.Context, env Env) int {
	raw := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	secrets := secretValues(raw.GetInput, env.Getenv)
	for _, s := range secrets {
		raw.AddMask(s) // before anything else is printed
	}
	red := redact.New(secrets...)
	stdout := red.Writer(env.Stdout)
	defer stdout.Flush()
	gha := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(stdout))
	rn := runner{env: env, log: actionLog{a: gha, red: red}, mask: func(secrets ...string) {
		for _, s := range secrets {
			raw.AddMask(s)
		}
		red.Add(secrets...)
	}, redact: red.String}

	r := rn.run(ctx, config.Source{Input: gha.GetInput, Getenv: env.Getenv, Dir: env.Getenv("GITHUB_WORKSPACE")})
	redactResult(red, r)

	printLines(rn.log, report.Log(r))
	code := exitCode(report.OutcomeOf(r))
	// Each file on its own: a summary is worth writing when the outputs
	// cannot be, and the other way round. A run refused for its
	// configuration keeps its exit code.
	for _, write := range []struct {
		what string
		do   func() error
	}{
		{"the outputs (GITHUB_OUTPUT)", func() error { return writeOutputs(env.Getenv("GITHUB_OUTPUT"), red, r) }},
		{"the job summary (GITHUB_STEP_SUMMARY)", func() error { return writeSummary(gha, red, r) }},
	} {
		if err := write.do(); err != nil {
			rn.log.Errorf("cannot write %s: %v", write.what, err)
			if code == ExitOK {
				code = ExitFailed
			}
		}
	}
	return code
}

// writeOutputs writes the outputs, each with a random delimiter of its own
// (go-githubactions' fixed one could be forged by a value).
func writeOutputs(path string, red *redact.Redactor, r *result.Result) error {
	if path == "" {
		return nil
	}
	var outs []ghaout.Output
	for _, o := range report.Outputs(r) {
		outs = append(outs, ghaout.Output{Name: o.Name, Value: red.String(o.Value)})
	}
	return ghaout.WriteFile(path, outs)
}

// writeSummary writes the job summary, as writeOutputs the outputs.
func writeSummary(gha *githubactions.Action, red *redact.Redactor, r *result.Result) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	if gha.Getenv("GITHUB_STEP_SUMMARY") != "" {
		gha.AddStepSummary(red.String(report.Summary(r)))
	}
	return nil
}
