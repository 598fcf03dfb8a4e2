package docs

import (
	"fmt"
	"os"
	"testing"
)

// toolsDir holds the tools the tests build once per run (actionlint); it
// is removed when the tests end.
var toolsDir string

func TestMain(m *testing.M) {
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
