package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// binaryAction is the composite action that runs the release's binary on
// any runner.
const binaryAction = "binary/action.yml"

// releaseAssets are the binaries a release publishes, one per runner.os
// and runner.arch, named as binary/install.sh and install.ps1 look for them.
var releaseAssets = []string{
	"cloudflare-purge-linux-amd64",
	"cloudflare-purge-linux-arm64",
	"cloudflare-purge-darwin-amd64",
	"cloudflare-purge-darwin-arm64",
	"cloudflare-purge-windows-amd64.exe",
	"cloudflare-purge-windows-arm64.exe",
}

// compositeStep is one step of a composite action.
type compositeStep struct {
	ID, If, Shell, Run string
	Env                map[string]string
	EnvOrder           []string
}

func compositeSteps(t *testing.T, name string) map[string]compositeStep {
	t.Helper()
	root := parseYAML(t, name, readRepoFile(t, name))
	runs := lookup(root, "runs")
	if u := scalar(lookup(runs, "using")); u != "composite" {
		t.Fatalf("%s: runs.using = %q, want composite", name, u)
	}
	steps := lookup(runs, "steps")
	if steps == nil || steps.Kind != yaml.SequenceNode {
		t.Fatalf("%s: runs.steps is not a list", name)
	}
	out := map[string]compositeStep{}
	for _, n := range steps.Content {
		s := compositeStep{ID: scalar(lookup(n, "id")), If: scalar(lookup(n, "if")), Shell: scalar(lookup(n, "shell")), Run: scalar(lookup(n, "run")), Env: map[string]string{}}
		for _, kv := range entries(lookup(n, "env")) {
			s.Env[kv.Key] = kv.Value.Value
			s.EnvOrder = append(s.EnvOrder, kv.Key)
		}
		out[s.ID] = s
	}
	return out
}

var updateBinary = flag.Bool("update-binary", false, "rewrite binary/action.yml's inputs, outputs and INPUT_ variables from action.yml")

// renderBinaryAction is binary/action.yml (current) with its inputs,
// outputs and the run steps' INPUT_ variables made from action.yml (root):
// what TestBinaryActionMatchesRoot expects, and -update-binary writes.
func renderBinaryAction(root, current string) string {
	section := func(text, start, end string) []string {
		lines := strings.Split(text, "\n")
		from, to := slices.Index(lines, start), slices.Index(lines, end)
		if from < 0 || to < from {
			return nil
		}
		return lines[from:to]
	}
	entry := regexp.MustCompile(`^  ([a-z0-9-]+):$`)
	var names []string
	for _, l := range section(root, "inputs:", "outputs:") {
		if m := entry.FindStringSubmatch(l); m != nil {
			names = append(names, m[1])
		}
	}
	var out []string
	lines := strings.Split(current, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "inputs:":
			out = append(out, section(root, "inputs:", "outputs:")...)
			outputs := section(root, "outputs:", "runs:")
			for j, o := range outputs {
				out = append(out, o)
				next := ""
				if j+1 < len(outputs) {
					next = outputs[j+1]
				}
				// An output's entry ends where the next one (or the
				// section) starts: its value goes there.
				if strings.HasPrefix(o, "    ") && !strings.HasPrefix(next, "    ") {
					name := ""
					for k := j; k >= 0; k-- {
						if m := entry.FindStringSubmatch(outputs[k]); m != nil {
							name = m[1]
							break
						}
					}
					out = append(out, fmt.Sprintf("    value: ${{ steps.unix.outputs.%s || steps.windows.outputs.%s }}", name, name))
				}
			}
			for i < len(lines) && lines[i] != "runs:" {
				i++
			}
			i--
		case regexp.MustCompile(`^ +CLOUDFLARE_PURGE: \$\{\{ steps\.install-[a-z]+\.outputs\.path \}\}$`).MatchString(l):
			out = append(out, l)
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			for _, n := range names {
				out = append(out, fmt.Sprintf("%sINPUT_%s: ${{ inputs.%s }}", indent, strings.ToUpper(n), n))
			}
			for i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "INPUT_") {
				i++
			}
		default:
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestBinaryActionMatchesRoot: the composite action has exactly the root
// action's inputs and outputs, passes every input to the binary as the
// runner passes it to the container (INPUT_<NAME>, upper case, hyphens
// kept), and takes each output from whichever run step ran. After a
// change to action.yml's inputs or outputs, run
// go test ./internal/docs -run TestBinaryActionMatchesRoot -update-binary.
func TestBinaryActionMatchesRoot(t *testing.T) {
	t.Parallel()
	current := string(readRepoFile(t, binaryAction))
	want := renderBinaryAction(string(readRepoFile(t, "action.yml")), current)
	if *updateBinary && want != current {
		if err := os.WriteFile(filepath.Join(repoRoot(t), filepath.FromSlash(binaryAction)), []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		current = want
	}
	if diff := cmp.Diff(want, current); diff != "" {
		t.Errorf("%s: its inputs, outputs or INPUT_ variables differ from action.yml's; run go test ./internal/docs -run TestBinaryActionMatchesRoot -update-binary (-want +got):\n%s", binaryAction, diff)
	}
	root, bin := loadAction(t), loadActionFile(t, binaryAction)
	if diff := cmp.Diff(root.Inputs, bin.Inputs); diff != "" {
		t.Errorf("%s inputs differ from action.yml's (-action.yml +%s): copy them", binaryAction, binaryAction)
		t.Log(diff)
	}
	if diff := cmp.Diff(root.Outputs, bin.Outputs); diff != "" {
		t.Errorf("%s outputs differ from action.yml's (-action.yml +%s):\n%s", binaryAction, binaryAction, diff)
	}

	doc := parseYAML(t, binaryAction, readRepoFile(t, binaryAction))
	for _, kv := range entries(lookup(doc, "outputs")) {
		want := fmt.Sprintf("${{ steps.unix.outputs.%s || steps.windows.outputs.%s }}", kv.Key, kv.Key)
		if got := scalar(lookup(kv.Value, "value")); got != want {
			t.Errorf("%s: output %s: value %q, want %q", binaryAction, kv.Key, got, want)
		}
	}

	steps := compositeSteps(t, binaryAction)
	for _, run := range []struct{ id, install, shell string }{{"unix", "install-unix", "bash"}, {"windows", "install-windows", "cmd"}} {
		s, ok := steps[run.id]
		if !ok {
			t.Errorf("%s: no step with id %s", binaryAction, run.id)
			continue
		}
		if s.Shell != run.shell {
			t.Errorf("%s: step %s: shell %q, want %s", binaryAction, run.id, s.Shell, run.shell)
		}
		want := []string{"CLOUDFLARE_PURGE: ${{ steps." + run.install + ".outputs.path }}"}
		for _, in := range root.Inputs {
			want = append(want, fmt.Sprintf("INPUT_%s: ${{ inputs.%s }}", strings.ToUpper(in.Name), in.Name))
		}
		var got []string
		for _, k := range s.EnvOrder {
			got = append(got, k+": "+s.Env[k])
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: step %s passes other variables than the inputs (-want +got):\n%s\nThe env to paste:\n        %s", binaryAction, run.id, diff, strings.Join(want, "\n        "))
		}
	}
	unix, windows := steps["install-unix"], steps["install-windows"]
	if unix.Run == "" || windows.Run == "" {
		t.Fatalf("%s: want install steps install-unix and install-windows", binaryAction)
	}
	if !strings.Contains(unix.Run, "install.sh") || !strings.Contains(windows.Run, "install.ps1") {
		t.Errorf("%s: the install steps run %q and %q; want install.sh and install.ps1", binaryAction, unix.Run, windows.Run)
	}
	if diff := cmp.Diff(unix.Env, windows.Env); diff != "" {
		t.Errorf("%s: the install steps pin different binaries (-unix +windows):\n%s", binaryAction, diff)
	}
	checkPins(t, unix.Env)
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkPins: on main the install steps pin nothing ("unreleased"); on a
// release commit, the release's tag and a SHA-256 per asset.
func checkPins(t *testing.T, env map[string]string) {
	t.Helper()
	version := env["CLOUDFLARE_PURGE_VERSION"]
	if u := env["CLOUDFLARE_PURGE_DOWNLOAD"]; !strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, "/releases/download") {
		t.Errorf("CLOUDFLARE_PURGE_DOWNLOAD %q: want https://.../OWNER/REPO/releases/download", u)
	}
	var assets []string
	for _, line := range strings.Split(strings.TrimSpace(env["CLOUDFLARE_PURGE_SHA256"]), "\n") {
		sum, asset, ok := strings.Cut(line, "  ")
		if !ok {
			t.Errorf("CLOUDFLARE_PURGE_SHA256 line %q: want \"<sha256>  <file>\"", line)
			continue
		}
		assets = append(assets, asset)
		switch {
		case version == "unreleased" && sum != "unreleased":
			t.Errorf("unreleased, but %s is pinned to %s", asset, sum)
		case version != "unreleased" && !sha256Hex.MatchString(sum):
			t.Errorf("release %s: %s is pinned to %q, not a SHA-256", version, asset, sum)
		}
	}
	if version != "unreleased" && !regexp.MustCompile(`^v\d+\.\d+\.\d+(-\S+)?$`).MatchString(version) {
		t.Errorf("CLOUDFLARE_PURGE_VERSION %q: want unreleased (main) or a release tag", version)
	}
	if diff := cmp.Diff(releaseAssets, assets); diff != "" {
		t.Errorf("pinned assets differ from a release's (-release +pinned):\n%s", diff)
	}
}

// fakeRelease serves release downloads on loopback, as GitHub serves
// .../releases/download/<tag>/<asset>, and counts the requests.
type fakeRelease struct {
	srv      *httptest.Server
	requests atomic.Int32
}

func serveRelease(t *testing.T, tag string, files map[string][]byte) *fakeRelease {
	t.Helper()
	r := &fakeRelease{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		name, ok := strings.CutPrefix(req.URL.Path, "/releases/download/"+tag+"/")
		b, found := files[name]
		if !ok || !found {
			http.NotFound(w, req)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *fakeRelease) url() string { return r.srv.URL + "/releases/download" }

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pinsOf writes checksums as action.yml pins them.
func pinsOf(sums map[string][]byte) string {
	var lines []string
	for _, a := range releaseAssets {
		if b, ok := sums[a]; ok {
			lines = append(lines, sha256Of(b)+"  "+a)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// installer runs one of the install scripts.
type installer struct {
	name string
	cmd  func(script string) []string
	file string
	// os is the runner.os the test gives it: the file names differ.
	os, exe string
}

func installers() []installer {
	return []installer{
		{name: "bash", file: "install.sh", os: "Linux", cmd: func(s string) []string { return []string{"bash", s} }},
		{name: "pwsh", file: "install.ps1", os: "Windows", exe: ".exe", cmd: func(s string) []string {
			return []string{"pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", s}
		}},
	}
}

// available tells why an installer cannot run here, or "".
func (in installer) unavailable() string {
	prog := in.cmd("")[0]
	if _, err := exec.LookPath(prog); err != nil {
		return prog + " is not installed"
	}
	if prog == "bash" && runtime.GOOS == "windows" {
		// bash on Windows may be WSL's, which sees other paths.
		return "the bash install step does not run on Windows runners"
	}
	return ""
}

// installRun is what one run of an install script did.
type installRun struct {
	code    int
	log     string
	outputs string
}

func runInstaller(t *testing.T, in installer, env map[string]string) installRun {
	t.Helper()
	args := in.cmd(filepath.Join(repoRoot(t), "binary", in.file))
	cmd := exec.Command(args[0], args[1:]...)
	// This process's environment (a shell needs more of it on Windows
	// than PATH), without what the runner or the action would set.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "RUNNER_") && !strings.HasPrefix(k, "GITHUB_") && !strings.HasPrefix(k, "CLOUDFLARE_PURGE") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	outputs := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(outputs, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(cmd.Env, "GITHUB_OUTPUT="+outputs)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", args, err)
	}
	o, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	return installRun{code, log.String(), string(o)}
}

// TestBinaryInstall runs the install step of the composite action, with
// bash and with PowerShell where they are installed, against a release
// served on loopback: a good binary is installed in the tool cache and
// found there next time (checked again); a tampered download, a platform
// the release has no binary for, a download that fails and an unreleased
// action.yml fail the step with nothing installed.
func TestBinaryInstall(t *testing.T) {
	t.Parallel()
	const tag = "v1.2.3"
	for _, in := range installers() {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			if why := in.unavailable(); why != "" {
				t.Skip(why)
			}
			asset := "cloudflare-purge-" + strings.ToLower(map[string]string{"Linux": "linux", "Windows": "windows"}[in.os]) + "-amd64" + in.exe
			good := []byte("the good binary\n")
			pinned := map[string][]byte{asset: good}
			env := func(rel *fakeRelease, cache string, more ...string) map[string]string {
				e := map[string]string{
					"CLOUDFLARE_PURGE_DOWNLOAD": rel.url(), "CLOUDFLARE_PURGE_VERSION": tag, "CLOUDFLARE_PURGE_SHA256": pinsOf(pinned),
					"RUNNER_OS": in.os, "RUNNER_ARCH": "X64", "RUNNER_TOOL_CACHE": cache, "RUNNER_TEMP": t.TempDir(),
				}
				for i := 0; i+1 < len(more); i += 2 {
					e[more[i]] = more[i+1]
				}
				return e
			}
			dir := func(cache string) string { return filepath.Join(cache, "cloudflare-purge", "1.2.3", "amd64") }
			bin := func(cache string) string { return filepath.Join(dir(cache), "cloudflare-purge"+in.exe) }
			// nothingInstalled: no binary, no marker, no download left over.
			nothingInstalled := func(t *testing.T, cache string, r installRun) {
				t.Helper()
				if r.code == 0 || !strings.Contains(r.log, "::error") {
					t.Errorf("exit %d, want a failure with an ::error:: line:\n%s", r.code, r.log)
				}
				if strings.Contains(r.outputs, "path=") {
					t.Errorf("a failed install wrote its path: %q", r.outputs)
				}
				if _, err := os.Stat(dir(cache) + ".complete"); err == nil {
					t.Error("a failed install marked the tool cache complete")
				}
				if files, _ := os.ReadDir(dir(cache)); len(files) > 0 {
					t.Errorf("a failed install left %d files in the tool cache: %v", len(files), files)
				}
			}

			t.Run("good", func(t *testing.T) {
				rel := serveRelease(t, tag, map[string][]byte{asset: good})
				cache := t.TempDir()
				r := runInstaller(t, in, env(rel, cache))
				if r.code != 0 {
					t.Fatalf("exit %d:\n%s", r.code, r.log)
				}
				if want := "path=" + bin(cache) + "\n"; r.outputs != want {
					t.Errorf("outputs %q, want %q", r.outputs, want)
				}
				if b, err := os.ReadFile(bin(cache)); err != nil || !bytes.Equal(b, good) {
					t.Errorf("installed %q, %v; want the good binary", b, err)
				}
				// install.ps1 runs on Windows only, where no mode bit says executable.
				if fi, err := os.Stat(bin(cache)); err == nil && in.exe == "" && fi.Mode()&0o111 == 0 {
					t.Errorf("installed binary mode %v: not executable", fi.Mode())
				}

				// From the tool cache: no download.
				r = runInstaller(t, in, env(rel, cache))
				if r.code != 0 || rel.requests.Load() != 1 || !strings.Contains(r.log, "from the tool cache") {
					t.Errorf("second run: exit %d, %d requests in all; want 0 and 1 (the tool cache's copy):\n%s", r.code, rel.requests.Load(), r.log)
				}

				// A cached copy that changed is downloaded again.
				if err := os.WriteFile(bin(cache), []byte("changed in the cache"), 0o755); err != nil {
					t.Fatal(err)
				}
				r = runInstaller(t, in, env(rel, cache))
				if b, _ := os.ReadFile(bin(cache)); r.code != 0 || rel.requests.Load() != 2 || !bytes.Equal(b, good) {
					t.Errorf("changed cache: exit %d, %d requests, installed %q; want 0, 2 and the good binary:\n%s", r.code, rel.requests.Load(), b, r.log)
				}
			})

			t.Run("tampered", func(t *testing.T) {
				rel := serveRelease(t, tag, map[string][]byte{asset: []byte("the good binary, changed\n")})
				cache := t.TempDir()
				r := runInstaller(t, in, env(rel, cache))
				nothingInstalled(t, cache, r)
				if !strings.Contains(r.log, "checksum mismatch for "+asset) || !strings.Contains(r.log, sha256Of(good)) {
					t.Errorf("the error does not say the checksum did not match:\n%s", r.log)
				}
			})

			missing := []struct {
				name, arch string
				more       []string
				served     bool
				want       string
				requests   int32
			}{
				{"runner.arch the release has no binary for", "ARM", nil, true, "no cloudflare-purge binary for runner.arch ARM", 0},
				{"platform not pinned", "ARM64", nil, true, "pins no binary for " + in.os + "/ARM64", 0},
				{"not served", "X64", nil, false, "cannot download " + "http://", 1},
				{"unreleased action.yml", "X64", []string{"CLOUDFLARE_PURGE_VERSION", "unreleased"}, true, "not a release's", 0},
			}
			for _, m := range missing {
				t.Run(m.name, func(t *testing.T) {
					files := map[string][]byte{}
					if m.served {
						files[asset] = good
					}
					rel := serveRelease(t, tag, files)
					cache := t.TempDir()
					r := runInstaller(t, in, env(rel, cache, append([]string{"RUNNER_ARCH", m.arch}, m.more...)...))
					nothingInstalled(t, cache, r)
					if !strings.Contains(r.log, m.want) || rel.requests.Load() != m.requests {
						t.Errorf("want %q and %d requests; got %d:\n%s", m.want, m.requests, rel.requests.Load(), r.log)
					}
				})
			}
		})
	}
}

// hostBinary builds the binary for this machine once per test run, as a
// release builds it.
var hostBinary = sync.OnceValues(func() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errNoGo
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(toolsDir, "cloudflare-purge-host"+exeSuffix(runtime.GOOS))
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags", "-s -w -X github.com/cloudflare-purge/cloudflare-purge/internal/app.Version=v1.2.3", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	staticBuild.Lock()
	out, err := cmd.CombinedOutput()
	staticBuild.Unlock()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

func exeSuffix(goos string) string {
	if goos == "windows" {
		return ".exe"
	}
	return ""
}

// runnerOS and runnerArch are the runner's names for GOOS and GOARCH.
var (
	runnerOS   = map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}
	runnerArch = map[string]string{"amd64": "X64", "arm64": "ARM64"}
)

// TestBinaryActionRuns: the composite action end to end, as far as this
// machine allows: this machine's binary is installed from a release on
// loopback by the install step (where its shell is installed), then run
// with the run step's environment, its inputs filled in as the runner
// fills them, against the emulator: the outputs, the summary and the
// masking are the container's.
func TestBinaryActionRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	built, err := hostBinary()
	if errors.Is(err, errNoGo) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if runnerOS[runtime.GOOS] == "" || runnerArch[runtime.GOARCH] == "" {
		t.Skipf("no release binary for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	b, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	asset := "cloudflare-purge-" + runtime.GOOS + "-" + runtime.GOARCH + exeSuffix(runtime.GOOS)

	bin := built
	for _, in := range installers() {
		if in.unavailable() != "" || (in.name == "pwsh") != (runtime.GOOS == "windows") {
			continue
		}
		rel := serveRelease(t, "v1.2.3", map[string][]byte{asset: b})
		cache := t.TempDir()
		r := runInstaller(t, in, map[string]string{
			"CLOUDFLARE_PURGE_DOWNLOAD": rel.url(), "CLOUDFLARE_PURGE_VERSION": "v1.2.3", "CLOUDFLARE_PURGE_SHA256": pinsOf(map[string][]byte{asset: b}),
			"RUNNER_OS": runnerOS[runtime.GOOS], "RUNNER_ARCH": runnerArch[runtime.GOARCH], "RUNNER_TOOL_CACHE": cache,
		})
		path, ok := strings.CutPrefix(strings.TrimSpace(r.outputs), "path=")
		if r.code != 0 || !ok {
			t.Fatalf("install (%s): exit %d, outputs %q:\n%s", in.name, r.code, r.outputs, r.log)
		}
		bin = path
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
	given := map[string]string{
		"api-token": emulator.SandboxToken, "zone": "example.com", "environment": "Staging",
		"files": "https://example.com/\nhttps://example.com/app.css", "api-url": srv.URL + "/client/v4",
	}
	// The runner fills in the defaults of inputs not given.
	inputs := map[string]string{}
	for _, in := range loadActionFile(t, binaryAction).Inputs {
		if in.Default != nil {
			inputs[in.Name] = *in.Default
		}
	}
	for k, v := range given {
		inputs[k] = v
	}
	step := compositeSteps(t, binaryAction)["unix"]
	expr := regexp.MustCompile(`^\$\{\{ (inputs\.([a-z-]+)|steps\.install-unix\.outputs\.path) \}\}$`)
	env := []string{"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + dir, "GITHUB_OUTPUT=" + outputs, "GITHUB_STEP_SUMMARY=" + summary}
	if v, ok := os.LookupEnv("SYSTEMROOT"); ok {
		env = append(env, "SYSTEMROOT="+v)
	}
	for _, k := range step.EnvOrder {
		m := expr.FindStringSubmatch(step.Env[k])
		switch {
		case m == nil:
			t.Fatalf("step unix: %s: %q is not an expression this test knows", k, step.Env[k])
		case m[2] == "":
			env = append(env, k+"="+bin)
		default:
			env = append(env, k+"="+inputs[m[2]])
		}
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the installed binary, as the action: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "::add-mask::") {
		t.Errorf("the first line is not ::add-mask::\n%s", stdout.String())
	}
	o, _ := os.ReadFile(outputs)
	for _, want := range []string{"purged-count<<", "\n2\n", "environment-ref<<", emulator.StagingRef} {
		if !strings.Contains(string(o), want) {
			t.Errorf("GITHUB_OUTPUT has no %q:\n%s", want, o)
		}
	}
	if s, _ := os.ReadFile(summary); !strings.Contains(string(s), "done") {
		t.Errorf("job summary:\n%s", s)
	}
	if slices.Contains(strings.Split(stdout.String(), "\n"), emulator.SandboxToken) {
		t.Error("the token was printed")
	}
}

// TestPinBinaries: scripts/pin-binaries.sh, which the release runs, pins
// every asset of a checksums file in both install steps, with the tag and
// the download URL, and changes nothing else; a checksums file that lacks
// an asset fails it.
func TestPinBinaries(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil || runtime.GOOS == "windows" {
		t.Skip("needs bash (the release runs on Linux)")
	}
	dir := t.TempDir()
	sums := map[string][]byte{}
	for _, a := range releaseAssets {
		sums[a] = []byte(a)
	}
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orig := string(readRepoFile(t, binaryAction))
	action := write("action.yml", orig)
	checksums := write("checksums.txt", pinsOf(sums))
	pin := func(checksums string) ([]byte, error) {
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "pin-binaries.sh"), "https://github.com/o/r/releases/download", "v1.2.3", checksums, action)
		return cmd.CombinedOutput()
	}
	if out, err := pin(checksums); err != nil {
		t.Fatalf("pin-binaries.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(action)
	if err != nil {
		t.Fatal(err)
	}
	pinned := string(b)
	var changed []string
	origLines, pinnedLines := strings.Split(orig, "\n"), strings.Split(pinned, "\n")
	if len(origLines) != len(pinnedLines) {
		t.Fatalf("pin-binaries.sh changed the number of lines: %d to %d", len(origLines), len(pinnedLines))
	}
	for i := range origLines {
		if origLines[i] != pinnedLines[i] {
			changed = append(changed, strings.TrimSpace(pinnedLines[i]))
		}
	}
	var want []string
	for range 2 {
		want = append(want, "CLOUDFLARE_PURGE_DOWNLOAD: https://github.com/o/r/releases/download", "CLOUDFLARE_PURGE_VERSION: v1.2.3")
		for _, a := range releaseAssets {
			want = append(want, sha256Of(sums[a])+"  "+a)
		}
	}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("lines pin-binaries.sh changed (-want +got):\n%s", diff)
	}

	delete(sums, releaseAssets[2])
	write("action.yml", orig)
	if out, err := pin(write("short.txt", pinsOf(sums))); err == nil || !strings.Contains(string(out), "no checksum for "+releaseAssets[2]) {
		t.Errorf("a checksums file without %s: %v\n%s", releaseAssets[2], err, out)
	}
}

// TestReleaseBuildsBinaries: release.yml builds every asset the install
// steps download, as the Dockerfile builds the image's binary, attests them,
// pins them with scripts/pin-binaries.sh and publishes them with their
// checksums.
func TestReleaseBuildsBinaries(t *testing.T) {
	t.Parallel()
	release := string(readRepoFile(t, ".github/workflows/release.yml"))
	var platforms []string
	for _, a := range releaseAssets {
		a = strings.TrimSuffix(strings.TrimPrefix(a, "cloudflare-purge-"), ".exe")
		platforms = append(platforms, strings.Replace(a, "-", "/", 1))
	}
	for _, want := range []string{
		"for platform in " + strings.Join(platforms, " ") + "; do",
		`-o "dist/cloudflare-purge-${os}-${arch}${ext}"`,
		"CGO_ENABLED=0", "go build -trimpath", "internal/app.Version=${TAG}",
		"sha256sum cloudflare-purge-* >checksums.txt",
		"actions/attest-build-provenance@", "subject-path: dist/cloudflare-purge-*",
		`scripts/pin-binaries.sh "${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/releases/download" "$TAG" dist/checksums.txt binary/action.yml`,
		"action.yml binary/action.yml", "dist/cloudflare-purge-* dist/checksums.txt",
		"uses: ./released/binary",
	} {
		if !strings.Contains(release, want) {
			t.Errorf("release.yml does not contain %q", want)
		}
	}
}
