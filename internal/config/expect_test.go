package config

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadDeployInputs(t *testing.T) {
	t.Parallel()
	c, err := Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "https://example.com/",
		InputExpectHeader: "x-build:  3f2c1a9 ", InputExpectBody: "<meta name=build content=3f2c1a9>", InputWait: "90s",
		InputWaitURLs: "https://example.com/version.json\nhttps://origin.example.com/version.json", InputWarm: "true",
		InputWarmSitemap: "https://Example.com/sitemap.xml"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.Expect, c.Wait, c.WaitURLs, c.Warm, c.WarmSitemap}
	want := []any{Expectation{Header: "X-Build", Value: "3f2c1a9", Body: "<meta name=build content=3f2c1a9>"}, 90 * time.Second,
		[]string{"https://example.com/version.json", "https://origin.example.com/version.json"}, true, "https://example.com/sitemap.xml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Defaults: no expectation, no wait, no warming.
	c, err = Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "html"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Expect.IsSet() || c.Wait != 0 || c.WaitURLs != nil || c.Warm || c.WarmSitemap != "" {
		t.Errorf("defaults: %+v %v %v %v %q", c.Expect, c.Wait, c.WaitURLs, c.Warm, c.WarmSitemap)
	}
}

// Every bad form of the deploy inputs is refused, naming the input and the
// value (in the CLI, the flag).
func TestLoadDeployInputErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxExpectText+1)
	tests := []struct {
		name   string
		inputs map[string]string
		input  string
		value  string
		want   string
	}{
		{"header without a value", map[string]string{InputExpectHeader: "X-Build"}, InputExpectHeader, "X-Build", "must be a header and its value as Name: value"},
		{"header with an empty value", map[string]string{InputExpectHeader: "X-Build:"}, InputExpectHeader, "X-Build:", "must be a header and its value"},
		{"header without a name", map[string]string{InputExpectHeader: ": v2"}, InputExpectHeader, ": v2", "must be a header and its value"},
		{"header name with a space", map[string]string{InputExpectHeader: "X Build: v2"}, InputExpectHeader, "X Build: v2", "not a valid HTTP header name"},
		{"header value on two lines", map[string]string{InputExpectHeader: "X-Build: v2\x01x"}, InputExpectHeader, "X-Build: v2\x01x", "control character"},
		{"header value too long", map[string]string{InputExpectHeader: "X-Build: " + long}, InputExpectHeader, "X-Build: " + long, "longer than 4096 bytes"},
		{"body too long", map[string]string{InputExpectBody: long}, InputExpectBody, long, "longer than 4096 bytes"},
		{"body with NUL", map[string]string{InputExpectBody: "a\x00b"}, InputExpectBody, "a\x00b", "NUL"},
		{"wait not a duration", map[string]string{InputWait: "90", InputExpectBody: "v2"}, InputWait, "90", "must be a Go duration from 0"},
		{"wait negative", map[string]string{InputWait: "-1s", InputExpectBody: "v2"}, InputWait, "-1s", "must be a Go duration from 0"},
		{"wait over a day", map[string]string{InputWait: "25h", InputExpectBody: "v2"}, InputWait, "25h", "must be a Go duration from 0"},
		{"wait without an expectation", map[string]string{InputWait: "1m"}, InputWait, "1m", "needs expect-header or expect-body"},
		{"wait as long as timeout", map[string]string{InputWait: "5m", InputExpectBody: "v2"}, InputWait, "5m", "must be shorter than timeout"},
		{"wait without a URL", map[string]string{InputFiles: "", InputTags: "html", InputWait: "1m", InputExpectBody: "v2"}, InputWait, "1m", "has no URL to poll: give wait-urls"},
		{"wait-urls a path", map[string]string{InputWaitURLs: "/version.json"}, InputWaitURLs, "/version.json", "is not a URL"},
		{"wait-urls JSON", map[string]string{InputWaitURLs: `{"url": "https://example.com/"}`}, InputWaitURLs, `{"url": "https://example.com/"}`, "takes plain URLs"},
		{"warm not a boolean", map[string]string{InputWarm: "yes"}, InputWarm, "yes", "must be true or false"},
		{"warm without a URL", map[string]string{InputFiles: "", InputTags: "html", InputWarm: "true"}, InputWarm, "true", "has no URL to request"},
		{"sitemap without warm", map[string]string{InputWarmSitemap: "https://example.com/sitemap.xml"}, InputWarmSitemap, "https://example.com/sitemap.xml", "is only read with warm: true"},
		{"sitemap a path", map[string]string{InputWarm: "true", InputWarmSitemap: "/sitemap.xml"}, InputWarmSitemap, "/sitemap.xml", "must be an absolute http or https URL"},
		{"sitemap ftp", map[string]string{InputWarm: "true", InputWarmSitemap: "ftp://example.com/sitemap.xml"}, InputWarmSitemap, "ftp://example.com/sitemap.xml", "must be an absolute http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "https://example.com/"}
			for k, v := range tt.inputs {
				in[k] = v
			}
			_, err := Load(source(in, nil))
			problems := Problems(err)
			var ie *InputError
			if len(problems) != 1 || !errors.As(problems[0], &ie) || ie.Input != tt.input || ie.Value != strings.TrimSpace(tt.value) || !strings.Contains(ie.Problem, tt.want) {
				t.Fatalf("problems %v; want one about %s = %q with %q", problems, tt.input, tt.value, tt.want)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%v is not ErrInvalidInput (exit 2)", err)
			}
		})
	}
}

func FuzzDeployInputs(f *testing.F) {
	f.Add("X-Build: v2", "build v2", "90s", "https://example.com/v", "https://example.com/sitemap.xml", true)
	f.Add("ETag: \"abc\"", "", "0", "", "", false)
	f.Add(token+": x", token, "1m", "https://example.com/"+token, "https://u:hunter2@x/s.xml", true)
	f.Add("x-b:\x00", "\x00", "-1s", "/p", "ftp://x", false)
	f.Fuzz(func(t *testing.T, header, body, wait, waitURLs, sitemap string, warm bool) {
		in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "https://example.com/",
			InputExpectHeader: header, InputExpectBody: body, InputWait: wait, InputWaitURLs: waitURLs, InputWarmSitemap: sitemap, InputWarm: strconv.FormatBool(warm)}
		c, err := Load(source(in, nil))
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v is not an input error", err)
			}
			if containsFold(err.Error(), token) || strings.Contains(err.Error(), ":hunter2@") {
				t.Fatalf("error shows a secret: %v", err)
			}
			return
		}
		x := c.Expect
		if (x.Header == "") != (x.Value == "") || (x.Header != "" && (!isToken(x.Header) || strings.ContainsFunc(x.Value, isControl))) {
			t.Fatalf("accepted expectation %+v", x)
		}
		if c.Wait < 0 || (c.Wait > 0 && (!x.IsSet() || c.Wait >= c.Timeout)) {
			t.Fatalf("accepted wait %s with %+v, timeout %s", c.Wait, x, c.Timeout)
		}
		if c.WarmSitemap != "" && !c.Warm {
			t.Fatalf("accepted a sitemap without warm")
		}
	})
}
