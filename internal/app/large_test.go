package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// 100,000 URLs from files-from are all purged, and the summary and the
// result output stay within GitHub's limits.
func TestHundredThousandURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("purges 100,000 URLs")
	}
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	// Under the race detector on a busy machine a 500-URL request can take
	// seconds; a client-side timeout would retry a purge already accepted.
	h.RequestTimeout = time.Minute
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "/assets/%06d/app.min.js\n", i)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "changed.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.action(h.defaults(map[string]string{"files-from": "changed.txt", "base-url": "https://www.example.com", "files-per-request": "500"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%.2000s", r.code, r.stdout)
	}
	if r.outputs["purged-count"] != "100000" || r.outputs["failed-count"] != "0" {
		t.Errorf("purged-count %q failed-count %q", r.outputs["purged-count"], r.outputs["failed-count"])
	}
	n := 0
	seen := map[string]bool{}
	for _, p := range h.em.Purges() {
		for _, it := range p.Items {
			seen[it] = true
		}
		n += len(p.Items)
	}
	if n != 100_000 || len(seen) != 100_000 || !seen["https://www.example.com/assets/099999/app.min.js"] {
		t.Errorf("%d items accepted, %d distinct", n, len(seen))
	}
	if len(r.summary) > 64<<10 || len(r.outputs["result"]) > 1<<20 {
		t.Errorf("summary %d bytes, result %d bytes", len(r.summary), len(r.outputs["result"]))
	}
	if !strings.Contains(r.stdout, "Progress: ") {
		t.Errorf("no progress line for a long purge")
	}
}

// Absurd input ends with a clear error and exit 2, before any request.
func TestAbsurdInput(t *testing.T) {
	t.Parallel()
	var million strings.Builder
	for i := range 1_000_000 {
		fmt.Fprintf(&million, "tag-%d\n", i)
	}
	tests := []struct {
		name   string
		inputs map[string]string
		file   string // content of files-from
		want   string
	}{
		{"a line of 10 MB in files", map[string]string{"files": "https://example.com/" + strings.Repeat("a", 10<<20)}, "", "line 1 is longer than 65536 bytes"},
		{"a line of 10 MB in files-from", map[string]string{"files-from": "big.txt"}, "https://example.com/a\n" + strings.Repeat("b", 10<<20) + "\n", "line 2 is longer than 65536 bytes"},
		{"a million tags", map[string]string{"tags": million.String()}, "", "has more than 100000 items"},
		{"a million prefixes", map[string]string{"prefixes": strings.ReplaceAll(million.String(), "tag-", "example.com/p")}, "", "has more than 100000 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			if tt.file != "" {
				if err := os.WriteFile(filepath.Join(h.dir, "big.txt"), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := h.action(h.defaults(tt.inputs), nil)
			if r.code != 2 || len(h.em.Requests()) != 0 {
				t.Fatalf("exit %d, %d requests: want 2 and none", r.code, len(h.em.Requests()))
			}
			if !strings.Contains(r.stdout, "::error::") || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("log lacks an ::error with %q:\n%.2000s", tt.want, r.stdout)
			}
			if len(r.stdout) > 10<<10 || len(r.summary) > 10<<10 {
				t.Errorf("log %d bytes, summary %d bytes: the bad value must be shortened", len(r.stdout), len(r.summary))
			}
		})
	}
}
