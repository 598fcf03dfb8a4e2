package docs

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd  string // upper case: FROM, RUN, ...
	Args string
	Line int
}

// stage is one FROM and the instructions after it.
type stage struct {
	From         instruction
	Image, Name  string
	Instructions []instruction
}

func parseDockerfile(t *testing.T) []stage {
	t.Helper()
	var stages []stage
	var buf []string
	start := 0
	for i, line := range strings.Split(string(readRepoFile(t, "Dockerfile")), "\n") {
		trimmed := strings.TrimSpace(line)
		if len(buf) == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue // a comment; the syntax directive is one too
		}
		if len(buf) == 0 {
			start = i + 1
		}
		if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if c, ok := strings.CutSuffix(trimmed, `\`); ok {
			buf = append(buf, strings.TrimSpace(c))
			continue
		}
		buf = append(buf, trimmed)
		text := strings.Join(buf, " ")
		buf = nil
		cmd, args, _ := strings.Cut(text, " ")
		in := instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args), Line: start}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			var image, name string
			for j := 0; j < len(f); j++ {
				switch {
				case strings.HasPrefix(f[j], "--"):
				case strings.EqualFold(f[j], "AS") && j+1 < len(f):
					name = f[j+1]
					j++
				default:
					image = f[j]
				}
			}
			stages = append(stages, stage{From: in, Image: image, Name: name})
			continue
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		s := &stages[len(stages)-1]
		s.Instructions = append(s.Instructions, in)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages; want a builder and a final stage", len(stages))
	}
	return stages
}

var pinned = regexp.MustCompile(`^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$`)

// TestDockerfileShape: base images pinned by digest, the root distroless
// image with no USER, OCI labels, and an absolute exec-form ENTRYPOINT that
// is the binary the builder made.
func TestDockerfileShape(t *testing.T) {
	t.Parallel()
	stages := parseDockerfile(t)
	names := map[string]bool{}
	for _, s := range stages {
		if !names[s.Image] && !pinned.MatchString(s.Image) {
			t.Errorf("Dockerfile:%d: FROM %s is not pinned by digest (image:tag@sha256:...)", s.From.Line, s.Image)
		}
		names[s.Name] = true
		for _, in := range s.Instructions {
			if in.Cmd == "USER" {
				t.Errorf("Dockerfile:%d: USER %s: a container action must run as root, to write the files the runner bind-mounts", in.Line, in.Args)
			}
		}
	}

	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.Image, "gcr.io/distroless/static-debian12:latest@") && !strings.HasPrefix(final.Image, "gcr.io/distroless/static-debian12@") {
		t.Errorf("final stage is %s; want gcr.io/distroless/static-debian12 (the root variant: not :nonroot)", final.Image)
	}

	var entrypoint []string
	copied := map[string]bool{}
	labels := ""
	for _, in := range final.Instructions {
		switch in.Cmd {
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(in.Args), &entrypoint); err != nil {
				t.Errorf("Dockerfile:%d: ENTRYPOINT %s is not exec form (a JSON array): %v", in.Line, in.Args, err)
			}
		case "COPY":
			if f := strings.Fields(in.Args); len(f) > 0 {
				copied[f[len(f)-1]] = true
			}
		case "LABEL":
			labels += in.Args + " "
		case "CMD":
			t.Errorf("Dockerfile:%d: CMD would become the binary's arguments and turn the action into the CLI", in.Line)
		}
	}
	switch {
	case len(entrypoint) != 1:
		t.Errorf("ENTRYPOINT %q: want exactly the binary, without arguments", entrypoint)
	case !path.IsAbs(entrypoint[0]):
		t.Errorf("ENTRYPOINT %q is not an absolute path", entrypoint[0])
	case !copied[entrypoint[0]]:
		t.Errorf("ENTRYPOINT %q is not a file the final stage copies in", entrypoint[0])
	}
	for _, l := range []string{"org.opencontainers.image.source", "org.opencontainers.image.licenses", "org.opencontainers.image.version", "org.opencontainers.image.description"} {
		if !strings.Contains(labels, l+"=") {
			t.Errorf("final stage has no %s label", l)
		}
	}
}

// goImage matches the builder's Go version in its tag.
var goImage = regexp.MustCompile(`^golang:(\d+\.\d+(?:\.\d+)?)[-@]`)

// TestDockerfileGoVersion: the builder's Go is at least go.mod's go line, or
// the build would fetch another toolchain.
func TestDockerfileGoVersion(t *testing.T) {
	t.Parallel()
	m := goImage.FindStringSubmatch(parseDockerfile(t)[0].Image)
	if m == nil {
		t.Fatalf("builder %s: want golang:<version>-...", parseDockerfile(t)[0].Image)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(readRepoFile(t, "go.mod"))
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	if version.Compare("go"+m[1], "go"+string(goLine[1])) < 0 {
		t.Errorf("builder golang:%s is older than go.mod's go %s", m[1], goLine[1])
	}
}

// buildCommand is the Dockerfile's go build: its environment and arguments,
// with the build arguments substituted.
type buildCommand struct {
	Env    []string
	Args   []string // after "go"
	Output string   // the -o value, as the Dockerfile has it
}

func dockerBuildCommand(t *testing.T, stages []stage, vars map[string]string) buildCommand {
	t.Helper()
	for _, in := range stages[0].Instructions {
		if in.Cmd != "RUN" || !strings.Contains(in.Args, "go build") {
			continue
		}
		words, err := shellWords(in.Args, vars)
		if err != nil {
			t.Fatalf("Dockerfile:%d: %v", in.Line, err)
		}
		var bc buildCommand
		for len(words) > 0 && regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(words[0]) {
			bc.Env = append(bc.Env, words[0])
			words = words[1:]
		}
		if len(words) < 2 || words[0] != "go" || words[1] != "build" {
			t.Fatalf("Dockerfile:%d: want [VAR=value ...] go build ...; got %q", in.Line, words)
		}
		bc.Args = words[1:]
		for i, w := range bc.Args {
			if w == "-o" && i+1 < len(bc.Args) {
				bc.Output = bc.Args[i+1]
			}
		}
		return bc
	}
	t.Fatal("Dockerfile: no RUN ... go build in the first stage")
	return buildCommand{}
}

// shellWords splits a simple POSIX shell command: quotes, backslashes and
// $VAR / ${VAR} expansion from vars (an unknown variable is an error, so the
// test cannot build something other than what the Dockerfile says).
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	expand := func(i int) (int, error) {
		name, end := "", i+1
		if end < len(s) && s[end] == '{' {
			close := strings.IndexByte(s[end:], '}')
			if close < 0 {
				return 0, errors.New("unterminated ${")
			}
			name, end = s[end+1:end+close], end+close+1
		} else {
			for end < len(s) && (s[end] == '_' || s[end] >= 'A' && s[end] <= 'Z' || s[end] >= 'a' && s[end] <= 'z' || s[end] >= '0' && s[end] <= '9') {
				end++
			}
			name = s[i+1 : end]
		}
		v, ok := vars[name]
		if !ok {
			return 0, fmt.Errorf("variable %q is not one the test knows", name)
		}
		b.WriteString(v)
		return end, nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, b.String()), false
				b.Reset()
			}
			i++
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated '")
			}
			b.WriteString(s[i+1 : i+1+end])
			i, inWord = i+end+2, true
		case c == '"':
			i, inWord = i+1, true
			for ; i < len(s) && s[i] != '"'; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`, s[i+1]) >= 0:
					b.WriteByte(s[i+1])
					i++
				case s[i] == '$':
					end, err := expand(i)
					if err != nil {
						return nil, err
					}
					i = end - 1
				default:
					b.WriteByte(s[i])
				}
			}
			if i >= len(s) {
				return nil, errors.New(`unterminated "`)
			}
			i++
		case c == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i, inWord = i+2, true
		case c == '$':
			end, err := expand(i)
			if err != nil {
				return nil, err
			}
			i, inWord = end, true
		case strings.IndexByte(";&|<>`()", c) >= 0:
			return nil, fmt.Errorf("shell syntax %q: keep the go build one plain command", c)
		default:
			b.WriteByte(c)
			i, inWord = i+1, true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// dockerignore is the .dockerignore patterns, in order.
type ignorePattern struct {
	Glob   string
	Negate bool
}

func readDockerignore(t *testing.T) []ignorePattern {
	t.Helper()
	var out []ignorePattern
	for _, line := range strings.Split(string(readRepoFile(t, ".dockerignore")), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := ignorePattern{}
		if rest, ok := strings.CutPrefix(line, "!"); ok {
			p.Negate, line = true, strings.TrimSpace(rest)
		}
		if strings.Contains(line, "**") {
			t.Fatalf(".dockerignore: %q: ** is not supported by this test's matcher; keep the patterns simple", line)
		}
		p.Glob = strings.TrimPrefix(path.Clean(line), "/")
		out = append(out, p)
	}
	return out
}

// ignored applies Docker's rules: a pattern matches a path or any of its
// parent directories, and the last matching pattern wins.
func ignored(rel string, patterns []ignorePattern) bool {
	excluded := false
	for _, p := range patterns {
		parts := strings.Split(rel, "/")
		for i := 1; i <= len(parts); i++ {
			if ok, _ := path.Match(p.Glob, strings.Join(parts[:i], "/")); ok {
				excluded = !p.Negate
				break
			}
		}
	}
	return excluded
}

// TestDockerignore: the build context holds the module and keeps out what
// must never reach an image.
func TestDockerignore(t *testing.T) {
	t.Parallel()
	pats := readDockerignore(t)
	for _, p := range []string{"go.mod", "go.sum", "main.go", "internal/app/app.go", "internal/emulator/emulator.go"} {
		if ignored(p, pats) {
			t.Errorf(".dockerignore excludes %s, which the build needs", p)
		}
	}
	for _, p := range []string{".git/config", ".env", ".github/workflows/ci.yml", "cloudflare-purge", "dist/x", "README.md"} {
		if !ignored(p, pats) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}
}

// buildContext copies the files .dockerignore lets through into a new
// directory, as docker build sends them.
func buildContext(t *testing.T) string {
	t.Helper()
	root, dst := repoRoot(t), t.TempDir()
	pats := readDockerignore(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" && ignored(rel, pats) {
				return fs.SkipDir
			}
			return nil
		}
		if ignored(rel, pats) || !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, filepath.Join(dst, filepath.FromSlash(rel)))
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestDockerfileBuild runs the Dockerfile's go build, with its environment
// and flags, on the context .dockerignore lets through, then checks that the
// binary is static and stripped, and runs it as the image would.
func TestDockerfileBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	goBin, err := exec.LookPath("go") // go test puts its own go first on PATH
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const testVersion = "v0.0.0-dockerfile-test"
	stages := parseDockerfile(t)
	bc := dockerBuildCommand(t, stages, map[string]string{"TARGETOS": "linux", "TARGETARCH": runtime.GOARCH, "VERSION": testVersion})

	env := map[string]string{}
	for _, e := range bc.Env {
		k, v, _ := strings.Cut(e, "=")
		env[k] = v
	}
	if env["CGO_ENABLED"] != "0" {
		t.Errorf("the build sets CGO_ENABLED=%q; want 0 for a static binary", env["CGO_ENABLED"])
	}
	joined := strings.Join(bc.Args, " ")
	for _, want := range []string{"-trimpath", "-s -w", "-X github.com/cloudflare-purge/cloudflare-purge/internal/app.Version=" + testVersion} {
		if !strings.Contains(joined, want) {
			t.Errorf("go %s: missing %q", joined, want)
		}
	}
	final := stages[len(stages)-1]
	copiesOutput := false
	for _, in := range final.Instructions {
		if in.Cmd == "COPY" && strings.Contains(in.Args, "--from="+stages[0].Name) && strings.Contains(in.Args, " "+bc.Output+" ") {
			copiesOutput = true
		}
	}
	if !copiesOutput {
		t.Errorf("the final stage does not COPY --from=%s %s", stages[0].Name, bc.Output)
	}

	ctx := buildContext(t)
	bin := filepath.Join(t.TempDir(), "cloudflare-purge")
	args := append([]string(nil), bc.Args...)
	for i := range args {
		if i > 0 && args[i-1] == "-o" {
			args[i] = bin
		}
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = ctx
	// The image's environment has no GOFLAGS; its Go is the one go.mod asks for.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local")
	cmd.Env = append(cmd.Env, bc.Env...)
	staticBuild.Lock()
	out, err := cmd.CombinedOutput()
	staticBuild.Unlock()
	if err != nil {
		t.Fatalf("go %s (in the build context): %v\n%s", strings.Join(args, " "), err, out)
	}

	checkStatic(t, bin)
	if runtime.GOOS != "linux" {
		t.Skipf("built for linux; cannot run it on %s", runtime.GOOS)
	}
	runBinary(t, bin, testVersion)
}

// checkStatic: no interpreter, no dynamic section, no symbol table.
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			t.Error("the binary has PT_INTERP: it needs a dynamic loader, which distroless static has not")
		case elf.PT_DYNAMIC:
			t.Error("the binary has PT_DYNAMIC: it is dynamically linked")
		}
	}
	for _, s := range []string{".interp", ".dynamic", ".symtab"} {
		if f.Section(s) != nil {
			t.Errorf("the binary has a %s section; want a static binary stripped by -s", s)
		}
	}
}

// runBinary runs the built binary: --version, --help, and as the action in
// the environment the runner gives a container (against the emulator).
func runBinary(t *testing.T, bin, wantVersion string) {
	t.Helper()
	run := func(env []string, args ...string) (stdout, stderr string, code int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("%s %q: %v", bin, args, err)
		}
		return o.String(), e.String(), code
	}

	if out, _, code := run([]string{}, "--version"); code != 0 || out != "cloudflare-purge "+wantVersion+"\n" {
		t.Errorf("--version: exit %d, %q; want 0, %q", code, out, "cloudflare-purge "+wantVersion+"\n")
	}
	if out, _, code := run([]string{}, "--help"); code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "--sandbox") {
		t.Errorf("--help: exit %d, want 0 and the usage on standard output; got:\n%s", code, out)
	}

	srv := httptest.NewServer(emulator.New(emulator.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	outputs, summary := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{outputs, summary} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// What the runner passes: every input, defaults filled in.
	env := []string{
		"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + dir,
		"GITHUB_OUTPUT=" + outputs, "GITHUB_STEP_SUMMARY=" + summary,
		"INPUT_API-TOKEN=" + emulator.SandboxToken, "INPUT_API-KEY=", "INPUT_API-EMAIL=",
		"INPUT_ZONE=example.com", "INPUT_ACCOUNT-ID=", "INPUT_ENVIRONMENT=Staging",
		"INPUT_FILES=https://example.com/\nhttps://example.com/app.css", "INPUT_FILES-FROM=", "INPUT_BASE-URL=",
		"INPUT_TAGS=", "INPUT_HOSTS=", "INPUT_PREFIXES=", "INPUT_PURGE-EVERYTHING=false",
		"INPUT_FILES-PER-REQUEST=30", "INPUT_DRY-RUN=false", "INPUT_API-URL=" + srv.URL + "/client/v4",
		"INPUT_TIMEOUT=5m", "INPUT_MAX-RETRIES=5",
	}
	stdout, stderr, code := run(env)
	if code != 0 {
		t.Fatalf("as the action: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "::add-mask::") {
		t.Errorf("as the action: the first line is not ::add-mask::\n%s", stdout)
	}
	b, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"purged-count<<", "\n2\n", "environment-ref<<", emulator.StagingRef} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GITHUB_OUTPUT has no %q:\n%s", want, b)
		}
	}
	if s, _ := os.ReadFile(summary); len(s) == 0 {
		t.Error("no job summary was written")
	}
}
