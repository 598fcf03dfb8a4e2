package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIfNoCredentials: without credentials, error refuses the run as
// before; warn and ignore skip it, still checking the other inputs but
// for a missing zone (a fork's run gets no zone from a secret either).
// With credentials, the setting changes nothing.
func TestIfNoCredentials(t *testing.T) {
	t.Parallel()
	type want struct {
		Mode    IfNoCredentials
		Skipped bool
		Errors  []string // each a substring of one problem, in order
	}
	tests := []struct {
		name   string
		inputs map[string]string
		cli    bool
		want   want
	}{
		{"error: refused, as before", map[string]string{InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsError, Errors: []string{"input api-token: no credentials"}}},
		{"error given", map[string]string{InputIfNoCredentials: "error", InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsError, Errors: []string{"input api-token: no credentials"}}},
		{"warn: skipped", map[string]string{InputIfNoCredentials: "warn", InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn, Skipped: true}},
		{"ignore: skipped", map[string]string{InputIfNoCredentials: "ignore", InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsIgnore, Skipped: true}},
		{"warn in any case", map[string]string{InputIfNoCredentials: "WARN", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn, Skipped: true}},
		{"warn: no zone either", map[string]string{InputIfNoCredentials: "warn", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn, Skipped: true}},
		{"warn: a bad input is still refused", map[string]string{InputIfNoCredentials: "warn", InputZone: "example.com", InputTags: "a", InputTimeout: "soon"},
			false, want{Mode: NoCredentialsWarn, Skipped: true, Errors: []string{`input timeout: "soon"`}}},
		{"warn: a bad zone is still refused", map[string]string{InputIfNoCredentials: "warn", InputZone: "not a zone", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn, Skipped: true, Errors: []string{`input zone: "not a zone"`}}},
		{"warn: only an email is not no credentials", map[string]string{InputIfNoCredentials: "warn", InputAPIEmail: "me@example.com", InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn, Errors: []string{"input api-key: api-email is set but api-key is not"}}},
		{"warn with a token: runs", map[string]string{InputIfNoCredentials: "warn", InputAPIToken: token, InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsWarn}},
		{"bad value", map[string]string{InputIfNoCredentials: "skip", InputAPIToken: token, InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsError, Errors: []string{`input if-no-credentials: "skip": must be error, warn or ignore`}}},
		{"bad value, no credentials: both said", map[string]string{InputIfNoCredentials: "warning", InputZone: "example.com", InputTags: "a"},
			false, want{Mode: NoCredentialsError, Errors: []string{`input if-no-credentials: "warning": must be error, warn or ignore`, "input api-token: no credentials"}}},
		{"CLI: bad value names the flag", map[string]string{InputIfNoCredentials: "nope", InputZone: "example.com", InputTags: "a"},
			true, want{Mode: NoCredentialsError, Errors: []string{`--if-no-credentials: "nope": must be error, warn or ignore`, "--api-token: no credentials"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := source(tt.inputs, nil)
			src.CLI = tt.cli
			c, err := Load(src)
			var got want
			if err != nil {
				if !isInput(err) {
					t.Fatalf("error %v is not an input error (exit 2)", err)
				}
				problems := Problems(err)
				for i, p := range problems {
					if i < len(tt.want.Errors) && strings.Contains(p.Error(), tt.want.Errors[i]) {
						got.Errors = append(got.Errors, tt.want.Errors[i])
					} else {
						got.Errors = append(got.Errors, p.Error())
					}
				}
				// A refused run's mode and skip are not read: compare the errors.
				got.Mode, got.Skipped = tt.want.Mode, tt.want.Skipped
			} else {
				got = want{Mode: c.IfNoCredentials, Skipped: c.Skipped != ""}
				if c.Skipped != "" && (c.Auth != Auth{}) {
					t.Errorf("skipped with credentials %+v", c.Auth)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSkipReason names the setting as the user gave it.
func TestSkipReason(t *testing.T) {
	t.Parallel()
	c, err := Load(source(map[string]string{InputIfNoCredentials: "ignore", InputTags: "a"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Skipped, "if-no-credentials: ignore") || !strings.Contains(c.Skipped, "api-token") {
		t.Errorf("action: reason %q does not name the inputs", c.Skipped)
	}
	src := source(map[string]string{InputIfNoCredentials: "warn", InputTags: "a"}, nil)
	src.CLI = true
	if c, err = Load(src); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Skipped, "--if-no-credentials warn") || !strings.Contains(c.Skipped, "--api-token") {
		t.Errorf("CLI: reason %q does not name the flags", c.Skipped)
	}
}
