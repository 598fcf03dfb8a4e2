package app

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// Workflow commands a hostile text tries to start. Each carries "pwned"
// where a command's message starts, so that one that got through is seen.
var hostile = []string{
	"\n::set-output name=x::pwned",
	"::stop-commands::pwned",
	"::add-mask::pwned",
	"  ::warning::pwned",
	"\r\n::error::pwned",
	"\u00a0::set-output name=zone-id::pwned",
	"\v::warning::pwned",
	"Prod ##[set-output name=purge-ids]pwned",
	"A\n##[stop-commands]pwned",
}

// commandLines checks that every line of a log that the runner would read
// as a workflow command is one of ours: no user or server text starts one.
func commandLines(t *testing.T, where, log string, allowed bool, secrets ...string) {
	t.Helper()
	ours := []string{"add-mask", "group", "endgroup", "debug", "error", "warning", "notice"}
	for _, l := range strings.Split(strings.ReplaceAll(log, "\r", "\n"), "\n") {
		// The runner trims all of Unicode's white space, and obeys the
		// legacy ##[command] form anywhere in a line.
		l = strings.TrimLeftFunc(l, unicode.IsSpace)
		if strings.Contains(l, "##[") {
			t.Errorf("%s: a line holds a legacy workflow command: %q", where, l)
		}
		if !strings.HasPrefix(l, "::") {
			continue
		}
		if !allowed {
			t.Errorf("%s: a line starts a workflow command: %q", where, l)
			continue
		}
		cmd, msg, ok := strings.Cut(l[2:], "::")
		name, _, _ := strings.Cut(cmd, " ")
		switch {
		case !ok || !slices.Contains(ours, name):
			t.Errorf("%s: a line starts a workflow command that is not ours: %q", where, l)
		case strings.HasPrefix(msg, "pwned"):
			t.Errorf("%s: user text starts a workflow command: %q", where, l)
		case name == "add-mask" && !slices.Contains(secrets, msg):
			t.Errorf("%s: ::add-mask:: of something not a secret: %q", where, l)
		}
	}
}

func TestUserTextCannotStartWorkflowCommands(t *testing.T) {
	t.Parallel()
	var envNames, tags, urls []string
	for i, s := range hostile {
		envNames = append(envNames, "Env"+s)
		tags = append(tags, "t"+strings.NewReplacer("\n", "", "\r", "", " ", "").Replace(s), strings.TrimSpace(s))
		urls = append(urls, "https://example.com/"+string(rune('a'+i))+strings.NewReplacer("\n", "", "\r", "", " ", "").Replace(s))
	}
	// Cloudflare's own text is not trusted either: an environment name and
	// an error message with line breaks.
	evilRef := "ee0000000000000000000000000000"
	setup := func(h *harness) {
		h.em.AddZone(emulator.Zone{
			ID: "5555555555555555555555555555555a", Name: "evil.example", AccountID: emulator.ExampleAccountID, Versioning: true,
			Environments: []emulator.Environment{
				{Name: "Production", Ref: "ee1111111111111111111111111111", Expression: `(cf.zone.name eq "evil.example")`},
				{Name: "Evil\n::set-output name=x::pwned\n::add-mask::pwned", Ref: evilRef, Expression: `(cf.zone.name eq "evil.example" and http.host eq "a")`},
			},
		})
	}
	purge500 := emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Method: "POST", PathContains: "/purge_cache", Times: 100,
		Message: "Internal error\n::warning::pwned\r\n::stop-commands::pwned"}
	tests := []struct {
		name   string
		inputs map[string]string
		fault  *emulator.Fault
	}{
		{"unknown environments", map[string]string{"environment": strings.Join(envNames, ","), "tags": "a"}, nil},
		{"environment names on their own lines", map[string]string{"environment": strings.Join(hostile, "\n"), "tags": "a"}, nil},
		{"failed tags", map[string]string{"tags": strings.Join(tags, "\n")}, &purge500},
		{"failed URLs", map[string]string{"files": strings.Join(urls, "\n")}, &purge500},
		{"bad URLs", map[string]string{"files": "https://example.com/a\n::set-output name=x::pwned"}, nil},
		{"bad tags", map[string]string{"tags": "a\n::add-mask::pwned" + strings.Repeat("x", 1100)}, nil},
		{"bad prefixes", map[string]string{"prefixes": "example.com/a\n::warning::pwned?x"}, nil},
		{"hostile environment from Cloudflare", map[string]string{"zone": "5555555555555555555555555555555a", "environment": evilRef, "tags": "a"}, &purge500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			setup(h)
			if tt.fault != nil {
				h.em.Inject(*tt.fault)
			}
			in := h.defaults(map[string]string{"max-retries": "0"})
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := h.action(in, map[string]string{"RUNNER_DEBUG": "1"})
			if r.code == 0 {
				t.Errorf("exit 0: the scenario should fail")
			}
			commandLines(t, "action log", r.stdout, true, testToken)
			commandLines(t, "action stderr", r.stderr, false)

			args := []string{"--debug", "--max-retries", "0"}
			for k, v := range tt.inputs {
				args = append(args, "--"+k, v)
			}
			h.em.Reset()
			if tt.fault != nil {
				h.em.Inject(*tt.fault)
			}
			vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": zoneID, "GITHUB_ACTIONS": "true"}
			c := h.cli(args, vars, "")
			if c.code == 0 {
				t.Errorf("CLI exit 0: the scenario should fail")
			}
			// The CLI can run in a workflow's run: step: nothing it prints starts a command.
			commandLines(t, "CLI stdout", c.stdout, false)
			commandLines(t, "CLI stderr", c.stderr, false)
		})
	}
}

// The job summary shows user text as text: no HTML, no link, no code span,
// no table cell of its own.
func TestSummaryEscapesUserText(t *testing.T) {
	t.Parallel()
	const evil = "<script>alert(1)</script>|x|`y`[z](javascript:alert(1))"
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"environment": "Staging," + evil, "tags": "a"}), nil)
	h2 := newHarness(t, emulator.Options{})
	h2.em.Inject(emulator.Fault{Kind: emulator.FaultStatus, Status: 400, Code: 10002, Method: "POST", Times: 10, Message: "bad <img src=x onerror=alert(1)> | `x` [y](javascript:z)"})
	r2 := h2.action(h2.defaults(map[string]string{"tags": evil + "\n<b>bold</b>\n**strong**", "max-retries": "0"}), nil)
	for i, sum := range []string{r.summary, r2.summary} {
		if !strings.Contains(sum, "&lt;script&gt;") {
			t.Errorf("summary %d does not show the hostile text escaped:\n%s", i, sum)
		}
		for _, raw := range []string{"<script", "<img", "<b>", "](javascript", "`y`", "`x`", "|x|", "**strong**"} {
			if strings.Contains(sum, raw) {
				t.Errorf("summary %d contains %q unescaped:\n%s", i, raw, sum)
			}
		}
		// Table rows keep their columns.
		for _, l := range strings.Split(sum, "\n") {
			if !strings.HasPrefix(l, "| ") {
				continue
			}
			if n := unescapedPipes(l); n != 3 && n != 8 {
				t.Errorf("summary %d: table row with %d cells borders: %q", i, n, l)
			}
		}
	}
}

func unescapedPipes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}
