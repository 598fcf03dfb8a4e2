package config

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadURLsWithoutQuery: base-url and api-url refuse a query or a
// fragment, empty ones too ("https://example.com/?" parses with no RawQuery
// but ForceQuery set), which would otherwise end up in every URL built from
// them (https://example.com/?/css/a.css).
func TestLoadURLsWithoutQuery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ input, value string }{
		{InputBaseURL, "https://example.com/?"},
		{InputBaseURL, "https://example.com?"},
		{InputBaseURL, "https://example.com/site?"},
		{InputBaseURL, "https://example.com/?a=b"},
		{InputBaseURL, "https://example.com/#"},
		{InputBaseURL, "https://example.com/#top"},
		{InputAPIURL, "https://example.com/client/v4?"},
		{InputAPIURL, "https://example.com/?"},
		{InputAPIURL, "https://example.com/client/v4?a=b"},
		{InputAPIURL, "https://example.com/client/v4#"},
		{InputAPIURL, "https://example.com/client/v4#x"},
	} {
		t.Run(tt.input+" "+tt.value, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "/css/a.css", tt.input: tt.value}
			if tt.input == InputAPIURL {
				in[InputFiles] = "https://example.com/css/a.css"
			}
			c, err := Load(source(in, nil))
			if err == nil {
				t.Fatalf("accepted; files %v, api-url %q", c.Items.Files, c.APIURL)
			}
			var named bool
			for _, p := range Problems(err) {
				var ie *InputError
				switch {
				case errors.As(p, &ie) && ie.Input == tt.input:
					named = true
				case errors.As(p, &ie) && ie.Input == InputFiles && tt.input == InputBaseURL:
					// The paths have no valid base-url to join.
				default:
					t.Errorf("unexpected problem: %v", p)
				}
			}
			if !named {
				t.Errorf("error %v does not name %s", err, tt.input)
			}
		})
	}

	// Without the mark, the same URLs are fine.
	in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "/css/a.css",
		InputBaseURL: "https://example.com/", InputAPIURL: "https://example.com/client/v4/"}
	c, err := Load(source(in, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items.Files) != 1 || c.Items.Files[0].URL != "https://example.com/css/a.css" || c.APIURL != "https://example.com/client/v4" {
		t.Errorf("files %v, api-url %q", c.Items.Files, c.APIURL)
	}
}

// A bad base-url is one error, not one more per path that needed it.
func TestBadBaseURLIsOneError(t *testing.T) {
	t.Parallel()
	_, err := Load(source(map[string]string{InputAPIToken: "tok-0123456789", InputZone: "example.com", InputFiles: "css/a.css js/b.js", InputBaseURL: "example.com"}, nil))
	problems := Problems(err)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "input base-url") {
		t.Errorf("problems: %v; want the base-url one alone", problems)
	}
}
