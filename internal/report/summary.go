package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Bounds that keep the summary far below GitHub's 1 MiB limit.
const (
	summaryMaxIDs    = 50
	summaryMaxItems  = 20
	summaryMaxErrors = 20
)

// Summary is the job summary in Markdown. User-supplied text is escaped.
func Summary(r *result.Result) string {
	var b strings.Builder
	title := "Cloudflare cache purge"
	switch {
	case r.DryRun:
		title += ": dry run"
	case r.ExitCode() == result.ExitOK:
		title += ": done"
	default:
		title += ": failed"
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	if r.DryRun {
		b.WriteString("> [!NOTE]\n> **Dry run**: the zone and environments were resolved and the purge planned; no purge request was sent.\n\n")
	}
	if r.Error != nil {
		fmt.Fprintf(&b, "> [!CAUTION]\n> %s\n", md(r.Error.Message))
		if r.Error.Hint != "" {
			fmt.Fprintf(&b, ">\n> %s\n", md(r.Error.Hint))
		}
		b.WriteString("\n")
	}

	zone := code(r.ZoneID)
	if r.ZoneName != "" {
		zone = md(r.ZoneName) + " (" + zone + ")"
	}
	if r.ZoneID == "" && r.ZoneName == "" {
		zone = "not resolved"
	}
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Zone | %s |\n", zone)
	if r.DryRun {
		fmt.Fprintf(&b, "| Planned | %s in %s |\n", Count(planned(r), "item"), Count(plannedRequests(r), "request"))
	} else {
		fmt.Fprintf(&b, "| Purged | %s |\n| Failed | %s |\n| Requests sent | %d |\n", Count(r.PurgedCount, "item"), Count(r.FailedCount, "item"), r.Requests)
	}
	fmt.Fprintf(&b, "| Duration | %s |\n\n", (time.Duration(r.DurationMS) * time.Millisecond).String())

	if len(r.Environments) > 0 {
		b.WriteString("| Environment | Ref | Endpoint | Items | Requests | Purged | Failed |\n|---|---|---|---|---|---|---|\n")
		for _, e := range r.Environments {
			ref := code(e.Ref)
			if e.Ref == "" {
				ref = "–"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d |\n", md(e.Name), ref, endpoint(e), kinds(e), len(e.Batches), e.PurgedCount, e.FailedCount)
		}
		b.WriteString("\n")
		for _, e := range r.Environments {
			if e.Endpoint == result.EndpointZone && !r.DryRun {
				b.WriteString("Production was purged through the zone endpoint, which purges **every environment** of the zone.\n\n")
				break
			}
		}
	}

	writeFailures(&b, r)

	if len(r.PurgeIDs) > 0 {
		fmt.Fprintf(&b, "<details><summary>Purge IDs (%d)</summary>\n\n", len(r.PurgeIDs))
		for i, id := range r.PurgeIDs {
			if i == summaryMaxIDs {
				fmt.Fprintf(&b, "- … and %d more (see the `purge-ids` output)\n", len(r.PurgeIDs)-summaryMaxIDs)
				break
			}
			fmt.Fprintf(&b, "- %s\n", code(id))
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

func writeFailures(b *strings.Builder, r *result.Result) {
	shown := 0
	for _, e := range r.Environments {
		for i, bt := range e.Batches {
			if bt.Status != result.Failed || bt.Error == nil {
				continue
			}
			if shown == 0 {
				b.WriteString("### Failures\n\n")
			}
			if shown++; shown > summaryMaxErrors {
				continue
			}
			what := fmt.Sprintf("%s, request %d (%s)", md(e.Name), i+1, KindCount(bt.Count, bt.Kind))
			errText := md(bt.Error.Message)
			if bt.Error.Code != 0 {
				errText = fmt.Sprintf("Cloudflare error %d: %s", bt.Error.Code, errText)
			}
			fmt.Fprintf(b, "- **%s**: %s", what, errText)
			if bt.Error.Hint != "" {
				fmt.Fprintf(b, " — %s", md(bt.Error.Hint))
			}
			b.WriteString("\n")
			for j, it := range bt.Items {
				if j == summaryMaxItems {
					fmt.Fprintf(b, "  - … and %d more\n", len(bt.Items)-summaryMaxItems)
					break
				}
				fmt.Fprintf(b, "  - %s\n", md(it))
			}
		}
	}
	if shown > summaryMaxErrors {
		fmt.Fprintf(b, "- … and %d more failed requests (see the `result` output)\n", shown-summaryMaxErrors)
	}
	if shown > 0 {
		b.WriteString("\n")
	}
}

func endpoint(e result.Environment) string {
	if e.Endpoint == result.EndpointZone {
		return "zone (all environments)"
	}
	return "environment"
}

func kinds(e result.Environment) string {
	counts := map[string]int{}
	var order []string
	for _, b := range e.Batches {
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
// id that is not a plain identifier (a hostile API, a proxy) is escaped
// text instead: in a code span, a line break or a pipe would still end
// the line or the table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return md(s)
		}
	}
	return "`" + s + "`"
}
