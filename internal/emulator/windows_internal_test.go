package emulator

import (
	"fmt"
	"testing"
	"time"
)

// The per-credential windows of the Ratelimit header are forgotten once
// ended, when many credentials have been seen: a long-running emulator
// that receives random tokens stays bounded.
func TestAPIWindowsSwept(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	e := New(Options{Now: func() time.Time { return now }})
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range 2 * sweepWindows {
		e.countAPICall(fmt.Sprint("cred", i), now)
	}
	if n := len(e.windows); n != 2*sweepWindows {
		t.Fatalf("%d windows within one window's length, want %d: none has ended", n, 2*sweepWindows)
	}
	// The sandbox's window goes on; the others end.
	now = now.Add(defaultAPIWindow - time.Second)
	e.countAPICall("sandbox", now)
	now = now.Add(2 * time.Second)
	if remaining := e.countAPICall("sandbox", now).remaining; remaining != defaultAPIQuota-2 {
		t.Errorf("the sandbox's window: %d left, want %d", remaining, defaultAPIQuota-2)
	}
	e.countAPICall("new", now)
	if n := len(e.windows); n != 2 {
		t.Errorf("%d windows after the others ended, want 2 (sandbox and new)", n)
	}
}
