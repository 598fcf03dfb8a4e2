//go:build windows

package config

import (
	"strings"
	"testing"
)

// On Windows, files-from NUL (the null device, in any directory) is refused
// as an input error, never read as an empty list or waited on.
func TestFilesFromWindowsDevice(t *testing.T) {
	t.Parallel()
	for _, cli := range []bool{false, true} {
		src := source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: "NUL"}, nil)
		src.Dir, src.CLI = t.TempDir(), cli
		_, err := Load(src)
		if !isInput(err) || !strings.Contains(err.Error(), "files-from") {
			t.Errorf("files-from NUL (CLI %v): %v; want an input error naming files-from", cli, err)
		}
	}
}
