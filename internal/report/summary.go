package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Bounds that keep the summary below GitHub's 1 MiB limit: counts of what
// is listed, the length of each text shown, and a byte budget for the
// whole, past which sections are left out.
const (
	summaryBudget      = 900 << 10
	summaryMaxIDs      = 50
	summaryMaxItems    = 20
	summaryMaxErrors   = 20
	summaryMaxProblems = 50
	summaryItemChars   = 200  // a URL may be 64 KiB long
	summaryMaxPlanned  = 100  // items a dry run lists per environment
	summaryOpenPlanned = 10   // shown open; a longer list is collapsed
	summaryTextChars   = 2000 // an error: an API or a proxy may say a lot
)

// summaryCutNote ends a summary that its budget cut short.
const summaryCutNote = "\n… the rest is left out to stay within GitHub's size limit for job summaries: see the `result` output.\n"

// Summary is the job summary in Markdown. User-supplied text is escaped.
// It stays within summaryBudget bytes.
func Summary(r *result.Result) string {
	return summary(r, summaryBudget)
}

// budgeted writes whole sections while they fit in its budget; once one
// does not, it takes no more.
type budgeted struct {
	b    strings.Builder
	left int
	cut  bool
}

func (w *budgeted) add(s string) {
	if w.cut || s == "" {
		return
	}
	if len(s) > w.left {
		w.cut = true
		return
	}
	w.b.WriteString(s)
	w.left -= len(s)
}

func summary(r *result.Result, budget int) string {
	if r.Skipped != "" {
		return skippedSummary(r)
	}
	w := &budgeted{left: budget - len(summaryCutNote)}
	n := named(r)
	w.add(heading(n))
	w.add(zoneTable(r))
	if !r.MultiZone() {
		zoneSection(w, r, r.Environments)
	} else {
		// Grouped by zone: a zone's environments are together (Layout).
		for start := 0; start < len(r.Environments); {
			end := start + 1
			for end < len(r.Environments) && r.Environments[end].Zone == r.Environments[start].Zone {
				end++
			}
			z := r.ZoneOf(r.Environments[start])
			w.add("### Zone " + oneZoneLabel(z.Name, z.ID, md, code) + "\n\n")
			zoneSection(w, r, r.Environments[start:end])
			start = end
		}
	}
	w.add(waitSection(n))
	writeFailures(w, n)
	for _, s := range verificationSections(n) {
		w.add(s)
	}
	w.add(warmSection(n))
	w.add(purgeIDs(r))
	if w.cut {
		w.b.WriteString(summaryCutNote)
	}
	return w.b.String()
}

// zoneSection is the table of envs, the environments of one zone, the
// note on Production's endpoint and, on a dry run, what each would purge.
func zoneSection(w *budgeted, r *result.Result, envs []result.Environment) {
	if len(envs) > 0 {
		w.add(envTableHeader(r))
		for _, e := range envs {
			w.add(envRow(r, e))
		}
		w.add("\n")
		for _, e := range envs {
			if e.Endpoint == result.EndpointZone && e.PurgedCount > 0 {
				wd := wordsOf(r)
				w.add(fmt.Sprintf("Production was %s through the zone endpoint, which %s **every environment** of the zone.\n\n", wd.past, wd.verbs))
				break
			}
		}
	}
	if r.DryRun {
		for _, e := range envs {
			w.add(plannedList(e, wordsOf(r).verb))
		}
	}
}

// skippedSummary is the whole summary of a run that sent nothing on
// purpose: the title and why.
func skippedSummary(r *result.Result) string {
	alert := "WARNING"
	if r.SkipQuietly {
		alert = "NOTE"
	}
	return fmt.Sprintf("## Cloudflare cache %s: skipped\n\n> [!%s]\n> **Skipped**: %s.\n", wordsOf(r).noun, alert, md(cut(r.Skipped, summaryTextChars)))
}

// heading is the title, the dry-run note and the run's error, with what
// the run did not purge because of it.
func heading(r *result.Result) string {
	var b strings.Builder
	wd := wordsOf(r)
	title := "Cloudflare cache " + wd.noun
	switch {
	case r.DryRun:
		title += ": dry run"
	case !r.Failed():
		title += ": done"
	case r.Error == nil && r.FailedCount == 0:
		// Every item purged, but some URLs still served old: the title
		// says what the table's Failed row (0 items) does not.
		var parts []string
		if r.StaleCount > 0 || r.OutdatedCount == 0 {
			parts = append(parts, Count(r.StaleCount, "URL")+" stale")
		}
		if r.OutdatedCount > 0 {
			parts = append(parts, Count(r.OutdatedCount, "URL")+" outdated")
		}
		title += ": " + strings.Join(parts, ", ")
	default:
		title += ": failed"
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	if r.DryRun {
		zone := "zone"
		if r.MultiZone() {
			zone = "zones"
		}
		fmt.Fprintf(&b, "> [!NOTE]\n> **Dry run**: the %s and environments were resolved and the %s planned; no %s request was sent.\n\n", zone, wd.noun, wd.noun)
	}
	if r.Error == nil {
		return b.String()
	}
	b.WriteString("> [!CAUTION]\n")
	if ps := r.Error.Problems(); r.Error.Kind == result.ErrorInput && len(ps) > 1 {
		fmt.Fprintf(&b, "> %s with the inputs:\n>\n", Count(len(ps), "problem"))
		for i, p := range ps {
			if i == summaryMaxProblems {
				fmt.Fprintf(&b, "> - … and %s more\n", Number(len(ps)-summaryMaxProblems))
				break
			}
			fmt.Fprintf(&b, "> - %s\n", md(cut(p, summaryTextChars)))
		}
		if r.Error.Hint != "" {
			fmt.Fprintf(&b, ">\n> %s\n", md(cut(r.Error.Hint, summaryTextChars)))
		}
	} else {
		fmt.Fprintf(&b, "> %s\n", md(cut(r.Error.Text(), summaryTextChars)))
	}
	var lost []string
	for _, e := range r.Environments {
		if k := kindsOf(e, func(b result.Batch) bool { return b.Status == result.Failed && b.Error.IsStop() }); k != "" {
			lost = append(lost, md(e.Name)+": "+k)
		}
	}
	if len(lost) > 0 {
		fmt.Fprintf(&b, ">\n> **Not %s** (%s): %s.\n", wd.past, Count(stoppedItems(r), "item"), strings.Join(lost, "; "))
	}
	b.WriteString("\n")
	return b.String()
}

func stoppedItems(r *result.Result) int {
	n := 0
	for _, e := range r.Environments {
		for _, b := range e.Batches {
			if b.Status == result.Failed && b.Error.IsStop() {
				n += b.Count
			}
		}
	}
	return n
}

func zoneTable(r *result.Result) string {
	var b strings.Builder
	zone := zoneLabel(r, md, code)
	if zone == "" {
		zone = "not resolved"
	}
	if r.MultiZone() {
		fmt.Fprintf(&b, "| Zones | %s |\n|---|---|\n", zone)
	} else {
		fmt.Fprintf(&b, "| Zone | %s |\n|---|---|\n", zone)
	}
	if r.DryRun {
		fmt.Fprintf(&b, "| Planned | %s in %s |\n", Count(planned(r), "item"), Count(plannedRequests(r), "request"))
	} else if r.Refused() {
		// Nothing was sent: the items are not failed purges but unsent.
		if r.FailedCount > 0 {
			fmt.Fprintf(&b, "| Not sent | %s |\n", Count(r.FailedCount, "item"))
		}
		fmt.Fprintf(&b, "| Requests sent | %s |\n", Number(r.Requests))
	} else {
		fmt.Fprintf(&b, "| %s | %s |\n| Failed | %s |\n| Requests sent | %s |\n", wordsOf(r).Past, Count(r.PurgedCount, "item"), Count(r.FailedCount, "item"), Number(r.Requests))
		if r.Verify {
			fmt.Fprintf(&b, "| Verified | %s |\n| Stale | %s |\n", Count(r.VerifiedCount, "URL"), Count(r.StaleCount, "URL"))
			if r.Expect != "" {
				fmt.Fprintf(&b, "| Outdated | %s |\n", Count(r.OutdatedCount, "URL"))
			}
		}
		if r.Warm {
			fmt.Fprintf(&b, "| Warmed | %s, %s failed |\n", Count(r.WarmedCount, "request"), Number(r.WarmFailedCount))
		}
	}
	fmt.Fprintf(&b, "| Duration | %s |\n\n", (time.Duration(r.DurationMS) * time.Millisecond).String())
	return b.String()
}

func envTableHeader(r *result.Result) string {
	requests := "Requests sent"
	if r.DryRun {
		requests = "Planned requests"
	}
	if r.DryRun {
		// Nothing is purged or failed on a dry run: no columns for it.
		return "| Environment | Ref | Endpoint | Items | " + requests + " |\n|---|---|---|---|---|\n"
	}
	failed := "Failed"
	if r.Refused() {
		failed = "Not sent"
	}
	return "| Environment | Ref | Endpoint | Items | " + requests + " | " + wordsOf(r).Past + " | " + failed + " |\n|---|---|---|---|---|---|---|\n"
}

func envRow(r *result.Result, e result.Environment) string {
	ref := code(e.Ref)
	if e.Ref == "" {
		ref = "–"
	}
	if r.DryRun {
		return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", md(e.Name), ref, endpoint(e), kinds(e), Number(len(e.Batches)))
	}
	requests := sent(e)
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |\n", md(e.Name), ref, endpoint(e), kinds(e), Number(requests), Number(e.PurgedCount), Number(e.FailedCount))
}

// sent is the purge requests sent to an environment, retries included.
func sent(e result.Environment) int {
	n := 0
	for _, b := range e.Batches {
		n += b.Attempts
	}
	return n
}

// plannedList is what a dry run would purge in an environment: open when
// short, in a collapsed section when long, bounded either way.
func plannedList(e result.Environment, verb string) string {
	items, more := plannedItems(e, summaryMaxPlanned)
	if len(items) == 0 {
		return ""
	}
	var list strings.Builder
	for _, it := range items {
		fmt.Fprintf(&list, "- %s\n", md(cut(it, summaryItemChars)))
	}
	if more > 0 {
		fmt.Fprintf(&list, "- … and %s more (see the `result` output)\n", Number(more))
	}
	if len(items) <= summaryOpenPlanned {
		return fmt.Sprintf("**%s** would %s:\n\n%s\n", md(e.Name), verb, list.String())
	}
	return fmt.Sprintf("<details><summary>%s would %s %s</summary>\n\n%s\n</details>\n\n", md(e.Name), verb, kinds(e), list.String())
}

// writeFailures lists the failed requests with their errors and items,
// but not those that the run's error explains (a run stopped before its
// purges): the caution block says it once.
func writeFailures(w *budgeted, r *result.Result) {
	shown := 0
	for _, e := range r.Environments {
		for i, bt := range e.Batches {
			if !bt.FailedOnItsOwn() {
				continue
			}
			if shown++; shown > summaryMaxErrors {
				continue
			}
			var b strings.Builder
			if shown == 1 {
				b.WriteString("### Failures\n\n")
			}
			fmt.Fprintf(&b, "- **%s, request %d (%s)**: %s\n", md(e.Name), i+1, KindCount(bt.Count, bt.Kind), md(cut(bt.Error.Text(), summaryTextChars)))
			items, more := firstN(bt.Items, summaryMaxItems)
			// Folded as a dry run's list is: open when short.
			folded := len(items) > summaryOpenPlanned
			if folded {
				fmt.Fprintf(&b, "\n  <details><summary>%s</summary>\n\n", KindCount(bt.Count, bt.Kind))
			}
			for _, it := range items {
				fmt.Fprintf(&b, "  - %s\n", md(cut(it, summaryItemChars)))
			}
			if more > 0 {
				fmt.Fprintf(&b, "  - … and %s more\n", Number(more))
			}
			if folded {
				b.WriteString("\n  </details>\n\n")
			}
			w.add(b.String())
		}
	}
	if shown > summaryMaxErrors {
		w.add(fmt.Sprintf("- … and %s more failed requests (see the `result` output)\n", Number(shown-summaryMaxErrors)))
	}
	if shown > 0 {
		w.add("\n")
	}
}

func purgeIDs(r *result.Result) string {
	if len(r.PurgeIDs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary>%s (%s)</summary>\n\n", wordsOf(r).idsFor, Number(len(r.PurgeIDs)))
	ids, more := firstN(r.PurgeIDs, summaryMaxIDs)
	for _, id := range ids {
		fmt.Fprintf(&b, "- %s\n", code(cut(id, summaryItemChars)))
	}
	if more > 0 {
		fmt.Fprintf(&b, "- … and %s more (see the `purge-ids` output)\n", Number(more))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func endpoint(e result.Environment) string {
	switch e.Endpoint {
	case result.EndpointZone:
		return "zone (all environments)"
	case result.EndpointEnvironment:
		return "environment"
	}
	return "not resolved"
}

// kinds says what an environment's batches hold: "30 URLs, 2 tags".
func kinds(e result.Environment) string { return Kinds(e.Batches) }

// Kinds says what batches hold, per kind in order of appearance:
// "100,000 URLs", "30 URLs, 2 tags".
func Kinds(batches []result.Batch) string {
	return kindsOf(result.Environment{Batches: batches}, func(result.Batch) bool { return true })
}

func kindsOf(e result.Environment, keep func(result.Batch) bool) string {
	counts := map[result.Kind]int{}
	var order []result.Kind
	for _, b := range e.Batches {
		if !keep(b) {
			continue
		}
		if _, ok := counts[b.Kind]; !ok {
			order = append(order, b.Kind)
		}
		counts[b.Kind] += b.Count
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = KindCount(counts[k], k)
	}
	return strings.Join(parts, ", ")
}

func planned(r *result.Result) int {
	n := 0
	for _, e := range r.Environments {
		for _, b := range e.Batches {
			n += b.Count
		}
	}
	return n
}

func plannedRequests(r *result.Result) int {
	n := 0
	for _, e := range r.Environments {
		n += len(e.Batches)
	}
	return n
}

// md escapes user text for Markdown and HTML: it cannot open a tag, a link,
// a table cell or a code span, nor span lines.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '#', '|', '!', '~', '{', '}', '+', '-', '.', '"', '\'', ':', '@', '=':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// code shows an id (hex from Cloudflare or the user) as a code span. An
// id that is not one (a hostile API, a proxy) is escaped text instead: in
// a code span, a line break or a pipe would still end the line or the
// table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	if !result.IsID(s) {
		return md(s)
	}
	return "`" + s + "`"
}
