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

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

func readme(t *testing.T) string {
	t.Helper()
	return string(readRepoFile(t, "README.md"))
}

// mustSection is a README section, or a fatal error naming the heading.
func mustSection(t *testing.T, md, heading string) string {
	t.Helper()
	s, ok := section(md, heading)
	if !ok {
		t.Fatalf("README.md has no %q heading", heading)
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

// TestReadmeResultSchema: the README documents every field of the result
// document, object by object, in the order result.go declares them; and its
// example is a valid result document.
func TestReadmeResultSchema(t *testing.T) {
	t.Parallel()
	sec := mustSection(t, readme(t), "### The `result` document")
	objects := []struct {
		name string
		v    any
	}{
		{"result", result.Result{}},
		{"zones[]", result.Zone{}},
		{"environments[]", result.Environment{}},
		{"batches[]", result.Batch{}},
		{"error", result.Error{}},
		{"environments[].verification", result.Verification{}},
		{"verification.urls[]", result.URLCheck{}},
	}
	var fieldTables []table
	for _, tb := range tables(sec) {
		if len(tb.Header) > 0 && strings.EqualFold(tb.Header[0], "Field") {
			fieldTables = append(fieldTables, tb)
		}
	}
	if len(fieldTables) != len(objects) {
		t.Fatalf("README result schema: %d tables with a Field column, want %d (%v in that order)", len(fieldTables), len(objects), objects)
	}
	for i, o := range objects {
		var got []string
		for _, row := range fieldTables[i].Rows {
			got = append(got, firstCode(row[0]))
		}
		if diff := cmp.Diff(jsonFields(o.v), got); diff != "" {
			t.Errorf("README schema of %s differs from result.go (-result.go +README):\n%s", o.name, diff)
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
			t.Errorf("README result example is not a result document: %v", err)
		}
	}
	if examples == 0 {
		t.Error("README result section has no ```json example")
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
		// The emulator's seeded zone.
		emulator.ExampleZoneID, emulator.ProductionRef, emulator.StagingRef, emulator.DevelopmentRef, emulator.SandboxToken,
		emulator.OrgZoneID, emulator.OrgProductionRef, emulator.OrgStagingRef, emulator.OrgDevelopmentRef,
		config.DefaultAPIURL,
		"docs/benchmarks.md",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("README.md does not contain %q", s)
		}
	}
	for _, h := range []string{"## Reliability", "## Performance"} {
		if _, ok := section(md, h); !ok {
			t.Errorf("README.md has no %q section", h)
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link of the Markdown files at the root points
// at a file of the repository.
func TestDocLinks(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	docs, err := filepath.Glob(filepath.Join(root, "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no Markdown files at %s: %v", root, err)
	}
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllSubmatch(b, -1) {
			target := string(m[1])
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(target))); err != nil {
				t.Errorf("%s links to %s: %v", filepath.Base(doc), target, err)
			}
		}
	}
}
