package config

import (
	"testing"
	"time"
)

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"true", "True", "TRUE", "false", "False", "FALSE", "yes", "1", "", " true", "tRue"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBool(InputDryRun, s)
		valid := map[string]bool{"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false}
		want, ok := valid[s]
		switch {
		case ok && (err != nil || v != want):
			t.Fatalf("ParseBool(%q) = %v, %v; want %v", s, v, err, want)
		case !ok && err == nil:
			t.Fatalf("ParseBool(%q) accepted", s)
		case err != nil:
			checkErr(t, InputDryRun, err)
		}
	})
}

func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"0", "30", "500", "501", "-1", "+5", "05", "1e3", "0x10", "", " 3", "99999999999999999999", "5m", "90s", "1h30m", "24h", "24h0m1s", "0s", "-5m", "300", "1.5h", "9223372036854775807ns", ".5s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseInt(InputFilesPerRequest, s, 1, 500)
		if err != nil {
			checkErr(t, InputFilesPerRequest, err)
		} else if n < 1 || n > 500 {
			t.Fatalf("parseInt(%q) = %d, out of 1..500", s, n)
		}
		d, err := parseDuration(InputTimeout, s)
		if err != nil {
			checkErr(t, InputTimeout, err)
		} else if d <= 0 || d > 24*time.Hour {
			t.Fatalf("parseDuration(%q) = %v, out of (0, 24h]", s, d)
		}
	})
}
