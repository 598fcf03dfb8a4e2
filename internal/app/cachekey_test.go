package app

import (
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// URLs are sent as the cache keys they name: the request, the result and
// the summary have what was sent, and the log says once what changed.
func TestURLsSentAsCacheKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"files": "https://example.com:443/a#top\nhttps://EXAMPLE.com/b#x\nhttps://example.com/c"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if n := strings.Count(r.stdout, "sent as the cache keys they name"); n != 1 {
		t.Errorf("the log says %d times what changed, want once:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stdout, "2 URLs are sent as the cache keys they name (host in lower-case ASCII, no default port, no fragment), as clients request them: https://example.com:443/a#top is sent as https://example.com/a") {
		t.Errorf("log:\n%s", r.stdout)
	}
	var bodies []string
	for _, req := range h.em.Requests() {
		bodies = append(bodies, string(req.Body))
	}
	sent := strings.Join(bodies, "\n")
	if !strings.Contains(sent, `"https://example.com/a"`) || strings.Contains(sent, "#") || strings.Contains(sent, ":443") {
		t.Errorf("sent:\n%s", sent)
	}
	// A dry run lists the items: what would be sent.
	r = h.action(h.defaults(map[string]string{"files": "https://bücher.example/a#top", "dry-run": "true"}), nil)
	if res := r.outputs["result"]; !strings.Contains(res, `"https://xn--bcher-kva.example/a"`) || strings.Contains(res, "#top") || !strings.Contains(r.summary, `xn\-\-bcher\-kva\.example/a`) {
		t.Errorf("result:\n%s\nsummary:\n%s", res, r.summary)
	}

	r = h.action(h.defaults(map[string]string{"files": "https://example.com/a,https://example.com/b"}), nil)
	if r.code != ExitConfig || !strings.Contains(r.stdout, "::error::input files: ") || !strings.Contains(r.stdout, "joined by a comma") {
		t.Errorf("a comma-joined entry: exit %d\n%s", r.code, r.stdout)
	}
}

// One URL changed is said in the singular.
func TestOneURLSentAsItsCacheKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--environment", "Staging", "--files", "https://example.com:443/a", "--dry-run"}, nil, "")
	if !strings.Contains(r.stdout+r.stderr, "1 URL is sent as the cache key it names") {
		t.Errorf("the log lacks the singular:\n%s\n%s", r.stdout, r.stderr)
	}
}
