package docs

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// toolsDir holds the tools the tests build once per run (actionlint); it
// is removed when the tests end.
var toolsDir string

// minParallel is the least -parallel these tests run with. The slow ones
// wait on go commands (actionlint's build, the Dockerfile's), which use
// every core themselves; at the default, GOMAXPROCS (2 on a 2-core
// machine), the two lint tests waiting on the one actionlint build could
// hold both slots, and the Dockerfile's build would start only after it.
const minParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given && runtime.GOMAXPROCS(0) < minParallel {
		if err := flag.Set("test.parallel", fmt.Sprint(minParallel)); err != nil {
			fmt.Fprintln(os.Stderr, "docs tests: -parallel:", err)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "docs-tools-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "docs tests:", err)
		os.Exit(1)
	}
	toolsDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
