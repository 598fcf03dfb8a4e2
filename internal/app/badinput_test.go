package app

import (
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// Every bad input (docs/behaviour.md, "Validation first") ends with exit 2, an ::error naming
// the input and its value (never a secret's), and no request at all.
func TestActionRejectsBadInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("t", 1025)
	tests := []struct {
		name   string
		inputs map[string]string // applied over the defaults; "" removes
		want   []string          // in the ::error lines
	}{
		{"no auth", map[string]string{"api-token": "", "tags": "a"}, []string{"api-token", "no credentials"}},
		{"token and key", map[string]string{"api-key": "0123456789abcdef", "api-email": "me@example.com", "tags": "a"}, []string{"api-token", "not both"}},
		{"key without email", map[string]string{"api-token": "", "api-key": "0123456789abcdef", "tags": "a"}, []string{"api-email", "api-key is set but api-email is not"}},
		{"no zone", map[string]string{"zone": "", "tags": "a"}, []string{"zone", "is required"}},
		{"bad zone", map[string]string{"zone": "not a zone!", "tags": "a"}, []string{"zone", `"not a zone!"`}},
		{"bad account id", map[string]string{"zone": "example.com", "account-id": "acct", "tags": "a"}, []string{"account-id", `"acct"`}},
		{"nothing to purge", map[string]string{}, []string{"nothing to purge"}},
		{"everything plus a list", map[string]string{"purge-everything": "true", "tags": "a"}, []string{"purge-everything", "cannot be combined"}},
		{"URL without scheme", map[string]string{"files": "www.example.com/a.css"}, []string{"files", `"www.example.com/a.css"`, "base-url"}},
		{"ftp URL", map[string]string{"files": "ftp://example.com/a"}, []string{"files", `"ftp://example.com/a"`, "http or https"}},
		{"prefix with query", map[string]string{"prefixes": "www.example.com/a?b=1"}, []string{"prefixes", `"www.example.com/a?b=1"`, "query"}},
		{"prefix with scheme", map[string]string{"prefixes": "https://www.example.com/a"}, []string{"prefixes", "www.example.com/a"}},
		{"tag over 1024", map[string]string{"tags": long}, []string{"tags", "1025 characters", "at most 1024"}},
		{"host with scheme", map[string]string{"hosts": "https://www.example.com"}, []string{"hosts", "bare host name"}},
		{"files-per-request too big", map[string]string{"tags": "a", "files-per-request": "501"}, []string{"files-per-request", `"501"`, "1 to 500"}},
		{"files-per-request zero", map[string]string{"tags": "a", "files-per-request": "0"}, []string{"files-per-request", `"0"`}},
		{"files-per-request not a number", map[string]string{"tags": "a", "files-per-request": "thirty"}, []string{"files-per-request", `"thirty"`}},
		{"max-retries negative", map[string]string{"tags": "a", "max-retries": "-1"}, []string{"max-retries", `"-1"`, "0 to 20"}},
		{"max-retries not a number", map[string]string{"tags": "a", "max-retries": "many"}, []string{"max-retries", `"many"`}},
		{"bad timeout", map[string]string{"tags": "a", "timeout": "5 minutes"}, []string{"timeout", `"5 minutes"`, "Go duration"}},
		{"timeout without unit", map[string]string{"tags": "a", "timeout": "300"}, []string{"timeout", `"300"`}},
		{"bad boolean", map[string]string{"tags": "a", "dry-run": "yes"}, []string{"dry-run", `"yes"`, "true or false"}},
		{"bad purge-everything", map[string]string{"purge-everything": "1"}, []string{"purge-everything", `"1"`}},
		{"bad JSON line", map[string]string{"files": `{"url": "https://example.com/a", "headers": {"CF-Device-Type": 1}}`}, []string{"files", "is not a JSON object"}},
		{"JSON line without url", map[string]string{"files": `{"headers": {}}`}, []string{"files", `has no "url"`}},
		{"missing files-from", map[string]string{"files-from": "nope.txt"}, []string{"files-from", `"nope.txt"`, "cannot be read"}},
		{"files-from stdin in the action", map[string]string{"files-from": "-"}, []string{"files-from", "standard input"}},
		{"bad api-url", map[string]string{"tags": "a", "api-url": "api.cloudflare.com"}, []string{"api-url", `"api.cloudflare.com"`, "http or https"}},
		{"api-url with credentials", map[string]string{"tags": "a", "api-url": "https://user:pw@example.com"}, []string{"api-url", "must not contain credentials"}},
		{"api-url with the token in it", map[string]string{"tags": "a", "api-url": "https://proxy.example/" + testToken + "/client/v4"}, []string{"api-url", "value hidden: it contains a credential"}},
		{"the token given as the zone", map[string]string{"tags": "a", "zone": testToken}, []string{"zone", "value hidden: it contains a credential"}},
		// Host names are lower-cased: a credential in one would escape a
		// case-sensitive mask, so every input that holds one is refused.
		{"the token in a host, upper case", map[string]string{"hosts": strings.ToUpper(testToken) + ".example.com"}, []string{"hosts", "value hidden: it contains a credential"}},
		{"the token in a tag", map[string]string{"tags": "a," + testToken}, []string{"tags", "value hidden: it contains a credential"}},
		{"the token in a prefix", map[string]string{"prefixes": "example.com/" + testToken}, []string{"prefixes", "value hidden: it contains a credential"}},
		{"the token in a file path", map[string]string{"files": "a/" + testToken + ".css", "base-url": "https://example.com"}, []string{"files", "value hidden: it contains a credential"}},
		{"the token in base-url", map[string]string{"files": "a.css", "base-url": "https://example.com/" + testToken}, []string{"base-url", "value hidden: it contains a credential"}},
		{"the token as the account id", map[string]string{"tags": "a", "zone": "example.com", "account-id": testToken}, []string{"account-id", "value hidden: it contains a credential"}},
		{"the token as an environment", map[string]string{"tags": "a", "environment": "Staging\n" + testToken}, []string{"environment", "value hidden: it contains a credential"}},
		{"an unclosed quote", map[string]string{"files": `"my file.css`, "base-url": "https://example.com"}, []string{"files", "not closed"}},
		{"expect-header without a value", map[string]string{"files": "https://example.com/", "expect-header": "X-Build"}, []string{"expect-header", `"X-Build"`, "Name: value"}},
		{"expect-body too long", map[string]string{"files": "https://example.com/", "expect-body": strings.Repeat("b", 4097)}, []string{"expect-body", "longer than 4096"}},
		{"wait not a duration", map[string]string{"files": "https://example.com/", "expect-body": "v2", "wait": "90"}, []string{"wait", `"90"`, "Go duration"}},
		{"wait without an expectation", map[string]string{"files": "https://example.com/", "wait": "1m"}, []string{"wait", `"1m"`, "expect-header or expect-body"}},
		{"wait-urls a path", map[string]string{"files": "https://example.com/", "wait-urls": "/version"}, []string{"wait-urls", `"/version"`, "not a URL"}},
		{"warm not a boolean", map[string]string{"files": "https://example.com/", "warm": "on"}, []string{"warm", `"on"`, "true or false"}},
		{"warm-sitemap not a URL", map[string]string{"files": "https://example.com/", "warm": "true", "warm-sitemap": "sitemap.xml"}, []string{"warm-sitemap", `"sitemap.xml"`, "http or https"}},
		{"a path that goes up", map[string]string{"files": "../a.css", "base-url": "https://example.com"}, []string{"files", `".."`}},
		{"bad base-url", map[string]string{"files": "/a.css", "base-url": "example.com"}, []string{"base-url", `"example.com"`}},
		{"environment with control characters", map[string]string{"tags": "a", "environment": "Sta\x01ging"}, []string{"environment", "not an environment name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			in := h.defaults(nil)
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := h.action(in, nil)
			if r.code != 2 {
				t.Fatalf("exit code %d, want 2\n%s", r.code, r.stdout)
			}
			if n := len(h.em.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			var errs []string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "::error") {
					errs = append(errs, l)
				}
			}
			all := strings.Join(errs, "\n")
			if len(errs) == 0 {
				t.Fatalf("no ::error line:\n%s", r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("::error lines lack %q:\n%s", w, all)
				}
			}
			if where := r.leaks(testToken); where != "" {
				t.Errorf("the token leaked in %s", where)
			}
			if r.outputs["result"] == "" || !strings.Contains(r.summary, "failed") {
				t.Errorf("outputs and summary are written on failure too: outputs %v\nsummary:\n%s", r.outputs, r.summary)
			}
		})
	}
}
