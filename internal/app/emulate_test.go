package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseEdgeListen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []edgeAddr
		wantErr string
	}{
		{in: "off"},
		{in: " OFF "},
		{in: "127.0.0.1:8788", want: []edgeAddr{{listen: "127.0.0.1:8788"}}},
		{in: "127.0.0.1:8788, 1.2.3.4:8788", want: []edgeAddr{{listen: "127.0.0.1:8788"}, {listen: "1.2.3.4:8788"}}},
		{in: "127.0.0.1:8789=1.2.3.4", want: []edgeAddr{{listen: "127.0.0.1:8789", as: netip.MustParseAddr("1.2.3.4")}}},
		{in: "127.0.0.1:8789=2001:db8::1", want: []edgeAddr{{listen: "127.0.0.1:8789", as: netip.MustParseAddr("2001:db8::1")}}},
		{in: "", wantErr: "give addresses such as 127.0.0.1:8788"},
		{in: "127.0.0.1:8788,", wantErr: "give addresses such as 127.0.0.1:8788"},
		{in: "=1.2.3.4", wantErr: "give addresses such as 127.0.0.1:8788"},
		{in: "127.0.0.1:8789=edge", wantErr: "after = give the edge IP"},
	}
	for _, tt := range tests {
		got, err := parseEdgeListen(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseEdgeListen(%q) error %v, want one saying %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseEdgeListen(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(edgeAddr{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("parseEdgeListen(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseEdgeListen(f *testing.F) {
	for _, s := range []string{"off", "127.0.0.1:8788", "127.0.0.1:8789=1.2.3.4", "a,b=c", "=", ","} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseEdgeListen(s)
		if err != nil {
			return
		}
		for _, a := range got {
			if a.listen == "" || strings.Contains(a.listen, ",") {
				t.Fatalf("parseEdgeListen(%q) gave an address %q", s, a.listen)
			}
		}
	})
}

// syncBuffer is a bytes.Buffer that a server's goroutines may write while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// emulate serves the API and the edge until its context ends, and says in
// its banner what is where: the plan, the rate limits, each environment's
// selector, the edge.
func TestEmulateServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, Env{Args: []string{"emulate", "--listen", "127.0.0.1:0", "--edge-listen", "127.0.0.1:0", "--plan", "pro", "--rate-limits"},
			Stdout: &stderr, Stderr: &stderr, Getenv: func(string) string { return "" }})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "edge") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulate did not return after its context ended")
	}
	banner := stderr.String()
	for _, w := range []string{"Emulating the Cloudflare API at http://127.0.0.1:", "plan pro", "purge rate limits on", "environment Staging", "edge IP 1.2.3.4", "environment Development", "cookie development=true"} {
		if !strings.Contains(banner, w) {
			t.Errorf("banner lacks %q:\n%s", w, banner)
		}
	}
}

// An edge address that cannot be listened on ends emulate at once, with the
// address and no server left running.
func TestEmulateEdgeListenFails(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var stderr bytes.Buffer
	code := Main(context.Background(), Env{Args: []string{"emulate", "--listen", "127.0.0.1:0", "--edge-listen", busy.Addr().String()},
		Stdout: &stderr, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != ExitConfig || !strings.Contains(stderr.String(), "--edge-listen \""+busy.Addr().String()+"\"") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}

// emulate --help's example purge with --verify names URLs to verify: a
// purge by tags names none of its own.
func TestEmulateHelpExampleVerifiesURLs(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if code := Main(context.Background(), Env{Args: []string{"emulate", "--help"}, Stdout: &stdout, Stderr: io.Discard, Getenv: func(string) string { return "" }}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	_, example, ok := strings.Cut(stdout.String(), "e.g. with\n")
	example, _, ok2 := strings.Cut(example, "):\n")
	if !ok || !ok2 {
		t.Fatalf("no example purge in:\n%s", stdout.String())
	}
	// The shell's words: the one quoted argument holds spaces.
	before, rest, _ := strings.Cut(strings.ReplaceAll(example, "\\\n", " "), "'")
	quoted, after, _ := strings.Cut(rest, "'")
	args := append(append(strings.Fields(before)[1:], quoted), strings.Fields(after)...)
	f, _, err := parseFlags(args)
	if err != nil || f.input("verify") != "true" {
		t.Fatalf("%q: %v; want a purge with --verify", args, err)
	}
	urls := strings.Fields(f.input("verify-urls"))
	if len(urls) == 0 {
		t.Fatalf("the example %q verifies no URL", example)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "https://example.com/") {
			t.Errorf("verify URL %q is not of the emulator's zone", u)
		}
	}
}
