package cloudflare

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// safeText is what cleanName and cleanMessage promise: printable on one
// line, valid UTF-8, bounded.
func safeText(t *testing.T, what, s string, limit int) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > limit {
		t.Fatalf("%s %q: not valid UTF-8 or longer than %d", what, s, limit)
	}
	for _, r := range s {
		if unprintable(r) {
			t.Fatalf("%s %q holds %U", what, s, r)
		}
	}
}

// FuzzParseAnswer: whatever the server sends, what is taken from it is
// strict (success only for the JSON true, ids only of Cloudflare's form)
// and every text is safe to print.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{
		okPurge,
		`{"success":"true","result":{"id":123}}`,
		`{"success":false,"errors":[{"code":1134,"message":"rate\nlimited"},{"code":"x"},7]}`,
		`{"success":true,"result":{"environments":[{"name":"A\n##[stop-commands]x","ref":"5d41402abc4b2a76b9719d911017c","expression":"e"}]}}`,
		`{"success":true,"result":[{"id":"abc","name":"example.com","account":{"id":"a","name":"\u2028"},"plan":{"legacy_id":"pro"}}]}`,
		`{"success":true,"result":{"id":"_GitHubActionsFileCommandDelimeter_"}}`,
		`[]`, `null`, `"x"`, `{"errors":{"code":1}}`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, ok := parseBody(raw, nil)
		if ok && b.success == successTrue {
			var top map[string]json.RawMessage
			if json.Unmarshal(raw, &top) != nil || strings.TrimSpace(string(top["success"])) != "true" {
				t.Fatalf("success taken from %q", raw)
			}
		}
		if len(b.details) > maxDetails {
			t.Fatalf("%d details", len(b.details))
		}
		for _, d := range b.details {
			safeText(t, "message", d.Message, maxMessage)
		}
		if id, err := readPurgeID(b.result); err == nil && !validID(id) {
			t.Fatalf("purge id %q", id)
		}
		if zs, err := readZones(b.result); err == nil {
			for _, z := range zs {
				if !validID(z.ID) || z.AccountID != "" && !validID(z.AccountID) {
					t.Fatalf("zone %+v", z)
				}
				safeText(t, "zone name", z.Name, maxName)
				safeText(t, "account name", z.AccountName, maxName)
				safeText(t, "plan", z.Plan, maxName)
			}
		}
		if envs, err := readEnvironments(b.result); err == nil {
			for _, e := range envs {
				if !validID(e.Ref) || !utf8.ValidString(e.Expression) {
					t.Fatalf("environment %+v", e)
				}
				safeText(t, "environment name", e.Name, maxName)
			}
		}
	})
}

// FuzzRetryAfter: any header gives a wait in [0, maxRetryAfter].
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "2", "1.5", "0", "-1", "NaN", "Inf", "1e308", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", " 3 "} {
		f.Add(s)
	}
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, asked := retryAfter(v, now)
		if d < 0 || d > maxRetryAfter || (!asked && d != 0) {
			t.Fatalf("retryAfter(%q) = %v, %v", v, d, asked)
		}
	})
}

// FuzzCleanText: names and messages are safe to print, and cleaning twice
// changes nothing.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Staging", "A\n##[stop-commands]tok", "\u00a0::set-output name=x::y", "a\r\nb\u2028c\u0085d", "\xff", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := cleanName(s)
		safeText(t, "name", n, maxName)
		if cleanName(n) != n {
			t.Fatalf("cleanName not idempotent on %q", s)
		}
		m := clip(cleanMessage(s), maxMessage)
		safeText(t, "message", m, maxMessage)
		if strings.Contains(m, "  ") {
			t.Fatalf("message %q holds a double space", m)
		}
	})
}
