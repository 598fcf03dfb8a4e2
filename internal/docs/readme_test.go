package docs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

func readme(t *testing.T) string {
	t.Helper()
	return string(readRepoFile(t, "README.md"))
}

// readmeMaxLines bounds the README: one page for a newcomer; the rest
// lives in docs/.
const readmeMaxLines = 450

// TestReadmeLength: the README stays one page.
func TestReadmeLength(t *testing.T) {
	t.Parallel()
	if n := strings.Count(strings.TrimSuffix(readme(t), "\n"), "\n") + 1; n > readmeMaxLines {
		t.Errorf("README.md has %d lines, want at most %d: move the details to a file under docs/ and link it", n, readmeMaxLines)
	}
}

// mustSection is a README section, or a fatal error naming the heading.
func mustSection(t *testing.T, md, heading string) string {
	t.Helper()
	return mustSectionOf(t, "README.md", md, heading)
}

// mustSectionOf is a section of the Markdown file name, or a fatal error
// naming the file and the heading.
func mustSectionOf(t *testing.T, name, md, heading string) string {
	t.Helper()
	s, ok := section(md, heading)
	if !ok {
		t.Fatalf("%s has no %q heading", name, heading)
	}
	return s
}

// mustTable is the first table of a section whose header starts with first.
func mustTable(t *testing.T, md, heading, first string) table {
	t.Helper()
	for _, tb := range tables(mustSection(t, md, heading)) {
		if len(tb.Header) > 0 && strings.EqualFold(tb.Header[0], first) {
			return tb
		}
	}
	t.Fatalf("README.md %q has no table whose first column is %q", heading, first)
	return table{}
}

// cell is a row's cell in column i, or "" when the row is short.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// readmeInput is one row of the README's inputs table.
type readmeInput struct{ Name, Default, Env string }

// TestReadmeInputsTable: the README's inputs table has action.yml's inputs,
// in order, with the same defaults (empty when action.yml has none or ""),
// and config.Inputs' environment fallbacks.
func TestReadmeInputsTable(t *testing.T) {
	t.Parallel()
	tb := mustTable(t, readme(t), "### Inputs", "Input")
	def, env := tb.column("Default"), tb.column("Fallback")
	if def < 0 || env < 0 {
		t.Fatalf("inputs table header %q: want Input, Default, Fallback and Description columns", tb.Header)
	}
	var got []readmeInput
	for _, row := range tb.Rows {
		got = append(got, readmeInput{Name: firstCode(row[0]), Default: firstCode(cell(row, def)), Env: firstCode(cell(row, env))})
	}

	var want []readmeInput
	envOf := map[string]string{}
	for _, in := range config.Inputs {
		envOf[in.Name] = in.Env
	}
	a := loadAction(t)
	for _, in := range a.Inputs {
		d := ""
		if in.Default != nil {
			d = *in.Default
		}
		want = append(want, readmeInput{Name: in.Name, Default: d, Env: envOf[in.Name]})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README inputs table differs from action.yml (-action.yml +README):\n%s\nRows that match action.yml:\n%s", diff, inputRows(a))
	}
}

// inputRows renders the inputs table from action.yml, to paste into the README.
func inputRows(a actionMeta) string {
	envOf := map[string]string{}
	for _, in := range config.Inputs {
		envOf[in.Name] = in.Env
	}
	var b strings.Builder
	b.WriteString("| Input | Default | Fallback | Description |\n|---|---|---|---|\n")
	for _, in := range a.Inputs {
		d, e := "", ""
		if in.Default != nil && *in.Default != "" {
			d = "`" + *in.Default + "`"
		}
		if envOf[in.Name] != "" {
			e = "`" + envOf[in.Name] + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", in.Name, d, e, strings.ReplaceAll(in.Description, "|", `\|`))
	}
	return b.String()
}

// TestReadmeOutputsTable: the README's outputs table has action.yml's
// outputs, in order.
func TestReadmeOutputsTable(t *testing.T) {
	t.Parallel()
	tb := mustTable(t, readme(t), "### Outputs", "Output")
	var got, want []string
	for _, row := range tb.Rows {
		got = append(got, firstCode(row[0]))
	}
	for _, o := range loadAction(t).Outputs {
		want = append(want, o.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README outputs table differs from action.yml (-action.yml +README):\n%s", diff)
	}
}

// jsonFields lists the JSON names of a struct's fields, in order.
func jsonFields(v any) []string {
	var out []string
	ty := reflect.TypeOf(v)
	for i := range ty.NumField() {
		name, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// resultDoc is where the result document's schema lives.
const resultDoc = "docs/result.md"

// TestResultSchema: docs/result.md documents every field of the result
// document, object by object, in the order result.go declares them; its
// example is a valid result document; and the README links it.
func TestResultSchema(t *testing.T) {
	t.Parallel()
	sec := mustSectionOf(t, resultDoc, string(readRepoFile(t, resultDoc)), "# The `result` document")
	if !strings.Contains(mustSection(t, readme(t), "### The `result` document"), "]("+resultDoc+")") {
		t.Errorf("README.md's \"The `result` document\" does not link %s", resultDoc)
	}
	objects := []struct {
		name string
		v    any
	}{
		{"result", result.Result{}},
		{"environments[]", result.Environment{}},
		{"batches[]", result.Batch{}},
		{"error", result.Error{}},
		{"environments[].verification", result.Verification{}},
		{"verification.urls[]", result.URLCheck{}},
		{"verification.repurge", result.Repurge{}},
		{"wait", result.Wait{}},
		{"wait.urls[]", result.WaitCheck{}},
		{"environments[].warm", result.Warm{}},
		{"warm.failures[]", result.WarmFailure{}},
		{"sitemap", result.Sitemap{}},
	}
	var fieldTables []table
	for _, tb := range tables(sec) {
		if len(tb.Header) > 0 && strings.EqualFold(tb.Header[0], "Field") {
			fieldTables = append(fieldTables, tb)
		}
	}
	if len(fieldTables) != len(objects) {
		t.Fatalf(resultDoc+" result schema: %d tables with a Field column, want %d (%v in that order)", len(fieldTables), len(objects), objects)
	}
	for i, o := range objects {
		var got []string
		for _, row := range fieldTables[i].Rows {
			got = append(got, firstCode(row[0]))
		}
		if diff := cmp.Diff(jsonFields(o.v), got); diff != "" {
			t.Errorf("%s: schema of %s differs from result.go (-result.go +doc):\n%s", resultDoc, o.name, diff)
		}
	}

	var examples int
	for _, cb := range codeBlocks(sec) {
		if cb.Info != "json" {
			continue
		}
		examples++
		dec := json.NewDecoder(strings.NewReader(cb.Text))
		dec.DisallowUnknownFields()
		var r result.Result
		if err := dec.Decode(&r); err != nil {
			t.Errorf("%s: the example is not a result document: %v", resultDoc, err)
		}
	}
	if examples == 0 {
		t.Errorf("%s has no ```json example", resultDoc)
	}
}

// TestReadmeFacts: the README states what the code does.
func TestReadmeFacts(t *testing.T) {
	t.Parallel()
	md := readme(t)
	for _, s := range []string{
		// The first two commands a newcomer runs.
		"go run . --sandbox --environment Staging --files https://example.com/",
		"go vet -race ./... && go test -race ./...",
		// The deploy that lands, offline (internal/app's TestDeploySandboxCLI runs it).
		"go run . --sandbox --deploy-after 5s --environment Staging,Development \\\n  --files https://example.com/ --expect-header 'X-Build: v2' --wait 1m --verify --warm",
		// The sandbox zone, as the dry run in "Try it" prints it.
		emulator.ExampleZoneID, emulator.StagingRef,
		config.DefaultAPIURL,
		// The documents that took the README's longer sections.
		"docs/behaviour.md", "docs/result.md", "docs/verify.md", "docs/deploy.md", "docs/recipes.md",
		"docs/cli.md", "docs/emulator.md", "docs/troubleshooting.md", "docs/reliability.md",
		"docs/benchmarks.md", "docs/versioning.md",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("README.md does not contain %q", s)
		}
	}
	// The emulator's seeded zone, where the emulator is documented.
	em := string(readRepoFile(t, "docs/emulator.md"))
	for _, s := range []string{emulator.ExampleZoneID, emulator.ProductionRef, emulator.StagingRef, emulator.DevelopmentRef, emulator.SandboxToken} {
		if !strings.Contains(em, s) {
			t.Errorf("docs/emulator.md does not contain %q", s)
		}
	}
	for _, d := range []struct{ name, heading string }{
		{"docs/reliability.md", "# Reliability"},
		{"docs/benchmarks.md", "## In short"},
	} {
		if _, ok := section(string(readRepoFile(t, d.name)), d.heading); !ok {
			t.Errorf("%s has no %q section", d.name, d.heading)
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// anchors lists the anchors GitHub gives the headings of a Markdown file:
// lower case, punctuation dropped, spaces made hyphens, and a repeated
// heading numbered (-1, -2, ...).
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			seen[a]++
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		out[a] = true
	}
	return out
}

// TestDocLinks: every relative link of the Markdown files at the root and
// under docs/ points at a file of the repository, and a link to a heading
// (#anchor) at a heading of that file.
func TestDocLinks(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	var docs []string
	for _, pattern := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil || len(m) == 0 {
			t.Fatalf("no Markdown files %s at %s: %v", pattern, root, err)
		}
		docs = append(docs, m...)
	}
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, doc)
		name = filepath.ToSlash(name)
		for _, m := range mdLink.FindAllSubmatch(b, -1) {
			target := string(m[1])
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			file := doc
			if path != "" {
				file = filepath.Join(filepath.Dir(doc), filepath.FromSlash(path))
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s links to %s: %v", name, target, err)
					continue
				}
			}
			if frag == "" || filepath.Ext(file) != ".md" {
				continue
			}
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !anchors(string(text))[frag] {
				t.Errorf("%s links to %s: no heading there makes #%s", name, target, frag)
			}
		}
	}
}
