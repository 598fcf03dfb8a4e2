package app

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/sethvargo/go-githubactions"
)

// No text given to the log writers, the action's or the CLI's, prints a
// line that the runner would read as a workflow command other than the one
// the writer issues: no "::" at a line's start after white space, no
// legacy "##[" anywhere.
func FuzzLogWriters(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("plain")
	f.Add("%0A::set-output name=x::y")
	f.Fuzz(func(t *testing.T, text string) {
		var action, cli bytes.Buffer
		a := actionLog{a: githubactions.New(githubactions.WithWriter(&action), githubactions.WithGetenv(func(string) string { return "" }))}
		c := textLog{w: &cli, debug: true}
		for _, log := range []logger{a, c} {
			log.Debugf("%s", text)
			log.Infof("%s", text)
			log.Warningf("%s", text)
			log.Errorf("%s", text)
			log.Group(text)
			log.EndGroup()
		}
		ours := []string{"::debug::", "::warning::", "::error::", "::group::", "::endgroup::"}
		for where, out := range map[string]string{"action": action.String(), "cli": cli.String()} {
			for _, l := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if strings.Contains(l, "##[") {
					t.Fatalf("%s: a line holds a legacy command: %q", where, l)
				}
				trimmed := strings.TrimLeftFunc(l, unicode.IsSpace)
				if !strings.HasPrefix(trimmed, "::") {
					continue
				}
				issued := false
				for _, p := range ours {
					issued = issued || (where == "action" && strings.HasPrefix(l, p))
				}
				if !issued {
					t.Fatalf("%s: text starts a workflow command: %q", where, l)
				}
			}
		}
	})
}
