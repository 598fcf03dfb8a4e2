package app

import (
	"strings"
	"testing"
)

// The redactor masks secrets in any ASCII case, as they are and as a
// workflow command escapes them, and leaves other text alone.
func TestRedactor(t *testing.T) {
	t.Parallel()
	const tok, pct = "AbCdEf-0123456789", "p%40ss-Word"
	r := newRedactor([]string{tok, pct, "ab", "AbCdEf-0123456789-longer"})
	tests := []struct{ in, want string }{
		{"", ""},
		{"nothing here", "nothing here"},
		{"Bearer " + tok, "Bearer ***"},
		{"host " + strings.ToLower(tok) + ".example.com", "host ***.example.com"},
		{"HOST " + strings.ToUpper(tok) + ".EXAMPLE.COM", "HOST ***.EXAMPLE.COM"},
		{tok + tok + " " + tok, "****** ***"},
		{"the longer one: AbCdEf-0123456789-LONGER!", "the longer one: ***!"},
		{"pw " + pct + " and escaped " + strings.ReplaceAll(pct, "%", "%25") + " and P%40SS-word", "pw *** and escaped *** and ***"},
		{"ab: too short to mask", "ab: too short to mask"},
		{"near miss AbCdEf-012345678 kept", "near miss AbCdEf-012345678 kept"},
		{"non-ASCII kept: é " + tok + " ü", "non-ASCII kept: é *** ü"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := newRedactor(nil).String("x " + tok); got != "x "+tok {
		t.Errorf("no secrets: %q", got)
	}
}

func BenchmarkRedactor(b *testing.B) {
	r := newRedactor([]string{leakToken, leakKey, leakEmail})
	url := "https://www.example.com/assets/0123456789/app.min.js"
	log := strings.Repeat("::debug::POST /client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache 200 12ms\n", 1000)
	b.Run("URL", func(b *testing.B) {
		for range b.N {
			_ = r.String(url)
		}
	})
	b.Run("log", func(b *testing.B) {
		b.SetBytes(int64(len(log)))
		for range b.N {
			_ = r.String(log)
		}
	})
}
