package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// texts are the texts of the lines at level.
func texts(lines []Line, level Level) []string {
	var out []string
	for _, l := range lines {
		if l.Level == level {
			out = append(out, l.Text)
		}
	}
	return out
}

// failedEnv is 100,000 URLs at 30 per request, every request failed with
// err.
func failedEnv(name string, err *result.Error) result.Environment {
	e := result.Environment{Name: name, Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := 0; i < 100_000; i += 30 {
		e.Batches = append(e.Batches, result.Batch{Kind: result.KindFiles, Count: min(30, 100_000-i), Status: result.Failed, Attempts: 6, Error: err})
	}
	return e
}

// One ::error:: per distinct error per environment, with its counts, the
// most items first and at most 10; the detail per request at ::debug::.
func TestLogOneErrorPerDistinctError(t *testing.T) {
	t.Parallel()
	network := &result.Error{Kind: result.KindAPI, Step: "purge", Message: "connection reset by peer", Hint: "Check api-url and the network; the request was retried with backoff."}
	r := &result.Result{Environments: []result.Environment{
		failedEnv("Staging", network),
		failedEnv("Development", network),
		{Name: "Preview", Ref: "49f0bad299687c62334182178bfd", Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
			{Kind: result.KindTags, Count: 100, Status: result.Purged, ID: "aaaa0000000000000000000000000001", Attempts: 1},
			{Kind: result.KindFiles, Count: 30, Status: result.Failed, Attempts: 1, Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1136, Message: "Purge by URL is not allowed"}},
			{Kind: result.KindFiles, Count: 5, Status: result.Failed, Attempts: 1, Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1136, Message: "Purge by URL is not allowed"}},
		}},
	}}
	r.Finish(0)
	lines := Log(r)
	want := []string{
		"Staging: 3,334 requests (100,000 URLs) failed: purge failed: connection reset by peer. Check api-url and the network; the request was retried with backoff.",
		"Development: 3,334 requests (100,000 URLs) failed: purge failed: connection reset by peer. Check api-url and the network; the request was retried with backoff.",
		"Preview: 2 requests (35 URLs) failed: purge failed (HTTP 400): Cloudflare error 1136: Purge by URL is not allowed",
	}
	if diff := cmp.Diff(want, texts(lines, Error)); diff != "" {
		t.Errorf("error lines (-want +got):\n%s", diff)
	}
	failedDebug := 0
	for _, l := range texts(lines, Debug) {
		if strings.Contains(l, " failed after ") {
			failedDebug++
		}
	}
	if failedDebug != 3334*2+2 {
		t.Errorf("%d debug lines for failed requests, want one per request (%d)", failedDebug, 3334*2+2)
	}
	if diff := cmp.Diff([]string{"Staging (ref 5d41402abc4b2a76b9719d911017c)", "Development (ref 5d41402abc4b2a76b9719d911017c)", "Preview (ref 49f0bad299687c62334182178bfd)"}, texts(lines, Group)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if got, want := len(texts(lines, EndGroup)), 3; got != want {
		t.Errorf("%d groups ended, want %d", got, want)
	}
}

// Past 10 distinct errors, the 10th line sums up the rest: GitHub makes
// annotations of the first 10 only, and those are the ones that failed
// the most items.
func TestLogAtMostTenErrors(t *testing.T) {
	t.Parallel()
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := range 30 {
		// Each a code of its own, and the later the bigger.
		e.Batches = append(e.Batches, result.Batch{Kind: result.KindTags, Count: i + 1, Status: result.Failed, Attempts: 6,
			Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1000 + i, Message: "refused"}})
	}
	r := &result.Result{Environments: []result.Environment{e}}
	r.Finish(0)
	errs := texts(Log(r), Error)
	if len(errs) != maxErrorLines {
		t.Fatalf("%d error lines, want %d:\n%s", len(errs), maxErrorLines, strings.Join(errs, "\n"))
	}
	if want := "Staging: 1 request (30 tags) failed: purge failed (HTTP 400): Cloudflare error 1029: refused"; errs[0] != want {
		t.Errorf("first error %q, want %q: the one that failed the most items", errs[0], want)
	}
	// 21 left: 1 + 2 + ... + 21 tags.
	if want := "21 more requests (231 items) failed with 21 other errors: see the debug log, the job summary and the result output"; errs[9] != want {
		t.Errorf("last error %q, want %q", errs[9], want)
	}
}

// FailureLines group by distinct error per environment, most items first,
// at most maxErrorLines, the last counting the rest; batches that the
// run's stop explains are left out.
func TestFailureLines(t *testing.T) {
	t.Parallel()
	r := &result.Result{}
	for i := range maxErrorLines + 2 {
		e := result.Environment{Name: fmt.Sprint("env", i), Endpoint: result.EndpointEnvironment, Ref: fmt.Sprint("ref", i)}
		for j := range 2 { // two requests with the same error
			e.Batches = append(e.Batches, result.Batch{Kind: result.KindTags, Count: i + 1 + j, Status: result.Failed,
				Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1000 + i, Message: "bad"}})
		}
		e.Batches = append(e.Batches,
			result.Batch{Kind: result.KindTags, Count: 1, Status: result.Purged, ID: "x"},
			result.Batch{Kind: result.KindTags, Count: 1, Status: result.Failed, Error: result.StopError(&result.Error{Kind: result.KindAPI})})
		r.Environments = append(r.Environments, e)
	}
	fails := failures(r)
	first := fails[0]
	if len(fails) != maxErrorLines+2 || first.env != fmt.Sprint("env", maxErrorLines+1) || first.requests != 2 || first.items != 2*maxErrorLines+5 {
		t.Fatalf("%d failures, the first %+v; want %d, the first env%d with 2 requests and %d items", len(fails), first, maxErrorLines+2, maxErrorLines+1, 2*maxErrorLines+5)
	}
	errs := texts(FailureLines(r, "SEE"), Error)
	if len(errs) != maxErrorLines {
		t.Fatalf("%d error lines, want %d:\n%s", len(errs), maxErrorLines, strings.Join(errs, "\n"))
	}
	if got, want := errs[0], "env11: 2 requests (25 tags) failed: purge failed (HTTP 400): Cloudflare error 1011: bad"; got != want {
		t.Errorf("first line %q, want %q", got, want)
	}
	if got, want := errs[maxErrorLines-1], "6 more requests (15 items) failed with 3 other errors: see SEE"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

// Text that would form a workflow command is defused: "::" at a line's
// start after any Unicode white space, "##[" anywhere, lines broken at
// \n or \r.
func TestDefuse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a::b", "a::b"},
		{"::set-output name=x::y", "›::set-output name=x::y"},
		{"  \t::warning::x", "›  \t::warning::x"},
		{"\u00a0::set-output name=zone-id::x", "›\u00a0::set-output name=zone-id::x"},
		{"\v::x", "›\v::x"},
		{"ok\n::x\r::y", "ok\n›::x\r›::y"},
		{"Prod ##[set-output name=purge-ids]x", "Prod ##\u2060[set-output name=purge-ids]x"},
		{"A\n##[stop-commands]tok", "A\n##\u2060[stop-commands]tok"},
	} {
		if got := Defuse(tt.in); got != tt.want {
			t.Errorf("Defuse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Errors group by kind, step, status and code, not by their text: the
// numbers in a message (a wait, a port) do not make an error of their own.
func TestFailuresGroupByCodeNotText(t *testing.T) {
	t.Parallel()
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	add := func(n int, err *result.Error) {
		for range n {
			e.Batches = append(e.Batches, result.Batch{Kind: result.KindFiles, Count: 500, Status: result.Failed, Attempts: 1, Error: err})
		}
	}
	for i := range 40 {
		add(1, &result.Error{Kind: result.KindAPI, Step: "purge", Message: fmt.Sprintf("the purge budget asks to wait 4m51.%03ds, and the run's deadline is 4m%d.5s away", 85-i, 50-i)})
		add(1, &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 429, Code: 1134, Message: fmt.Sprintf("rate limited (Cloudflare asked to wait %ds before another attempt, more than the run's timeout left (%ds))", 10+i, i)})
		add(1, &result.Error{Kind: result.KindAPI, Step: "purge", Message: fmt.Sprintf("read tcp 10.0.0.1:%d: connection reset by peer", 40000+i)})
	}
	add(2, &result.Error{Kind: result.KindAPI, Step: "purge", Message: "not purged: the run's timeout ran out before Cloudflare confirmed this batch"})
	r := &result.Result{Environments: []result.Environment{e}}
	r.Finish(0)
	errs := texts(Log(r), Error)
	if len(errs) != 4 {
		t.Fatalf("%d error lines, want 4 (the pacer's wait, 1134, the network, the timeout):\n%s", len(errs), strings.Join(errs, "\n"))
	}
	for i, want := range []string{"Staging: 40 requests (20,000 URLs) failed: purge failed: the purge budget asks to wait", "Staging: 40 requests (20,000 URLs) failed: purge failed (HTTP 429): Cloudflare error 1134",
		"Staging: 40 requests (20,000 URLs) failed: purge failed: read tcp", "Staging: 2 requests (1,000 URLs) failed"} {
		if !strings.HasPrefix(errs[i], want) {
			t.Errorf("error %d: %q, want it to start %q", i, errs[i], want)
		}
	}
}

// Progress counts requests and items apart, and its rate counts the items
// that went through, not the failed ones.
func TestProgressLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    result.Progress
		want string
	}{
		{result.Progress{Done: 100, Total: 400, Items: 50_000, TotalItems: 200_000, Elapsed: 10 * time.Second},
			"Progress: 100 of 400 requests done; 50,000 of 200,000 items through; 5,000 items/s"},
		{result.Progress{Done: 400, Total: 400, Failed: 11, Items: 194_500, FailedItems: 5_500, TotalItems: 200_000, Elapsed: 100 * time.Second},
			"Progress: 400 of 400 requests done (11 failed); 194,500 of 200,000 items through, 5,500 failed; 1,945 items/s"},
	} {
		if got := ProgressLine(tt.p); got != tt.want {
			t.Errorf("ProgressLine(%+v) =\n%q, want\n%q", tt.p, got, tt.want)
		}
	}
}
