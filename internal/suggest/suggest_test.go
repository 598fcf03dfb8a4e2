package suggest

import "testing"

func TestNearest(t *testing.T) {
	t.Parallel()
	envs := []string{"Production", "Staging", "Development"}
	tests := []struct {
		word  string
		cands []string
		want  string
	}{
		{"Stagign", envs, "Staging"},
		{"STAGING", envs, "Staging"},
		{"stage", envs, ""}, // 3 edits in 5 letters: a word of its own
		{"Prod", envs, ""},  // too far: 6 edits
		{"developmnet", envs, "Development"},
		{"exampel.com", []string{"example.com"}, "example.com"},
		{"enviroment", []string{"environment", "edge-url"}, "environment"},
		{"x", []string{"y"}, "y"},
		{"x", nil, ""},
		{"ab", []string{"xy"}, ""},
		{"café", []string{"cafe"}, "cafe"},
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, tt.cands); got != tt.want {
			t.Errorf("Nearest(%q, %q) = %q, want %q", tt.word, tt.cands, got, tt.want)
		}
	}
}
