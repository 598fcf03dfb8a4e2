package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Bounds of the wait's and the warming's lists: error lines for the URLs
// that never served the new build, warnings for requests that did not warm,
// rows of the summary.
const (
	maxWaitLines      = 10
	maxWarmLines      = 10
	summaryMaxWaitURL = 50
	logMaxWaitURLs    = 100
)

// WaitProgressLine is the wait's progress: "Waiting for the new build: 3/6
// ready, 12s elapsed".
func WaitProgressLine(ready, total int, elapsed time.Duration) string {
	return fmt.Sprintf("Waiting for the new build: %d/%d ready, %s elapsed", ready, total, elapsed.Round(time.Second))
}

// WaitDoneLine says the wait is over and the purge starts.
func WaitDoneLine(w *result.Wait) string {
	ready := 0
	for _, c := range w.URLs {
		if c.State == result.WaitReady {
			ready++
		}
	}
	return fmt.Sprintf("The new build is served: %s ready after %s (%s); purging now", Count(ready, "URL"), ms(w.DurationMS), Count(w.Requests, "request"))
}

// WaitErrorText is the run's error when the wait did not end ready.
func WaitErrorText(w *result.Wait) string {
	switch w.Status {
	case result.WaitStatusQueryIgnored:
		return "nothing was purged: " + w.Reason
	case result.WaitStatusStopped:
		return "nothing was purged: " + w.Reason
	}
	notReady := 0
	for _, c := range w.URLs {
		if c.State == result.WaitNotReady {
			notReady++
		}
	}
	return fmt.Sprintf("nothing was purged: %s of %d did not serve the new build (%s): %s. A purge now would let the old build be cached again. "+
		"Check that the deploy finished and serves exactly that, or give wait longer (and timeout with it)",
		Count(notReady, "URL"), len(w.URLs), w.Expect, w.Reason)
}

func ms(n int64) string {
	return (time.Duration(n) * time.Millisecond).Round(100 * time.Millisecond).String()
}

// waitAnswer is what a wait URL served last: "X-Build: v1 (HTTP 200,
// CF-Cache-Status MISS)".
func waitAnswer(c result.WaitCheck) string {
	var parts []string
	if c.HTTPStatus != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", c.HTTPStatus))
	}
	if c.CacheStatus != "" {
		parts = append(parts, "CF-Cache-Status "+c.CacheStatus)
	}
	s := c.Seen
	switch {
	case s == "" && c.Reason != "":
		s = "nothing (" + c.Reason + ")"
	case s == "":
		s = "nothing yet"
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// waitCheckText is one wait URL's outcome in words.
func waitCheckText(c result.WaitCheck) string {
	switch c.State {
	case result.WaitReady:
		return fmt.Sprintf("ready after %s (%s)", ms(c.AfterMS), Count(c.Attempts, "request"))
	case result.WaitNotWaitable:
		return "not waited for: " + c.Reason
	}
	return fmt.Sprintf("not ready after %s: served %s", Count(c.Attempts, "request"), waitAnswer(c))
}

// waitLines are the wait in the log: a line per URL.
func waitLines(r *result.Result) []Line {
	w := r.Wait
	if w == nil {
		return nil
	}
	out := []Line{{Info, fmt.Sprintf("Wait for the new build (%s): %s after %s, %s", cut(w.Expect, logTextChars), strings.ReplaceAll(w.Status, "_", " "), ms(w.DurationMS), Count(w.Requests, "request"))}}
	shown, more := firstN(w.URLs, logMaxWaitURLs)
	for _, c := range shown {
		level := Info
		if c.State == result.WaitNotWaitable {
			level = Warning
		}
		out = append(out, Line{level, fmt.Sprintf("  %s: %s: %s", c.Environment, cut(c.URL, logTextChars), cut(waitCheckText(c), logTextChars))})
	}
	if more > 0 {
		out = append(out, Line{Info, fmt.Sprintf("  … and %s more (the job summary and the result output list them)", Number(more))})
	}
	return out
}

// waitErrorLines are one error per URL that did not serve the new build
// when the wait ended, at most maxWaitLines.
func waitErrorLines(r *result.Result) []Line {
	w := r.Wait
	if w == nil || w.Status != result.WaitStatusTimedOut {
		return nil
	}
	var out []Line
	n := 0
	for _, c := range w.URLs {
		if c.State != result.WaitNotReady {
			continue
		}
		if n++; n <= maxWaitLines {
			out = append(out, Line{Error, fmt.Sprintf("%s: %s did not serve the new build (%s) within the wait: it served %s", c.Environment, cut(c.URL, logTextChars), cut(w.Expect, logTextChars), cut(waitAnswer(c), logTextChars))})
		}
	}
	if n > maxWaitLines {
		out = append(out, Line{Error, fmt.Sprintf("%s more URLs did not serve the new build: see the job summary and the result output", Number(n-maxWaitLines))})
	}
	return out
}

// outdatedLines are one error per URL still outdated after the purge (and
// the one purge again), at most maxStaleLines.
func outdatedLines(r *result.Result) []Line {
	return verdictLines(r, result.VerdictOutdated, "outdated", func(e result.Environment, c result.URLCheck) string {
		return fmt.Sprintf("%s: %s does not serve the new build after the %s: it serves %s (%s). %s", e.Name, cut(c.URL, logTextChars), wordsOf(r).noun, cut(c.Seen, logTextChars), answer(c), outdatedHint(c))
	})
}

// outdatedHint says what to do about an outdated URL, from what its origin
// served.
func outdatedHint(c result.URLCheck) string {
	switch {
	case c.Repurged:
		return "It was purged a second time once its origin served the new build, and still is not: something in front of the origin (another cache, a CDN, a service worker) keeps the old one"
	case c.OriginSeen != "":
		return "Its origin serves " + c.OriginSeen + ": the deploy has not landed there; purge after it has (wait, expect-header)"
	}
	return "Check that the URL is one the deploy changed and that the expectation is what it serves"
}

// repurgeText says what the second purge did.
func repurgeText(p *result.Repurge, w words) string {
	switch p.Status {
	case result.Purged:
		return fmt.Sprintf("%s once more (id %s) after the origin served the new build, then verified again: %s", w.past, p.ID, strings.Join(p.URLs, ", "))
	}
	msg := "failed"
	if p.Error != nil {
		msg = "failed: " + p.Error.Text()
	}
	return fmt.Sprintf("the second %s of %s %s", w.noun, strings.Join(p.URLs, ", "), msg)
}

// warmLines are an environment's warming in the log: its counts, then a
// warning per request that did not warm (bounded).
func warmLines(e result.Environment) []Line {
	w := e.Warm
	if w == nil {
		return nil
	}
	switch w.Status {
	case result.WarmNotWarmable:
		return []Line{{Warning, fmt.Sprintf("%s: not warmed: %s", e.Name, cut(w.Reason, logTextChars))}}
	case result.WarmSkipped:
		return []Line{{Info, fmt.Sprintf("%s: warming skipped: %s", e.Name, cut(w.Reason, logTextChars))}}
	}
	out := []Line{{Info, warmLine(e)}}
	for i, f := range w.Failures {
		if i == maxWarmLines {
			break
		}
		out = append(out, Line{Warning, fmt.Sprintf("%s: warming %s: %s", e.Name, cut(f.URL, logTextChars), cut(f.Reason, logTextChars))})
	}
	if w.FailedCount > min(len(w.Failures), maxWarmLines) {
		out = append(out, Line{Warning, fmt.Sprintf("%s: %s more warm requests did not come back 2xx: see the result output", e.Name, Number(w.FailedCount-min(len(w.Failures), maxWarmLines)))})
	}
	return out
}

func warmLine(e result.Environment) string {
	w := e.Warm
	return fmt.Sprintf("%s: warmed %s of %s, %s failed", e.Name, Number(w.WarmedCount), Count(w.Requested, "request"), Number(w.FailedCount))
}

// SitemapLine says what the sitemap held.
func SitemapLine(s *result.Sitemap) string {
	if s.Error != "" && s.Pages == 0 {
		return fmt.Sprintf("Sitemap %s not read: %s", cut(s.URL, logTextChars), cut(s.Error, logTextChars))
	}
	line := fmt.Sprintf("Sitemap %s: %s to warm", cut(s.URL, logTextChars), Count(s.Pages, "page"))
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %s skipped (not the zone's hosts, or not http(s))", Number(s.Skipped))
	}
	if s.Truncated {
		line += ", cut at 10 MiB or 50,000 URLs"
	}
	if s.Error != "" {
		line += "; " + cut(s.Error, logTextChars)
	}
	return line
}

// waitSection is the summary's section on the wait.
func waitSection(r *result.Result) string {
	w := r.Wait
	if w == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### Wait for the new build\n\n**%s** after %s (limit %s), %s, expecting %s\n\n", md(strings.ReplaceAll(w.Status, "_", " ")), ms(w.DurationMS), ms(w.LimitMS), Count(w.Requests, "request"), md(cut(w.Expect, summaryTextChars)))
	if w.Status == result.WaitStatusQueryIgnored {
		fmt.Fprintf(&b, "> [!CAUTION]\n> %s\n\n", md(cut(w.Reason, summaryTextChars)))
	}
	b.WriteString("| Environment | URL | Outcome |\n|---|---|---|\n")
	cs := slices.Clone(w.URLs)
	slices.SortStableFunc(cs, func(a, b result.WaitCheck) int {
		return boolRank(a.State == result.WaitReady) - boolRank(b.State == result.WaitReady)
	})
	shown, more := firstN(cs, summaryMaxWaitURL)
	for _, c := range shown {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", md(c.Environment), md(cut(c.URL, summaryItemChars)), md(cut(waitCheckText(c), summaryTextChars)))
	}
	if more > 0 {
		fmt.Fprintf(&b, "| … | and %s more | see the `result` output |\n", Number(more))
	}
	b.WriteString("\n")
	return b.String()
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// warmSection is the summary's section on warming.
func warmSection(r *result.Result) string {
	if !r.Warm {
		return ""
	}
	var b strings.Builder
	b.WriteString("### Warming\n\n")
	if s := r.Sitemap; s != nil {
		fmt.Fprintf(&b, "%s\n\n", md(SitemapLine(s)))
	}
	for _, e := range r.Environments {
		w := e.Warm
		if w == nil {
			continue
		}
		switch w.Status {
		case result.WarmDone:
			fmt.Fprintf(&b, "- %s\n", md(warmLine(e)))
			for i, f := range w.Failures {
				if i == maxWarmLines {
					break
				}
				fmt.Fprintf(&b, "  - %s: %s\n", md(cut(f.URL, summaryItemChars)), md(cut(f.Reason, summaryTextChars)))
			}
		default:
			fmt.Fprintf(&b, "- **%s**: %s: %s\n", md(e.Name), md(strings.ReplaceAll(w.Status, "_", " ")), md(cut(w.Reason, summaryTextChars)))
		}
	}
	b.WriteString("\n")
	return b.String()
}
