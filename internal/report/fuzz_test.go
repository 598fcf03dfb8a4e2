package report

import (
	"strings"
	"testing"
	"unicode"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// mdSpecial are the characters md escapes with a backslash.
const mdSpecial = "\\`*_[](){}#+-.!|~\"':@="

// hostileText seeds the summary fuzzers.
var hostileText = []string{
	"", "Staging", "<script>alert(1)</script>", "a|b", "`code`", "[x](javascript:alert(1))", "![img](http://x/y.png)",
	"**bold** _it_ ~~s~~", "# heading", "> quote", "- item", "1. item", "line\nbreak", "cr\rlf\r\n", "tab\there",
	"&lt;already&gt;", "&amp;", "<!-- comment -->", "\x00\x01\x7f", "\u2028\u2029", "\\|", "\\`", "::set-output name=x::y",
	"https://example.com/a?b=c&d=<e>", "<details>", "</details></summary>", "@mention", "#123", "=== setext", "---",
}

// FuzzMarkdownEscape: md's output is one line of text that opens no tag,
// link, code span, emphasis or table cell, and loses nothing but line
// breaks and control characters.
func FuzzMarkdownEscape(f *testing.F) {
	for _, s := range hostileText {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := md(s)
		if strings.ContainsAny(out, "\n\r<>") {
			t.Fatalf("md(%q) = %q: a line break or an angle bracket", s, out)
		}
		var plain strings.Builder
		for i := 0; i < len(out); i++ {
			c := out[i]
			switch {
			case c == '\\':
				if i+1 == len(out) || !strings.ContainsRune(mdSpecial, rune(out[i+1])) {
					t.Fatalf("md(%q) = %q: a backslash escapes nothing at %d", s, out, i)
				}
				i++
				plain.WriteByte(out[i])
			case c == '&':
				ent := ""
				for _, e := range []string{"&lt;", "&gt;", "&amp;"} {
					if strings.HasPrefix(out[i:], e) {
						ent = e
					}
				}
				if ent == "" {
					t.Fatalf("md(%q) = %q: a bare & at %d", s, out, i)
				}
				plain.WriteString(map[string]string{"&lt;": "<", "&gt;": ">", "&amp;": "&"}[ent])
				i += len(ent) - 1
			case strings.IndexByte(mdSpecial, c) >= 0:
				t.Fatalf("md(%q) = %q: %q unescaped at %d", s, out, c, i)
			case c < 0x20 || c == 0x7f:
				t.Fatalf("md(%q) = %q: control character %#x", s, out, c)
			default:
				plain.WriteByte(c)
			}
		}
		// Nothing is lost but line breaks and tabs (spaces now) and
		// control characters (dropped).
		want := strings.Map(func(r rune) rune {
			switch {
			case r == '\n' || r == '\r' || r == '\t':
				return ' '
			case r < 0x20 || r == 0x7f:
				return -1
			}
			return r
		}, s)
		if got := plain.String(); got != strings.ToValidUTF8(want, "\uFFFD") && got != want {
			t.Fatalf("md(%q) unescaped is %q, want %q", s, got, want)
		}
	})
}

// FuzzSummary: whatever text a user or the API puts in a result, the
// summary's tables keep their columns and no HTML but the report's own
// <details> block appears.
func FuzzSummary(f *testing.F) {
	for i, s := range hostileText {
		f.Add(s, hostileText[(i+1)%len(hostileText)], hostileText[(i+2)%len(hostileText)], hostileText[(i+3)%len(hostileText)])
	}
	f.Fuzz(func(t *testing.T, name, item, message, ref string) {
		r := &result.Result{
			ZoneID: "023e105f4ecef8ad9ca31a8372d0c353",
			Environments: []result.Environment{{Name: name, Ref: ref, Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
				{Kind: "tags", Count: 1, Status: result.Purged, ID: ref},
				{Kind: "files", Count: 1, Status: result.Failed, Error: &result.Error{Kind: result.ErrorAPI, Code: 1136, Message: message, Hint: name}, Items: []string{item}},
			}}},
			Error: &result.Error{Kind: result.ErrorAPI, Message: message, Hint: item},
		}
		r.Finish(0)
		sum := Summary(r)
		html := strings.NewReplacer("<details>", "", "</details>", "", "<summary>", "", "</summary>", "").Replace(sum)
		for _, l := range strings.Split(html, "\n") {
			if strings.ContainsAny(strings.TrimPrefix(l, ">"), "<>") { // but the report's blockquotes
				t.Fatalf("summary has HTML of the user's: %q\n%s", l, sum)
			}
		}
		for _, l := range strings.Split(sum, "\n") {
			if strings.HasPrefix(l, "|") {
				if n := unescapedPipes(l); n != 3 && n != 8 {
					t.Fatalf("table row with %d unescaped pipes: %q\n%s", n, l, sum)
				}
			}
		}
	})
}

// unescapedPipes counts the cell borders of a table row. GitHub splits
// cells on a pipe in a code span too, so code spans are not skipped.
func unescapedPipes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// What the CLI's report and the log print of hostile names, items and
// messages, defused as the writers defuse it, starts no workflow command:
// no "::" at a line's start after white space, no "##[" anywhere.
func FuzzPrintedReportsDefused(f *testing.F) {
	for i, s := range hostileText {
		f.Add(s, hostileText[(i+1)%len(hostileText)], hostileText[(i+2)%len(hostileText)], i%2 == 0)
	}
	f.Add("Prod ##[set-output name=purge-ids]x", "\u00a0::set-output name=zone-id::x", "A\n##[stop-commands]tok", true)
	f.Fuzz(func(t *testing.T, name, item, message string, dry bool) {
		r := &result.Result{
			ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", ZoneName: name, DryRun: dry,
			Environments: []result.Environment{{Name: name, Ref: name, Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
				{Kind: result.KindTags, Count: 1, Status: result.Purged, ID: name, Items: []string{item}},
				{Kind: result.KindFiles, Count: 1, Status: result.Failed, Error: &result.Error{Kind: result.ErrorAPI, Code: 1136, Message: message, Hint: name}, Items: []string{item}},
			}}},
			Error: &result.Error{Kind: result.ErrorAPI, Message: message, Hint: item},
		}
		r.Finish(0)
		texts := []string{Defuse(Human(r))}
		for _, lines := range [][]Line{Log(r), PlanLines(r), DebugLines(r), RunErrorLines(r.Error)} {
			for _, l := range lines {
				texts = append(texts, Defuse(l.Text))
			}
		}
		for _, text := range texts {
			for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if strings.Contains(l, "##[") || strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
					t.Fatalf("a printed line starts a workflow command: %q", l)
				}
			}
		}
	})
}
