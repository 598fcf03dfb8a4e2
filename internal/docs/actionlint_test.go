package docs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// actionlintVersion is the actionlint that the tests and the CI job run:
// the version tools/go.mod pins (TestToolsPinned checks the two agree).
//
// It runs as a command, not as a library: actionlint v1.7.12 is built
// against go.yaml.in/yaml/v4 v4.0.0-rc.3, whose API v4.0.0 (required by
// kin-openapi) changed, so the two cannot share this module's build. The
// tools module (tools/go.mod, tools/go.sum) pins it and every module it
// needs, so `go mod download` there fetches them up front and the tests then
// build it offline.
const actionlintVersion = "v1.7.12"

// actionlintBin builds actionlint once per test run, however many tests
// lint: two go commands building it at once would each compile it.
//
// It is built as the Dockerfile builds our binary (CGO_ENABLED=0,
// -trimpath) and never at the same time (staticBuild), so that the second
// of the two builds finds the standard library already compiled for it:
// about 16 s of CPU less in a cold run of the test command.
var actionlintBin = sync.OnceValues(func() (string, error) {
	goBin, err := exec.LookPath("go") // go test puts its own go first on PATH
	if err != nil {
		return "", errNoGo
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(toolsDir, "actionlint"+exeSuffix(runtime.GOOS)) // Windows runs only an .exe
	cmd := exec.Command(goBin, "build", "-trimpath", "-o", bin, "github.com/rhysd/actionlint/cmd/actionlint")
	cmd.Dir = filepath.Join(root, "tools")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=") // as the Dockerfile test: no -race or other flag of the caller
	staticBuild.Lock()
	out, err := cmd.CombinedOutput()
	staticBuild.Unlock()
	if err != nil {
		return "", fmt.Errorf("go build actionlint in tools/ (run `cd tools && go mod download` first if offline): %w\n%s", err, out)
	}
	return bin, nil
})

// staticBuild is held by each go build of a static binary (the Dockerfile's
// and actionlint's), so that they run one after the other and share what
// they compile.
var staticBuild sync.Mutex

// errNoGo: the tests that need the go command skip without it.
var errNoGo = errors.New("no go command on PATH")

// lintProblem is one error of actionlint's JSON output.
type lintProblem struct {
	Message  string `json:"message"`
	Filepath string `json:"filepath"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Kind     string `json:"kind"`
}

// actionlint lints the workflows of the project at dir (a directory with
// .git and .github/workflows). It uses shellcheck when it is installed
// (GitHub's Ubuntu runners have it), so run: scripts are checked too; and
// it reads ./action.yml for "uses: ./" steps and checks their inputs,
// outputs and branding.
func actionlint(t *testing.T, dir string) []lintProblem {
	t.Helper()
	bin, err := actionlintBin()
	if errors.Is(err, errNoGo) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not installed: run: scripts are not checked")
	}
	cmd := exec.Command(bin, "-format", "{{json .}}")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	// actionlint exits 1 when it found problems; anything else is a failure to run.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() > 0) {
		t.Fatalf("actionlint %s: %v\n%s%s", actionlintVersion, err, stdout.String(), stderr.String())
	}
	var problems []lintProblem
	if s := bytes.TrimSpace(stdout.Bytes()); len(s) > 0 {
		if err := json.Unmarshal(s, &problems); err != nil {
			t.Fatalf("actionlint output: %v\n%s", err, s)
		}
	}
	return problems
}

// TestWorkflowsLint: actionlint passes on every workflow of the repository.
func TestWorkflowsLint(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout: actionlint finds the project by its .git")
	}
	for _, p := range actionlint(t, root) {
		t.Errorf("%s:%d:%d: %s [%s]", p.Filepath, p.Line, p.Column, p.Message, p.Kind)
	}
}

// staticcheckVersion is the staticcheck that tools/go.mod pins.
const staticcheckVersion = "v0.8.2"

// TestToolsPinned: tools/go.mod pins actionlint and staticcheck at the
// versions above as tools, with their sums, and CI (the workflow and .ci/run)
// runs them from it, never by go run pkg@version, which would reach the
// module proxy at test time.
func TestToolsPinned(t *testing.T) {
	t.Parallel()
	gomod := string(readRepoFile(t, "tools/go.mod"))
	gosum := string(readRepoFile(t, "tools/go.sum"))
	for _, tool := range []struct{ module, version, cmd string }{
		{"github.com/rhysd/actionlint", actionlintVersion, "github.com/rhysd/actionlint/cmd/actionlint"},
		{"honnef.co/go/tools", staticcheckVersion, "honnef.co/go/tools/cmd/staticcheck"},
	} {
		if !regexp.MustCompile(`(?m)^\s*(?:tool\s+)?` + regexp.QuoteMeta(tool.cmd) + `\s*$`).MatchString(gomod) {
			t.Errorf("tools/go.mod has no tool directive for %s", tool.cmd)
		}
		if !regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(tool.module+" "+tool.version) + `\b`).MatchString(gomod) {
			t.Errorf("tools/go.mod does not require %s %s", tool.module, tool.version)
		}
		if !strings.Contains(gosum, tool.module+" "+tool.version+" h1:") {
			t.Errorf("tools/go.sum has no hash of %s %s: run go mod tidy in tools/", tool.module, tool.version)
		}
	}
	// .ci/run lints the workflows through the tests (TestWorkflowsLint).
	for name, tools := range map[string][]string{
		".github/workflows/ci.yml": {"actionlint", "staticcheck"},
		".ci/run":                  {"staticcheck"},
	} {
		text := string(readRepoFile(t, name))
		for _, tool := range tools {
			if want := "go tool -modfile=tools/go.mod " + tool; !strings.Contains(text, want) {
				t.Errorf("%s does not run %q", name, want)
			}
		}
		if m := regexp.MustCompile(`go run \S+@`).FindString(text); m != "" {
			t.Errorf("%s runs %q...: run tools from tools/go.mod", name, m)
		}
	}
}

// thisAction matches this action (the container, or the composite in
// binary/) in a README example's uses: line.
var thisAction = regexp.MustCompile(`(?m)^(\s*(?:-\s+)?uses:\s+)cloudflare-purge/cloudflare-purge(/binary)?@\S+`)

// otherFile is the first line of a YAML example that is not a workflow
// ("# .gitlab-ci.yml"): such examples are not linted as workflows.
var otherFile = regexp.MustCompile(`^#\s+(\S+\.ya?ml)\s*$`)

// docExample is a workflow example of a Markdown file of the repository.
type docExample struct {
	File string // slash-separated, from the root
	codeBlock
}

// docWorkflows are the ```yaml examples that are workflows, in the README
// and under docs/.
func docWorkflows(t *testing.T) []docExample {
	t.Helper()
	names := []string{"README.md"}
	m, err := filepath.Glob(filepath.Join(repoRoot(t), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m {
		names = append(names, "docs/"+filepath.Base(f))
	}
	var out []docExample
	for _, name := range names {
		for _, cb := range mdWorkflows(string(readRepoFile(t, name))) {
			out = append(out, docExample{File: name, codeBlock: cb})
		}
	}
	return out
}

// mdWorkflows are the ```yaml examples of md that are workflows.
func mdWorkflows(md string) []codeBlock {
	var out []codeBlock
	for _, cb := range codeBlocks(md) {
		if cb.Info != "yaml" {
			continue
		}
		first, _, _ := strings.Cut(cb.Text, "\n")
		if m := otherFile.FindStringSubmatch(first); m != nil && !strings.HasPrefix(m[1], ".github/workflows/") {
			continue
		}
		out = append(out, cb)
	}
	return out
}

// TestReadmeExamplesLint: every workflow example of the README and of
// docs/ passes actionlint. Each is linted as a workflow of a project that
// holds this action.yml, with this action's uses: turned into "uses: ./",
// so that actionlint also checks the inputs it passes and the outputs it
// reads.
func TestReadmeExamplesLint(t *testing.T) {
	t.Parallel()
	examples := docWorkflows(t)
	inReadme := 0
	for _, ex := range examples {
		if ex.File == "README.md" {
			inReadme++
		}
	}
	// The README keeps the quick start and the common recipes (a preview
	// deploy, a matrix, the changed files); docs/ holds the others.
	if inReadme < 4 || len(examples) < 12 {
		t.Fatalf("%d ```yaml workflow examples, %d in the README; want at least 12, 4 in the README (quick start and usage)", len(examples), inReadme)
	}
	byName := map[string]docExample{}
	dir := t.TempDir()
	for _, d := range []string{".git", filepath.Join(".github", "workflows")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"action.yml", "Dockerfile", binaryAction} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f)), readRepoFile(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, ex := range examples {
		if !thisAction.MatchString(ex.Text) {
			t.Errorf("%s:%d: the example does not use cloudflare-purge/cloudflare-purge", ex.File, ex.Line)
		}
		// uses: ./ or ./binary: actionlint checks the inputs and outputs.
		src := thisAction.ReplaceAllStringFunc(ex.Text, func(uses string) string {
			m := thisAction.FindStringSubmatch(uses)
			return m[1] + "./" + strings.TrimPrefix(m[2], "/")
		})
		base := fmt.Sprintf("example-%d.yml", i)
		byName[base] = ex
		name := filepath.Join(dir, ".github", "workflows", base)
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range actionlint(t, dir) {
		// The file is named for the example: say where it is in its document.
		ex, ok := byName[filepath.Base(p.Filepath)]
		if !ok {
			t.Errorf("%s:%d:%d: %s [%s]", p.Filepath, p.Line, p.Column, p.Message, p.Kind)
			continue
		}
		t.Errorf("%s:%d:%d: %s [%s]", ex.File, ex.Line+p.Line-1, p.Column, p.Message, p.Kind)
	}
}
