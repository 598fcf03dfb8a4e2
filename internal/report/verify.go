package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Bounds of what the reports list of a verification: the URLs per
// environment in the summary (fewer when many environments were verified:
// summaryMaxRows over all), the log and the CLI's report, and the ::error::
// lines for stale URLs. 50 environments of 1,000 URLs each stay a few
// hundred lines.
const (
	summaryMaxChecks = 50
	summaryMinChecks = 5
	summaryMaxRows   = 1000
	logMaxChecks     = 50
	humanMaxChecks   = 50
	maxStaleLines    = 20
)

// staleHint is what to do about a URL still served from before the purge.
const staleHint = "check that the URL is the cache key (query strings, custom cache keys: purge with the headers that make up the key), that the zone and the environment are the ones that serve it, and that the origin no longer serves the old version"

// checksFirstStale are an environment's checks, stale ones first, then not
// verified, redirects, not cached and verified ones, each in input order.
func checksFirstStale(v *result.Verification) []result.URLCheck {
	rank := map[string]int{result.VerdictStale: 0, result.VerdictOutdated: 0, result.VerdictNotVerified: 1, result.VerdictRedirect: 2, result.VerdictNotCached: 3, result.VerdictVerified: 4}
	cs := slices.Clone(v.URLs)
	slices.SortStableFunc(cs, func(a, b result.URLCheck) int { return rank[a.Verdict] - rank[b.Verdict] })
	return cs
}

// answer is what a check's answer showed: "HIT, Age 3600 s".
func answer(c result.URLCheck) string {
	var parts []string
	if c.HTTPStatus != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", c.HTTPStatus))
	}
	if c.CacheStatus != "" {
		parts = append(parts, "CF-Cache-Status "+c.CacheStatus)
	}
	if c.Age != nil {
		parts = append(parts, fmt.Sprintf("Age %d s", *c.Age))
	}
	return strings.Join(parts, ", ")
}

// verdictText says a check's verdict in words, with what it rests on.
func verdictText(c result.URLCheck, w words) string {
	var s string
	switch c.Verdict {
	case result.VerdictVerified:
		s = "verified"
	case result.VerdictStale:
		s = "STALE: still served from a copy cached before the " + w.noun
	case result.VerdictNotCached:
		s = "not cached" // the reason says why there is nothing to verify
	case result.VerdictRedirect:
		s = "redirect to " + c.Location // the reason says to purge the destination too
	case result.VerdictNotVerified:
		s = "not verified"
	case result.VerdictOutdated:
		s = "OUTDATED: serves " + c.Seen
	default:
		s = c.Verdict
	}
	if a := answer(c); a != "" {
		s += " (" + a + ")"
	}
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	if c.Seen != "" && c.Verdict != result.VerdictOutdated {
		s += "; serves " + c.Seen
	}
	if c.OriginSeen != "" {
		s += "; its origin served " + c.OriginSeen
	}
	if c.Repurged {
		s += " (after a second " + w.noun + ")"
	}
	return s
}

// verificationLines are an environment's verification in the log: its
// status, a line per URL (the first logMaxChecks, stale ones first), a
// warning when it cannot be verified, and one warning that counts the URLs
// that could not be checked. The stale URLs' errors come with the run's
// other errors (staleLines).
func verificationLines(e result.Environment, w words) []Line {
	v := e.Verification
	if v == nil {
		return nil
	}
	switch v.Status {
	case result.VerificationNotVerifiable:
		return []Line{{Warning, fmt.Sprintf("%s: not verifiable: %s", e.Name, cut(v.Reason, logTextChars))}}
	case result.VerificationSkipped:
		return []Line{{Info, fmt.Sprintf("%s: verification skipped: %s", e.Name, cut(v.Reason, logTextChars))}}
	}
	out := []Line{{Info, verificationLine(e)}}
	if v.Repurge != nil {
		out = append(out, Line{Info, e.Name + ": " + cut(repurgeText(v.Repurge, w), logTextChars)})
	}
	checks, more := firstN(checksFirstStale(v), logMaxChecks)
	for _, c := range checks {
		out = append(out, Line{Info, "  " + checkText(c, w, logTextChars)})
	}
	if more > 0 {
		out = append(out, Line{Info, fmt.Sprintf("  … and %s more (the job summary and the result output list more)", Number(more))})
	}
	n, first := 0, -1
	for i, c := range v.URLs {
		if c.Verdict == result.VerdictNotVerified {
			if n++; first < 0 {
				first = i
			}
		}
	}
	switch {
	case n == 1:
		out = append(out, Line{Warning, e.Name + ": " + checkText(v.URLs[first], w, logTextChars)})
	case n > 1:
		out = append(out, Line{Warning, fmt.Sprintf("%s: %s of %s could not be checked; the first, %s", e.Name, Number(n), Count(len(v.URLs), "URL"), checkText(v.URLs[first], w, logTextChars))})
	}
	return out
}

// checkText is "URL: verdict", each cut to n characters.
func checkText(c result.URLCheck, w words, n int) string {
	return cut(c.URL, n) + ": " + cut(verdictText(c, w), n)
}

// verificationLine is an environment's verification in one line.
func verificationLine(e result.Environment) string {
	v := e.Verification
	via := ""
	if v.Selector != "" {
		via = " (selected by " + cut(v.Selector, summaryTextChars) + ")"
	}
	line := fmt.Sprintf("%s: verified %s of %s%s, %s stale", e.Name, Number(v.VerifiedCount), Count(len(v.URLs), "URL"), via, Number(v.StaleCount))
	if v.OutdatedCount > 0 || slices.ContainsFunc(v.URLs, func(c result.URLCheck) bool { return c.Seen != "" }) {
		line += fmt.Sprintf(", %s outdated", Number(v.OutdatedCount))
	}
	return line
}

// staleLines are one error per stale URL, at most maxStaleLines.
func staleLines(r *result.Result) []Line {
	return verdictLines(r, result.VerdictStale, "stale", func(e result.Environment, c result.URLCheck) string {
		return fmt.Sprintf("%s: %s is still served from a copy cached before the %s (%s): %s", e.Name, cut(c.URL, logTextChars), wordsOf(r).noun, answer(c), staleHint)
	})
}

// verdictLines are one error per URL with verdict v, at most maxStaleLines,
// then a line counting the rest (URLs "are <what>").
func verdictLines(r *result.Result, v, what string, text func(result.Environment, result.URLCheck) string) []Line {
	var out []Line
	n := 0
	for _, e := range r.Environments {
		if e.Verification == nil {
			continue
		}
		for _, c := range e.Verification.URLs {
			if c.Verdict != v {
				continue
			}
			if n++; n <= maxStaleLines {
				out = append(out, Line{Error, text(e, c)})
			}
		}
	}
	if n > maxStaleLines {
		out = append(out, Line{Error, fmt.Sprintf("%s more URLs are %s: see the job summary and the result output", Number(n-maxStaleLines), what)})
	}
	return out
}

// verificationSections are the summary's section on verification, a
// piece per environment (its status and its URLs, stale ones first,
// bounded) so that the summary's budget cuts it between environments.
func verificationSections(r *result.Result) []string {
	var out []string
	verified := 0
	for _, e := range r.Environments {
		if e.Verification != nil && e.Verification.Status == result.VerificationDone {
			verified++
		}
	}
	rows := min(summaryMaxChecks, max(summaryMinChecks, summaryMaxRows/max(verified, 1)))
	for _, e := range r.Environments {
		v := e.Verification
		if v == nil {
			continue
		}
		var b strings.Builder
		if len(out) == 0 {
			b.WriteString("### Verification\n\n")
		}
		out = append(out, "")
		piece := &out[len(out)-1]
		switch v.Status {
		case result.VerificationNotVerifiable:
			fmt.Fprintf(&b, "> [!WARNING]\n> **%s** is not verifiable: %s\n\n", md(e.Name), md(cut(v.Reason, summaryTextChars)))
			*piece = b.String()
			continue
		case result.VerificationSkipped:
			fmt.Fprintf(&b, "**%s**: verification skipped: %s\n\n", md(e.Name), md(cut(v.Reason, summaryTextChars)))
			*piece = b.String()
			continue
		}
		fmt.Fprintf(&b, "**%s**\n\n| URL | Verdict |\n|---|---|\n", md(verificationLine(e)))
		checks, more := firstN(checksFirstStale(v), rows)
		for _, c := range checks {
			fmt.Fprintf(&b, "| %s | %s |\n", md(cut(c.URL, summaryItemChars)), md(cut(verdictText(c, wordsOf(r)), summaryTextChars)))
		}
		if more > 0 {
			fmt.Fprintf(&b, "| … and %s more | see the `result` output |\n", Number(more))
		}
		b.WriteString("\n")
		if v.StaleCount > 0 {
			fmt.Fprintf(&b, "A stale URL: %s.\n\n", md(staleHint))
		}
		if v.Repurge != nil {
			fmt.Fprintf(&b, "Second %s: %s.\n\n", wordsOf(r).noun, md(cut(repurgeText(v.Repurge, wordsOf(r)), summaryTextChars)))
		}
		*piece = b.String()
	}
	return out
}

// humanVerification is the CLI report's lines on an environment's
// verification.
func humanVerification(e result.Environment, w words) string {
	v := e.Verification
	if v == nil {
		return ""
	}
	switch v.Status {
	case result.VerificationNotVerifiable:
		return "  not verifiable: " + v.Reason + "\n"
	case result.VerificationSkipped:
		return "  verification skipped: " + v.Reason + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %s\n", strings.TrimPrefix(verificationLine(e), e.Name+": "))
	if v.Repurge != nil {
		fmt.Fprintf(&b, "  %s\n", cut(repurgeText(v.Repurge, w), logTextChars))
	}
	checks, more := firstN(checksFirstStale(v), humanMaxChecks)
	for _, c := range checks {
		fmt.Fprintf(&b, "    %s\n", checkText(c, w, logTextChars))
	}
	if more > 0 {
		fmt.Fprintf(&b, "    ... and %s more (--json lists them all)\n", Number(more))
	}
	return b.String()
}
