package pace

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseRatelimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   []item
	}{
		{name: "Cloudflare's", values: []string{`"default";r=50;t=30`},
			want: []item{{name: "default", params: []param{{"r", 50}, {"t", 30}}}}},
		{name: "policy", values: []string{`"burst";q=100;w=60`},
			want: []item{{name: "burst", params: []param{{"q", 100}, {"w", 60}}}}},
		{name: "every item of a list", values: []string{`"default";r=50;t=30, "burst";r=0;t=5`},
			want: []item{{name: "default", params: []param{{"r", 50}, {"t", 30}}}, {name: "burst", params: []param{{"r", 0}, {"t", 5}}}}},
		{name: "several header lines are one list", values: []string{`"a";r=1`, `"b";r=2`},
			want: []item{{name: "a", params: []param{{"r", 1}}}, {name: "b", params: []param{{"r", 2}}}}},
		{name: "a token name, no spaces", values: []string{`default;r=5;t=1,x;r=2`},
			want: []item{{name: "default", params: []param{{"r", 5}, {"t", 1}}}, {name: "x", params: []param{{"r", 2}}}}},
		{name: "other parameters skipped", values: []string{`"a";pk=:YWJj:;r=1;c="x;y, z";flag;d=1.5;t=2`},
			want: []item{{name: "a", params: []param{{"r", 1}, {"t", 2}}}}},
		{name: "an escaped quote in the name", values: []string{`"a\"b";r=1`},
			want: []item{{name: `a"b`, params: []param{{"r", 1}}}}},
		{name: "a bad member is skipped, not the list", values: []string{`"a";r=-1, "b";r=2;t=3, "c";r=1x`},
			want: []item{{name: "b", params: []param{{"r", 2}, {"t", 3}}}}},
		{name: "unclosed quote", values: []string{`"a;r=1`}},
		{name: "the older draft's dictionary is not this list", values: []string{`limit=100, remaining=50, reset=5`}},
		{name: "more than 15 digits", values: []string{`"a";r=1234567890123456`}},
		{name: "empty", values: []string{"", " , ,"}},
		{name: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseRatelimit(tt.values)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(item{}, param{})); diff != "" {
				t.Errorf("parseRatelimit(%q) (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

// format writes items back as a header value.
func format(items []item) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(it.name))
		for _, p := range it.params {
			fmt.Fprintf(&b, ";%s=%d", p.key, p.value)
		}
	}
	return b.String()
}

// Whatever a server sends, the parser does not panic, keeps only
// non-negative integers under valid keys, and what it read reads back the
// same.
func FuzzRatelimitHeaders(f *testing.F) {
	for _, s := range []string{
		`"default";r=50;t=30`, `"burst";q=100;w=60, "daily";q=1000;w=86400`, `default;r=0;t=300`,
		`"a";c="x;y, z";r=1`, `"a\"b";r=1`, `limit=100, remaining=50`, `"a";r=-1`, `"a;r=1`, `;;,,"`,
	} {
		f.Add(s, "")
		f.Add(s, `"x";r=1`)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		items := parseRatelimit([]string{a, b})
		for _, it := range items {
			for _, p := range it.params {
				if p.value < 0 || !validKey(p.key) {
					t.Fatalf("%q, %q: param %+v", a, b, p)
				}
			}
		}
		if strings.ContainsFunc(format(items), func(r rune) bool { return r > 0x7e }) {
			return // strconv.Quote escapes non-ASCII its own way; names are ASCII
		}
		again := parseRatelimit([]string{format(items)})
		if diff := cmp.Diff(items, again, cmp.AllowUnexported(item{}, param{}), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q, %q: read back differs (-first +again):\n%s", a, b, diff)
		}
	})
}
