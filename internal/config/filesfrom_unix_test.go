//go:build unix

package config

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe or a device is refused without being opened: reading one
// would block the run (a FIFO with no writer blocks open itself).
func TestFilesFromNotRegular(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	fifo := filepath.Join(ws, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, tt := range []struct{ path, want string }{
		{"fifo", "is a named pipe"},
		{"/dev/null", "is a device"},
	} {
		for _, cli := range []bool{false, true} {
			src := source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: tt.path}, nil)
			src.Dir, src.CLI = ws, cli
			if tt.path == "/dev/null" {
				src.Dir = "/dev"
			}
			_, err := Load(src)
			if !isInput(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s (CLI %v): %v, want %q", tt.path, cli, err, tt.want)
			}
		}
	}
}
