package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Level is how a log line is shown: a workflow command in GitHub Actions
// (::debug::, ::warning::, ::error::, ::group::), a prefix in the CLI.
type Level int

const (
	Debug Level = iota
	Info
	Warning
	Error
	Group    // Text is the group's title
	EndGroup // Text is empty
	Notice   // ::notice::, less than a warning
)

// Line is one log line, rendered from a Result: the app prints them.
type Line struct {
	Level Level
	Text  string
}

// logTextChars bounds every text a log line quotes (an error from the API
// or a proxy may be long): the result output keeps the whole.
const logTextChars = 2000

// maxErrorLines bounds the error lines: GitHub makes annotations of the
// first 10 of a step only, and a terminal needs no more (the report lists
// every failed request).
const maxErrorLines = 10

// PlanLines say what the run is about to purge, once the targets are
// resolved: a warning when Production makes the other environments
// redundant, and the plan.
func PlanLines(r *result.Result) []Line {
	var out []Line
	// Per zone: Production's endpoint purges that zone's environments.
	zone, envs := map[int]bool{}, map[int]int{}
	redundant := false
	for _, e := range r.Environments {
		zone[e.Zone] = zone[e.Zone] || e.Endpoint == result.EndpointZone
		envs[e.Zone]++
		redundant = redundant || zone[e.Zone] && envs[e.Zone] > 1
	}
	r = named(r)
	if redundant {
		w := wordsOf(r)
		out = append(out, Line{Warning, fmt.Sprintf("Production is %s through the zone endpoint, which %s every environment of the zone: %sing the other environments as well sends requests that change nothing", w.past, w.verbs, strings.TrimSuffix(w.verb, "e"))})
	}
	targets := make([]string, len(r.Environments))
	for i, e := range r.Environments {
		targets[i] = e.Name + " (" + where(r, e) + ")"
	}
	out = append(out, Line{Info, fmt.Sprintf("Plan: %s in %s to %s", Count(planned(r), "item"), Count(plannedRequests(r), "request"), strings.Join(targets, ", "))})
	return out
}

// SkipLines say that the run was skipped, and why: a warning, or a notice
// when the user asked for no more (if-no-credentials: ignore).
func SkipLines(r *result.Result) []Line {
	if r.Skipped == "" {
		return nil
	}
	level := Warning
	if r.SkipQuietly {
		level = Notice
	}
	return []Line{{level, "Skipped: " + r.Skipped}}
}

// ProgressLine is a long purge's progress: requests and items apart, and
// the rate of the items that went through (failures are not progress).
func ProgressLine(p result.Progress) string {
	rate := float64(p.Items) / max(p.Elapsed.Seconds(), 0.001)
	line := fmt.Sprintf("Progress: %s of %s requests done", Number(p.Done), Number(p.Total))
	if p.Failed > 0 {
		line += fmt.Sprintf(" (%s failed)", Number(p.Failed))
	}
	line += fmt.Sprintf("; %s of %s items through", Number(p.Items), Number(p.TotalItems))
	if p.FailedItems > 0 {
		line += fmt.Sprintf(", %s failed", Number(p.FailedItems))
	}
	return line + fmt.Sprintf("; %s items/s", Number(int(rate+0.5)))
}

// Log is the action's log of a finished run: one group per environment
// with each request's outcome at debug level and the environment's status
// line, then the failures (see FailureLines).
func Log(r *result.Result) []Line {
	r = named(r)
	w := wordsOf(r)
	out := waitLines(r)
	for _, e := range r.Environments {
		title := e.Name
		if e.Ref != "" {
			title += " (ref " + e.Ref + ")"
		}
		out = append(out, Line{Group, title})
		out = append(out, requestLines(r, e)...)
		out = append(out, Line{Info, envLine(r, e)})
		if r.DryRun {
			items, more := plannedItems(e, logMaxPlanned)
			for _, it := range items {
				out = append(out, Line{Info, "  " + cut(it, logTextChars)})
			}
			if more > 0 {
				out = append(out, Line{Info, fmt.Sprintf("  … and %s more (the result output lists them all)", Number(more))})
			}
		}
		out = append(out, verificationLines(e, w)...)
		out = append(out, warmLines(e)...)
		if e.Endpoint == result.EndpointZone && e.PurgedCount > 0 {
			out = append(out, Line{Info, "Production goes through the zone endpoint: every environment of the zone was " + w.past + "."})
		}
		out = append(out, Line{EndGroup, ""})
	}
	out = append(out, failureLines(r, "the debug log, the job summary and the result output")...)
	if shown := PurgeIDsShown(r); shown < len(r.PurgeIDs) {
		out = append(out, Line{Warning, fmt.Sprintf("The purge-ids output lists the first %d of %d purge IDs: GitHub limits an output to 1 MB (--json from the CLI lists them all)", shown, len(r.PurgeIDs))})
	}
	return out
}

// logMaxPlanned bounds the items a dry run lists per environment in the
// log; requestMaxItems those a debug line lists per request.
const (
	logMaxPlanned   = 100
	requestMaxItems = 10
)

// requestLines are an environment's requests at debug level: each one's
// outcome and its items (bounded).
func requestLines(r *result.Result, e result.Environment) []Line {
	w := wordsOf(r)
	var out []Line
	for i, b := range e.Batches {
		var what string
		switch {
		case b.FailedOnItsOwn():
			what = fmt.Sprintf("request %d: %s failed after %s: %s", i+1, KindCount(b.Count, b.Kind), Count(b.Attempts, "attempt"), cut(b.Error.Text(), logTextChars))
		case b.Status == result.Purged:
			what = fmt.Sprintf("request %d: %s %s, id %s, %s", i+1, KindCount(b.Count, b.Kind), w.past, b.ID, Count(b.Attempts, "attempt"))
		default:
			continue
		}
		items, more := firstN(b.Items, requestMaxItems)
		list := make([]string, len(items))
		for j, it := range items {
			list[j] = cut(it, summaryItemChars)
		}
		if len(list) > 0 {
			what += ": " + strings.Join(list, " ")
			if more > 0 {
				what += fmt.Sprintf(" … and %s more", Number(more))
			}
		}
		out = append(out, Line{Debug, what})
	}
	return out
}

// DebugLines are every environment's requests at debug level (the CLI's
// --debug; the action's log has them in its groups).
func DebugLines(r *result.Result) []Line {
	r = named(r)
	var out []Line
	for _, e := range r.Environments {
		out = append(out, requestLines(r, e)...)
	}
	return out
}

// plannedItems are the first n of what an environment's batches purge, in
// plan order, as a reader of a plan wants them: URLs as they are, "tag a",
// "host h", "prefix p", "everything"; and how many more there are.
func plannedItems(e result.Environment, n int) (items []string, more int) {
	for _, b := range e.Batches {
		if b.Kind == result.KindEverything {
			b.Items = []string{"everything"}
		}
		for _, it := range b.Items {
			if len(items) == n {
				more++
				continue
			}
			items = append(items, itemLabel(b.Kind, it))
		}
	}
	return items, more
}

func itemLabel(k result.Kind, item string) string {
	switch k {
	case result.KindTags:
		return "tag " + item
	case result.KindHosts:
		return "host " + item
	case result.KindPrefixes:
		return "prefix " + item
	}
	return item
}

// envLine is an environment's status, the same in the log and the CLI's
// report: "Staging (environment endpoint, ref …): 32 URLs: 30 purged, 2
// failed, 3 requests sent".
func envLine(r *result.Result, e result.Environment) string {
	if r.DryRun {
		return fmt.Sprintf("%s (%s): %s in %s", e.Name, where(r, e), kinds(e), Count(len(e.Batches), "request"))
	}
	return fmt.Sprintf("%s (%s): %s: %s %s, %s failed, %s sent", e.Name, where(r, e), kinds(e), Number(e.PurgedCount), wordsOf(r).past, Number(e.FailedCount), Count(sent(e), "request"))
}

// where is an environment's endpoint in words.
func where(r *result.Result, e result.Environment) string {
	switch {
	case e.Endpoint == result.EndpointZone:
		return "zone endpoint: " + wordsOf(r).verbs + " every environment"
	case e.Endpoint == "" || e.Ref == "":
		return "not resolved"
	}
	return "environment endpoint, ref " + e.Ref
}

// failure is one distinct error of an environment's failed requests.
type failure struct {
	env      string
	err      *result.Error
	requests int
	items    int
	batches  []result.Batch
}

// failureKey is what makes an error distinct within an environment: its
// kind, step, HTTP status and Cloudflare code, not its text, which may
// carry a duration or a count that differs from request to request. An
// error with neither status nor code (the network, the pacer, the
// deadline) is told apart by its message without its numbers.
type failureKey struct {
	kind, step   string
	status, code int
	shape        string
}

func keyOf(e *result.Error) failureKey {
	k := failureKey{kind: string(e.Kind), step: e.Step, status: e.HTTPStatus, code: e.Code}
	if k.status == 0 && k.code == 0 {
		k.shape = numbers.ReplaceAllString(e.Message, "#")
	}
	return k
}

// numbers are the numbers of a message, durations (4m51.085s), addresses
// and counts included.
var numbers = regexp.MustCompile(`[0-9][0-9.,]*(?:[a-zµ]+[0-9][0-9.,]*)*[a-zµ]*`)

// failures groups the requests of r that failed on their own by distinct
// error (see failureKey) per environment, with how many requests and items
// each failed: those that failed the most items first, in order of
// appearance otherwise.
func failures(r *result.Result) []*failure {
	var fails []*failure
	for _, e := range r.Environments {
		byErr := map[failureKey]*failure{}
		for _, b := range e.Batches {
			if !b.FailedOnItsOwn() {
				continue
			}
			k := keyOf(b.Error)
			f := byErr[k]
			if f == nil {
				f = &failure{env: e.Name, err: b.Error}
				byErr[k] = f
				fails = append(fails, f)
			}
			f.requests++
			f.items += b.Count
			f.batches = append(f.batches, b)
		}
	}
	slices.SortStableFunc(fails, func(a, b *failure) int { return b.items - a.items })
	return fails
}

// FailureLines are one error line per distinct failure, at most
// maxErrorLines: past them, the last line counts the others and points at
// where (see) they are all listed; then one per stale URL. Batches that
// the run's own error explains are not repeated: it was logged when the
// run stopped.
func FailureLines(r *result.Result, see string) []Line {
	return failureLines(named(r), see)
}

// failureLines is FailureLines of r already named.
func failureLines(r *result.Result, see string) []Line {
	out := append(batchFailureLines(r, see), waitErrorLines(r)...)
	out = append(out, staleLines(r)...)
	return append(out, outdatedLines(r)...)
}

func batchFailureLines(r *result.Result, see string) []Line {
	fails := failures(r)
	var out []Line
	for i, f := range fails {
		if i == maxErrorLines-1 && len(fails) > maxErrorLines {
			requests, items := 0, 0
			for _, g := range fails[i:] {
				requests, items = requests+g.requests, items+g.items
			}
			out = append(out, Line{Error, fmt.Sprintf("%s (%s) failed with %s: see %s",
				Count(requests, "more request"), Count(items, "item"), Count(len(fails)-i, "other error"), see)})
			break
		}
		out = append(out, Line{Error, fmt.Sprintf("%s: %s (%s) failed: %s", f.env, Count(f.requests, "request"), Kinds(f.batches), cut(f.err.Text(), logTextChars))})
	}
	return out
}

// RunErrorLines are the lines of a run's own error: one per input problem,
// else its text.
func RunErrorLines(e *result.Error) []Line {
	if e == nil {
		return nil
	}
	if e.Kind == result.ErrorInput {
		var out []Line
		for _, p := range e.Problems() {
			out = append(out, Line{Error, cut(p, logTextChars)})
		}
		return out
	}
	return []Line{{Error, cut(e.Text(), logTextChars)}}
}

// Defuse keeps text from forming a workflow command wherever it is printed:
// the runner reads "::" at the start of a line (it breaks lines at \n and
// \r) after any white space (Unicode's, not only ASCII's), and the legacy
// "##[" anywhere in a line. A word joiner breaks "##["; a line that would
// start a command gets a mark in front.
func Defuse(s string) string {
	s = strings.ReplaceAll(s, "##[", "##\u2060[")
	if !strings.Contains(s, "::") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		end := strings.IndexAny(s, "\r\n")
		line := s
		if end >= 0 {
			line = s[:end]
		}
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			b.WriteString("›")
		}
		if end < 0 {
			b.WriteString(line)
			break
		}
		b.WriteString(s[:end+1])
		s = s[end+1:]
	}
	return b.String()
}
