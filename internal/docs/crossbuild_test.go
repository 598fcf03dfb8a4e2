package docs

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// crossPlatforms are the release's binaries other than linux/amd64, which
// TestDockerfileBuild builds.
var crossPlatforms = []struct{ goos, goarch string }{
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
	{"linux", "arm64"},
}

// TestCrossBuild builds the binary for every other runner a release serves,
// as the release builds it (static, -trimpath), checks each is an
// executable for its platform, and vets the code as Windows and macOS see
// it, so that a file for one system only cannot break another's build.
// The builds share the build cache and hold staticBuild, as the other
// builds of these tests do. With a warm cache the test takes about 12 s
// (4 s of CPU); with an empty one it compiles the standard library and the
// dependencies for each platform: about 330 s of CPU on a 2-core VM.
func TestCrossBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary for five platforms")
	}
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(errNoGo)
	}
	root, out := repoRoot(t), t.TempDir()
	run := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), append([]string{"CGO_ENABLED=0", "GOFLAGS="}, env...)...)
		staticBuild.Lock()
		b, err := cmd.CombinedOutput()
		staticBuild.Unlock()
		if err != nil {
			t.Errorf("%s go %s: %v\n%s", strings.Join(env, " "), strings.Join(args, " "), err, b)
		}
	}
	for _, p := range crossPlatforms {
		bin := filepath.Join(out, "cloudflare-purge-"+p.goos+"-"+p.goarch+exeSuffix(p.goos))
		run([]string{"GOOS=" + p.goos, "GOARCH=" + p.goarch}, "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
		if err := checkExecutable(bin, p.goos, p.goarch); err != nil {
			t.Errorf("%s/%s: %v", p.goos, p.goarch, err)
		}
	}
	for _, goos := range []string{"windows", "darwin"} {
		// -trimpath as the builds: vet then reuses what they compiled.
		run([]string{"GOOS=" + goos, "GOARCH=amd64"}, "vet", "-trimpath", "./...")
	}
}

// checkExecutable: bin is an executable of goos/goarch.
func checkExecutable(bin, goos, goarch string) error {
	switch goos {
	case "windows":
		f, err := pe.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			return errors.New("not a Windows executable for " + goarch)
		}
	case "darwin":
		f, err := macho.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want || f.Type != macho.TypeExec {
			return errors.New("not a macOS executable for " + goarch)
		}
	case "linux":
		f, err := elf.Open(bin)
		if err != nil {
			return err
		}
		defer f.Close()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != want || f.Type != elf.ET_EXEC {
			return errors.New("not a static Linux executable for " + goarch)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return errors.New("dynamically linked")
			}
		}
	}
	return nil
}
