package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Messages name inputs as the user gave them: action inputs, or CLI flags
// with the CLI's rules (no workspace, --purge-everything has no value).
func TestMessagesInBothModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inputs map[string]string // over api-token and zone example.com
		action []string          // the problems, in the action
		cli    []string          // in the CLI
	}{
		{
			name:   "nothing to purge",
			action: []string{"input files: nothing to purge: set files, files-from, tags, hosts or prefixes, or purge-everything: true"},
			cli:    []string{"--files: nothing to purge: give --files, --files-from, --tags, --hosts or --prefixes, or --purge-everything"},
		},
		{
			name:   "no credentials",
			inputs: map[string]string{InputAPIToken: "", InputTags: "a"},
			action: []string{"input api-token: no credentials: set api-token (or CLOUDFLARE_API_TOKEN), or api-key with api-email"},
			cli:    []string{"--api-token: no credentials: set --api-token (or CLOUDFLARE_API_TOKEN), or --api-key with --api-email"},
		},
		{
			name:   "token and key",
			inputs: map[string]string{InputAPIKey: "0123456789abcdef", InputTags: "a"},
			action: []string{"input api-token: give either api-token or api-key with api-email, not both"},
			cli:    []string{"--api-token: give either --api-token or --api-key with --api-email, not both"},
		},
		{
			name:   "email without key",
			inputs: map[string]string{InputAPIToken: "", InputAPIEmail: "me@example.com", InputTags: "a"},
			action: []string{"input api-key: api-email is set but api-key is not: give both, or use api-token"},
			cli:    []string{"--api-key: --api-email is set but --api-key is not: give both, or use --api-token"},
		},
		{
			name:   "a path without base-url",
			inputs: map[string]string{InputFiles: "css/a.css"},
			action: []string{`input files: "css/a.css": is not a URL: give a full URL such as https://www.example.com/app.css, or set base-url to purge paths`},
			cli:    []string{`--files: "css/a.css": is not a URL: give a full URL such as https://www.example.com/app.css, or set --base-url to purge paths`},
		},
		{
			name:   "..",
			inputs: map[string]string{InputFiles: "../a.css", InputBaseURL: "https://example.com/site"},
			action: []string{`input files: "../a.css": goes up with "..": give the path from base-url down`},
			cli:    []string{`--files: "../a.css": goes up with "..": give the path from --base-url down`},
		},
		{
			name:   "everything and a list",
			inputs: map[string]string{InputPurgeEverything: "true", InputTags: "a"},
			action: []string{`input purge-everything: "true": cannot be combined with files, files-from, tags, hosts or prefixes: purge everything already covers them; remove one or the other`},
			cli:    []string{`--purge-everything: "true": cannot be combined with --files, --files-from, --tags, --hosts or --prefixes: purge everything already covers them; remove one or the other`},
		},
		{
			name:   "standard input",
			inputs: map[string]string{InputFilesFrom: "-"},
			action: []string{`input files-from: "-": standard input is only read by the CLI; give a file path relative to the workspace`},
			cli:    []string{`--files-from: "-": standard input is not available here; give a file path`},
		},
		{
			name:   "a missing file",
			inputs: map[string]string{InputFilesFrom: "nonexistent/list.txt"},
			action: []string{`input files-from: "nonexistent/list.txt": cannot be read (no such file or directory); give a path relative to the workspace`},
			cli:    []string{`--files-from: "nonexistent/list.txt": cannot be read (no such file or directory)`},
		},
		{
			name:   "a credential in a value",
			inputs: map[string]string{InputTags: "a," + token},
			action: []string{"input tags: value hidden: it contains a credential; give the API token, key and email only as api-token, api-key and api-email"},
			cli:    []string{"--tags: value hidden: it contains a credential; give the API token, key and email only as --api-token, --api-key and --api-email"},
		},
		{
			name:   "a bad boolean",
			inputs: map[string]string{InputTags: "a", InputInvalidate: "maybe"},
			action: []string{`input invalidate: "maybe": must be true or false`},
			cli:    []string{`--invalidate: "maybe": must be true or false`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, cli := range []bool{false, true} {
				err := loadWith(tt.inputs, t.TempDir(), cli)
				var got []string
				for _, p := range Problems(err) {
					if p != nil {
						got = append(got, p.Error())
					}
				}
				want := tt.action
				if cli {
					want = tt.cli
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("CLI %v: problems (-want +got):\n%s", cli, diff)
				}
				for _, p := range got {
					if cli && (strings.HasPrefix(p, "input ") || strings.Contains(p, "workspace")) {
						t.Errorf("the CLI speaks of inputs or a workspace: %s", p)
					}
				}
			}
		})
	}
}

func TestNamingList(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cli  bool
		in   []string
		want string
	}{
		{false, nil, ""},
		{false, []string{"a"}, "a"},
		{true, []string{"a"}, "--a"},
		{false, []string{"a", "b"}, "a or b"},
		{true, []string{"a", "b", "c"}, "--a, --b or --c"},
	} {
		if got := (naming{cli: tt.cli}).list(tt.in...); got != tt.want {
			t.Errorf("list(%v, CLI %v) = %q, want %q", tt.in, tt.cli, got, tt.want)
		}
	}
}

// loadWith is Load of the token, a zone name and inputs, in dir, in the CLI
// or the action: the problems a test looks at are those of inputs.
func loadWith(inputs map[string]string, dir string, cli bool) error {
	in := map[string]string{InputAPIToken: token, InputZone: "example.com"}
	for k, v := range inputs {
		in[k] = v
	}
	src := source(in, nil)
	src.Dir, src.CLI = dir, cli
	_, err := Load(src)
	return err
}
