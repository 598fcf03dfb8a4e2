package docs

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoTextFiles lists the repository's own text files (code, docs,
// workflows), by slash-separated path from the root: not .git, not the
// tools' module, not fuzz corpora, not the OpenAPI schema copied from
// Cloudflare.
func repoTextFiles(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == ".git", rel == "tools", strings.HasSuffix(rel, "testdata/fuzz"):
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(rel) {
		case ".go", ".md", ".yml", ".yaml", ".sh", ".conf", "":
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A reader of the repository can open only what is in it: no file cites
// a document that lives elsewhere, an issue by number, or a numbered rule
// (docs/behaviour.md names its rules).
func TestNoOutsideCitations(t *testing.T) {
	t.Parallel()
	outside := regexp.MustCompile(`\b(API|ACTION)\.md\b|(?i)\bissues? #?[0-9]+\b|(?i)\brules? [0-9]+\b`)
	for _, name := range repoTextFiles(t) {
		if name == "internal/docs/house_test.go" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, which a reader of the repository cannot open: cite docs/ instead", name, i+1, m)
			}
		}
	}
}

// Imports come in groups, the standard library's first, as goimports
// writes them: a group never mixes the standard library with modules.
func TestImportGroups(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	for _, name := range repoTextFiles(t) {
		if filepath.Ext(name) != ".go" {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(repoRoot(t), filepath.FromSlash(name)), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		// A group is a run of import lines with no blank line between them.
		lastLine, groupStd, seenStd := -1, false, false
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			line := fset.Position(imp.Pos()).Line
			if lastLine >= 0 && line == lastLine+1 {
				if std != groupStd {
					t.Errorf("%s:%d: %s shares a group with imports of the other kind: the standard library goes in a group of its own", name, line, path)
				}
			} else {
				if std && seenStd {
					t.Errorf("%s:%d: a second group of the standard library", name, line)
				}
				groupStd = std
			}
			seenStd = seenStd || std
			lastLine = line
		}
	}
}

// Code 1136 is about the visitor's IP address (which a client cannot
// choose), not an IP the user might think of: every table that explains it
// says so, wherever the README's troubleshooting lives.
func TestCode1136SaysVisitorIP(t *testing.T) {
	t.Parallel()
	rows := 0
	for _, name := range repoTextFiles(t) {
		if filepath.Ext(name) != ".md" {
			continue
		}
		for _, line := range strings.Split(string(readRepoFile(t, name)), "\n") {
			if !strings.HasPrefix(line, "| 1136 |") {
				continue
			}
			rows++
			if !strings.Contains(line, "visitor's IP") {
				t.Errorf("%s: %q does not say it is the visitor's IP", name, line)
			}
		}
	}
	if rows == 0 {
		t.Error("no table explains code 1136")
	}
}
