package docs

import (
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const modulePath = "github.com/cloudflare-purge/cloudflare-purge"

// CONTRIBUTING's package map is the house as the code builds it: a row for
// every package, and each row's "May import" column is exactly what the
// package's own (non-test) files import of the project.
func TestPackageMap(t *testing.T) {
	t.Parallel()
	table := packageMap(t)
	code := projectImports(t)
	for pkg, imports := range code {
		allowed, ok := table[pkg]
		switch {
		case !ok:
			t.Errorf("CONTRIBUTING.md's package map has no row for %s", pkg)
		case allowed == nil: // "every package below"
		case slices.Equal(allowed, []string{"(tests)"}):
			// Test-only packages: their own files (a doc.go) import nothing.
			if len(imports) > 0 {
				t.Errorf("%s is for tests only, but its non-test files import %v", pkg, imports)
			}
		default:
			if diff := cmp.Diff(allowed, imports); diff != "" {
				t.Errorf("%s: CONTRIBUTING.md says it may import %v; the code imports %v", pkg, allowed, imports)
			}
		}
	}
	for pkg, allowed := range table {
		if _, ok := code[pkg]; !ok && !slices.Equal(allowed, []string{"(tests)"}) {
			t.Errorf("CONTRIBUTING.md's package map names %s, which has no package", pkg)
		}
	}
}

// packageMap reads the table: package -> the project packages it may
// import (short names, sorted); nil for "every package below".
func packageMap(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, line := range strings.Split(string(readRepoFile(t, "CONTRIBUTING.md")), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		pkg := strings.Trim(strings.TrimSpace(cells[1]), "`")
		col := strings.TrimSpace(cells[len(cells)-2])
		switch col {
		case "every package below":
			out[pkg] = nil
			continue
		case "nothing":
			out[pkg] = []string{}
			continue
		case "(tests)":
			out[pkg] = []string{"(tests)"}
			continue
		}
		names := []string{}
		for _, n := range strings.Split(col, ",") {
			names = append(names, strings.Trim(strings.TrimSpace(n), "`"))
		}
		slices.Sort(names)
		out[pkg] = names
	}
	if len(out) == 0 {
		t.Fatal("no package map found in CONTRIBUTING.md")
	}
	return out
}

// projectImports is, for every package with non-test Go files (named as
// the table names them: main, internal/x), the project packages its
// non-test files import, by their last element, sorted.
func projectImports(t *testing.T) map[string][]string {
	t.Helper()
	root := repoRoot(t)
	dirs := []string{"."}
	entries, err := os.ReadDir(filepath.Join(root, "internal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, "internal/"+e.Name())
		}
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]bool{}
		found := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			found = true
			file, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if rest, ok := strings.CutPrefix(p, modulePath+"/"); ok {
					imports[path.Base(rest)] = true
				}
			}
		}
		if !found {
			continue
		}
		name := dir
		if dir == "." {
			name = "main"
		}
		list := []string{}
		for p := range imports {
			list = append(list, p)
		}
		slices.Sort(list)
		out[name] = list
	}
	return out
}
