package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// A list flag given several times adds up; any other flag given twice is
// refused (exit 2, nothing sent) with an error naming it, not its value.
func TestCLIRepeatedFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string // purges, "kind [items]", sorted; nil for a refusal
		err   string   // on standard error, for a refusal
	}{
		{name: "--tags twice", args: []string{"--tags", "a", "--tags", "b,c"},
			want: []string{"tags [a b c]"}},
		{name: "--hosts and --prefixes twice", args: []string{"--hosts", "a.example.com", "--hosts", "b.example.com", "--prefixes", "example.com/a", "--prefixes", "example.com/b"},
			want: []string{"hosts [a.example.com b.example.com]", "prefixes [example.com/a example.com/b]"}},
		{name: "--files twice: both lists", args: []string{"--base-url", "https://example.com", "--files", `"my file.css"`, "--files", "b.css"},
			want: []string{"files [https://example.com/my%20file.css https://example.com/b.css]"}},
		{name: "git diff output on standard input: a quoted name with spaces, git-quoted, # and %", args: []string{"--base-url", "https://example.com/site", "--files-from", "-"},
			stdin: "\"css/my file.css\"\n\"caf\\303\\251.css\"\nh#1.css\n100%.css\n",
			want:  []string{"files [https://example.com/site/css/my%20file.css https://example.com/site/caf%C3%A9.css https://example.com/site/h%231.css https://example.com/site/100%25.css]"}},
		{name: "--environment twice", args: []string{"--environment", "Staging", "--environment", "Development", "--tags", "a"},
			want: []string{"tags [a]", "tags [a]"}},
		{name: "--zone twice: both zones", args: []string{"--zone", "example.com", "--zone", "example.org", "--tags", "a"},
			want: []string{"tags [a]", "tags [a]"}},
		{name: "--dry-run twice", args: []string{"--dry-run", "--dry-run=false", "--tags", "a"},
			err: "--dry-run is given 2 times"},
		{name: "--files-from twice", args: []string{"--files-from", "-", "--files-from", "other.txt"},
			err: "--files-from is given 2 times"},
		{name: "--api-token twice, its value hidden", args: []string{"--api-token", testToken, "--api-token", testToken, "--tags", "a"},
			err: "--api-token is given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{SecondZone: true})
			r := h.cli(tt.args, map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4", "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}, tt.stdin)
			if tt.err != "" {
				if r.code != 2 || !strings.Contains(r.stderr, tt.err) || len(h.em.Requests()) != 0 {
					t.Errorf("exit %d, %d requests, stderr:\n%s\nwant exit 2, none, and %q", r.code, len(h.em.Requests()), r.stderr, tt.err)
				}
				if strings.Contains(r.stderr, testToken) {
					t.Errorf("the error shows the token:\n%s", r.stderr)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			var got []string
			for _, p := range h.em.Purges() {
				got = append(got, fmt.Sprintf("%s %v", p.Kind, p.Items))
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("purges (-want +got):\n%s", diff)
			}
		})
	}
}
