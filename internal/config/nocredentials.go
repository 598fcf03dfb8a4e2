package config

import (
	"fmt"
	"strings"
)

// IfNoCredentials is what a run with no credentials at all does. A pull
// request from a fork gets no secrets, so a workflow that purges on every
// pull request would fail on each one from a fork; warn and ignore let it
// skip the purge instead. The names follow actions/upload-artifact's
// if-no-files-found.
type IfNoCredentials string

const (
	// NoCredentialsError refuses the run (exit 2), as any missing input.
	NoCredentialsError IfNoCredentials = "error"
	// NoCredentialsWarn skips the run with a warning.
	NoCredentialsWarn IfNoCredentials = "warn"
	// NoCredentialsIgnore skips the run with a notice.
	NoCredentialsIgnore IfNoCredentials = "ignore"
)

// skips tells whether a run without credentials is skipped.
func (m IfNoCredentials) skips() bool {
	return m == NoCredentialsWarn || m == NoCredentialsIgnore
}

func parseIfNoCredentials(v string) (IfNoCredentials, error) {
	switch m := IfNoCredentials(strings.ToLower(v)); m {
	case NoCredentialsError, NoCredentialsWarn, NoCredentialsIgnore:
		return m, nil
	}
	return NoCredentialsError, inputErr(InputIfNoCredentials, v, "must be error, warn or ignore")
}

// skipReason says why a run without credentials sends nothing, naming the
// inputs as the user gives them.
func skipReason(m IfNoCredentials, n naming) string {
	setting := fmt.Sprintf("%s: %s", InputIfNoCredentials, m)
	if n.cli {
		setting = fmt.Sprintf("--%s %s", InputIfNoCredentials, m)
	}
	return fmt.Sprintf("no credentials (%s, or %s with %s, nor CLOUDFLARE_API_TOKEN or CLOUDFLARE_API_KEY), as in a pull request from a fork, which gets no secrets: nothing was sent (%s)",
		n.name(InputAPIToken), n.name(InputAPIKey), n.name(InputAPIEmail), setting)
}
