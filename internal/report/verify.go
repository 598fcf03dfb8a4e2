package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Bounds of what the reports list of a verification: the URLs per
// environment in the summary, and the ::error:: lines for stale URLs.
const (
	summaryMaxChecks = 50
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
// status, a line per URL, a warning when it cannot be verified and for
// each URL that could not be checked. The stale URLs' errors come with
// the run's other errors (staleLines).
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
	for _, c := range checksFirstStale(v) {
		level := Info
		if c.Verdict == result.VerdictNotVerified {
			level = Warning
		}
		text := "  " + cut(c.URL, logTextChars) + ": " + cut(verdictText(c, w), logTextChars)
		if level == Warning {
			text = e.Name + ": " + strings.TrimPrefix(text, "  ")
		}
		out = append(out, Line{level, text})
	}
	return out
}

// verificationLine is an environment's verification in one line.
func verificationLine(e result.Environment) string {
	v := e.Verification
	via := ""
	if v.Selector != "" {
		via = " (selected by " + v.Selector + ")"
	}
	line := fmt.Sprintf("%s: verified %s of %s%s, %s stale", e.Name, Number(v.VerifiedCount), Count(len(v.URLs), "URL"), via, Number(v.StaleCount))
	if v.OutdatedCount > 0 || slices.ContainsFunc(v.URLs, func(c result.URLCheck) bool { return c.Seen != "" }) {
		line += fmt.Sprintf(", %s outdated", Number(v.OutdatedCount))
	}
	return line
}

// staleLines are one error per stale URL, at most maxStaleLines.
func staleLines(r *result.Result) []Line {
	var out []Line
	n := 0
	for _, e := range r.Environments {
		if e.Verification == nil {
			continue
		}
		for _, c := range e.Verification.URLs {
			if c.Verdict != result.VerdictStale {
				continue
			}
			if n++; n > maxStaleLines {
				continue
			}
			out = append(out, Line{Error, fmt.Sprintf("%s: %s is still served from a copy cached before the %s (%s): %s", e.Name, cut(c.URL, logTextChars), wordsOf(r).noun, answer(c), staleHint)})
		}
	}
	if n > maxStaleLines {
		out = append(out, Line{Error, fmt.Sprintf("%s more URLs are stale: see the job summary and the result output", Number(n-maxStaleLines))})
	}
	return out
}

// verificationSection is the summary's section on verification: per
// environment its status and its URLs, stale ones first, bounded.
func verificationSection(r *result.Result) string {
	var b strings.Builder
	for _, e := range r.Environments {
		v := e.Verification
		if v == nil {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("### Verification\n\n")
		}
		switch v.Status {
		case result.VerificationNotVerifiable:
			fmt.Fprintf(&b, "> [!WARNING]\n> **%s** is not verifiable: %s\n\n", md(e.Name), md(cut(v.Reason, summaryTextChars)))
			continue
		case result.VerificationSkipped:
			fmt.Fprintf(&b, "**%s**: verification skipped: %s\n\n", md(e.Name), md(cut(v.Reason, summaryTextChars)))
			continue
		}
		fmt.Fprintf(&b, "**%s**\n\n| URL | Verdict |\n|---|---|\n", md(verificationLine(e)))
		checks, more := firstN(checksFirstStale(v), summaryMaxChecks)
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
	}
	return b.String()
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
		fmt.Fprintf(&b, "  %s\n", repurgeText(v.Repurge, w))
	}
	for _, c := range checksFirstStale(v) {
		fmt.Fprintf(&b, "    %s: %s\n", c.URL, verdictText(c, w))
	}
	return b.String()
}
