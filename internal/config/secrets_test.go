package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A credential pasted into another input never shows in an error, even
// shortened, and an api-url holding one is refused.
func TestLoadErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	key, email := "c0ffeec0ffee0123456789abcdef0123456789", "someone.private@example.com"
	tests := []map[string]string{
		{InputAPIToken: token, InputZone: token, InputTags: "a"},
		{InputAPIToken: token, InputZone: "example.com", InputTags: strings.Repeat("x", 110) + token + strings.Repeat("y", 1000)},
		{InputAPIToken: token, InputZone: "example.com", InputPrefixes: "https://example.com/" + token},
		{InputAPIToken: token, InputZone: "example.com", InputHosts: "https://" + token + ".example.com/x"},
		{InputAPIToken: token, InputZone: "example.com", InputEnvironment: "a\x01" + token},
		{InputAPIToken: token, InputZone: "example.com", InputFiles: "ftp://x/" + token},
		{InputAPIToken: token, InputZone: "example.com", InputFiles: `{"url": "ftp://x/` + token + `"}`},
		{InputAPIToken: token, InputZone: "example.com", InputTags: "a", InputAPIURL: "https://proxy.example/" + token},
		{InputAPIToken: token, InputZone: "example.com", InputTags: "a", InputAPIURL: "proxy.example/" + token},
		{InputAPIKey: key, InputAPIEmail: email, InputZone: "example.com", InputTags: "a", InputAPIURL: "https://proxy.example/?k=" + key},
		{InputAPIKey: key, InputAPIEmail: email, InputZone: email, InputTags: "a"},
		{InputAPIKey: key, InputAPIEmail: email, InputZone: "example.com", InputFiles: `{"url": "https://example.com/", "headers": {"X-Email": "` + email + `\u0001"}}`},
		{InputAPIKey: key, InputAPIEmail: email, InputZone: "example.com", InputFilesFrom: key + ".txt"},
	}
	for i, in := range tests {
		_, err := Load(source(in, nil))
		if err == nil {
			t.Errorf("case %d: accepted", i)
			continue
		}
		msg := err.Error()
		for _, s := range []string{token, token[:10], key, key[:10], email, "someone.pr"} {
			if strings.Contains(msg, s) {
				t.Errorf("case %d: the error shows %q: %s", i, s, msg)
			}
		}
	}
}

// An input that holds a credential, in any case or encoding, is refused
// with exit 2: one problem naming the input, its value hidden, and none
// of its other problems (they would quote it).
func TestLoadRefusesCredentials(t *testing.T) {
	t.Parallel()
	key, email := "c0ffeec0ffee0123456789abcdef0123456789", "Someone.Private@example.com"
	upper, lower := strings.ToUpper(token), strings.ToLower(token)
	dir := t.TempDir()
	write := func(name, content string) string {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	// \164 is t: only the unquoted name holds the token.
	quoted := write("quoted.txt", "css/a.css\n\"x/\\164"+token[1:]+".css\"\n")
	jsonEsc := write("json.txt", `{"url": "/\u0074`+token[1:]+`"}`+"\n")
	plain := write("plain.txt", "css/a.css\nhttps://example.com/?t="+lower+"\n")
	tests := []struct {
		name   string
		inputs map[string]string // over a token, zone example.com and tags a
		input  string            // the input named
	}{
		{"zone", map[string]string{InputZone: token}, InputZone},
		{"zone, lower case", map[string]string{InputZone: lower + ".example.com"}, InputZone},
		{"account-id", map[string]string{InputAccountID: upper}, InputAccountID},
		{"environment", map[string]string{InputEnvironment: "Staging, " + upper}, InputEnvironment},
		{"tag", map[string]string{InputTags: "a," + lower}, InputTags},
		{"host, upper case", map[string]string{InputHosts: upper + ".example.com"}, InputHosts},
		{"host, as is", map[string]string{InputHosts: token + ".example.com"}, InputHosts},
		{"prefix host", map[string]string{InputPrefixes: upper + ".example.com/a"}, InputPrefixes},
		{"prefix path", map[string]string{InputPrefixes: "example.com/" + token}, InputPrefixes},
		{"files URL host", map[string]string{InputFiles: "https://" + upper + ".example.com/a"}, InputFiles},
		{"files path", map[string]string{InputFiles: "a/" + token + ".css", InputBaseURL: "https://example.com"}, InputFiles},
		{"files header", map[string]string{InputFiles: `{"url": "https://example.com/", "headers": {"Authorization": "Bearer ` + lower + `"}}`}, InputFiles},
		{"files-from path", map[string]string{InputFilesFrom: token + ".txt"}, InputFilesFrom},
		{"files-from line", map[string]string{InputFilesFrom: plain, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"files-from git-quoted line", map[string]string{InputFilesFrom: quoted, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"files-from JSON-escaped url", map[string]string{InputFilesFrom: jsonEsc, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"base-url", map[string]string{InputBaseURL: "https://example.com/" + upper, InputFiles: "a.css"}, InputBaseURL},
		{"api-url", map[string]string{InputAPIURL: "https://proxy.example/" + lower}, InputAPIURL},
		{"api-url user info", map[string]string{InputAPIURL: "https://ci:" + token + "@proxy.example/"}, InputAPIURL},
		{"key, in a tag", map[string]string{InputAPIToken: "", InputAPIKey: key, InputAPIEmail: email, InputTags: strings.ToUpper(key)}, InputTags},
		{"email, in a prefix", map[string]string{InputAPIToken: "", InputAPIKey: key, InputAPIEmail: email, InputPrefixes: "example.com/" + strings.ToLower(email)}, InputPrefixes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "a"}
			for k, v := range tt.inputs {
				in[k] = v
			}
			src := source(in, nil)
			src.Dir = dir
			_, err := Load(src)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v, want an input error", err)
			}
			var about []*InputError
			for _, e := range Problems(err) {
				if ie, ok := e.(*InputError); ok && ie.Input == tt.input {
					about = append(about, ie)
				}
			}
			if len(about) != 1 || about[0].Value != "" || !strings.Contains(about[0].Problem, "value hidden: it contains a credential") {
				t.Errorf("problems about %s: %v; want one, value hidden: it contains a credential\n%v", tt.input, about, err)
			}
			for _, s := range []string{token, key, email} {
				if containsFold(err.Error(), s) || containsFold(err.Error(), s[:10]) {
					t.Errorf("the error shows %q, in some case: %v", s[:10], err)
				}
			}
		})
	}
}

// A token or key with a character outside Cloudflare's alphabet is refused
// before anything is sent, naming the input and never the value: a "##["
// or "%" in it would be changed by the log's defusing or escaping before
// the redactor could see it.
func TestLoadRefusesTokensOutsideTheAlphabet(t *testing.T) {
	t.Parallel()
	for _, in := range []map[string]string{
		{InputAPIToken: "tok##[en0123456789abcdef", InputZone: "example.com", InputTags: "a"},
		{InputAPIToken: "tok%40en0123456789abcdef", InputZone: "example.com", InputTags: "a"},
		{InputAPIToken: "tok.en0123456789abcdef", InputZone: "example.com", InputTags: "a"},
		{InputAPIToken: "tokén0123456789abcdef", InputZone: "example.com", InputTags: "a"},
		{InputAPIKey: "c0ffee::c0ffee0123456789", InputAPIEmail: "ops@example.com", InputZone: "example.com", InputTags: "a"},
	} {
		secret := in[InputAPIToken] + in[InputAPIKey]
		_, err := Load(source(in, nil))
		var ie *InputError
		if !errors.As(err, &ie) || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%q: accepted (%v)", secret, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret[:6]) || !strings.Contains(msg, "letters, digits, - and _") {
			t.Errorf("%q: error %q", secret, msg)
		}
	}
	if _, err := Load(source(map[string]string{InputAPIToken: "Ab-_09" + strings.Repeat("x", 34), InputZone: "example.com", InputTags: "a"}, nil)); err != nil {
		t.Errorf("a token of the alphabet refused: %v", err)
	}
}
