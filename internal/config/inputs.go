// Package config turns action inputs, CLI flags and environment variables into
// one validated Config. Every input is checked here, before any network call.
package config

// Input names, exactly as in action.yml and as CLI flags.
const (
	InputAPIToken        = "api-token"
	InputAPIKey          = "api-key"
	InputAPIEmail        = "api-email"
	InputZone            = "zone"
	InputAccountID       = "account-id"
	InputEnvironment     = "environment"
	InputFiles           = "files"
	InputFilesFrom       = "files-from"
	InputBaseURL         = "base-url"
	InputTags            = "tags"
	InputHosts           = "hosts"
	InputPrefixes        = "prefixes"
	InputPurgeEverything = "purge-everything"
	InputFilesPerRequest = "files-per-request"
	InputDryRun          = "dry-run"
	InputAPIURL          = "api-url"
	InputTimeout         = "timeout"
	InputMaxRetries      = "max-retries"
	InputInvalidate      = "invalidate"
	InputVerify          = "verify"
	InputVerifyURLs      = "verify-urls"
	InputEdgeURL         = "edge-url"
	InputExpectHeader    = "expect-header"
	InputExpectBody      = "expect-body"
	InputWait            = "wait"
	InputWaitURLs        = "wait-urls"
	InputWarm            = "warm"
	InputWarmSitemap     = "warm-sitemap"
	InputIfNoCredentials = "if-no-credentials"
)

// Input describes one input: its name, the environment variable it falls back
// to, its default, and whether its value is a secret.
type Input struct {
	Name    string
	Env     string
	Default string
	Secret  bool
	Bool    bool
	// List: the value is a list whose items newlines separate, so a CLI
	// flag given several times adds up (--tags a --tags b).
	List  bool
	Usage string
}

// DefaultAPIURL is Cloudflare's API base URL.
const DefaultAPIURL = "https://api.cloudflare.com/client/v4"

// Inputs lists every input in action.yml order. action.yml, the CLI flags and
// the README tables are all checked against it in tests.
var Inputs = []Input{
	{Name: InputAPIToken, Env: "CLOUDFLARE_API_TOKEN", Secret: true, Usage: "API token (Authorization: Bearer)"},
	{Name: InputAPIKey, Env: "CLOUDFLARE_API_KEY", Secret: true, Usage: "legacy Global API key, with --api-email"},
	{Name: InputAPIEmail, Env: "CLOUDFLARE_EMAIL", Secret: true, Usage: "account email for the Global API key"},
	{Name: InputZone, Env: "CLOUDFLARE_ZONE_ID", List: true, Usage: "zones, separated by newlines or commas: zone IDs (32 hex characters) or names (example.com); each URL, host and prefix goes to the zone its host is in"},
	{Name: InputAccountID, Env: "CLOUDFLARE_ACCOUNT_ID", Usage: "account ID that narrows a zone-name lookup"},
	{Name: InputEnvironment, List: true, Usage: "environments, separated by newlines or commas: names or refs (empty: Production)"},
	{Name: InputFiles, List: true, Usage: "URLs (or with --base-url paths; \"quoted\" if they hold spaces) separated by whitespace; a line starting with { is {\"url\",\"headers\"}"},
	{Name: InputFilesFrom, Usage: "file in the same format as --files; - for standard input"},
	{Name: InputBaseURL, Usage: "URL that paths in --files and --files-from are joined to, percent-encoded"},
	{Name: InputTags, List: true, Usage: "cache tags, separated by newlines, commas or whitespace"},
	{Name: InputHosts, List: true, Usage: "host names, separated by newlines, commas or whitespace"},
	{Name: InputPrefixes, List: true, Usage: "URL prefixes (host/path, no scheme), separated by newlines, commas or whitespace"},
	{Name: InputPurgeEverything, Default: "false", Bool: true, Usage: "purge everything in each environment"},
	{Name: InputFilesPerRequest, Usage: "URLs per purge request, 1 to 500 (default: the most the zone's plan takes: 500 on Enterprise, else 30)"},
	{Name: InputDryRun, Default: "false", Bool: true, Usage: "resolve and plan, send no purge"},
	{Name: InputAPIURL, Env: "CLOUDFLARE_BASE_URL", Usage: "API base URL (default " + DefaultAPIURL + ")"},
	{Name: InputTimeout, Default: "5m", Usage: "deadline for the whole run, as a Go duration"},
	{Name: InputMaxRetries, Default: "5", Usage: "retries per request for 5xx, network errors and the API-wide limit, 0 to 20; the purge budget's 429s are retried while the timeout allows"},
	{Name: InputInvalidate, Default: "false", Bool: true, Usage: "mark the content stale instead of deleting it: Cloudflare revalidates it with the origin on the next request"},
	{Name: InputVerify, Default: "false", Bool: true, Usage: "after the purge, request the verification URLs through each environment and check that none is served from a copy cached before it"},
	{Name: InputVerifyURLs, List: true, Usage: "URLs to request with --verify, separated by whitespace (default: the purged --files URLs, at most 20 per environment)"},
	{Name: InputEdgeURL, Env: "CLOUDFLARE_EDGE_URL", Usage: "base URL (http://host:port) that requests to the sites (verify, wait, warm, the sitemap) go to instead of each URL's host: a proxy, or the emulator's edge"},
	{Name: InputExpectHeader, Usage: "what the new deploy serves, as Name: value (such as X-Build: 3f2c1a9): a response header and its exact value; used by --wait and --verify"},
	{Name: InputExpectBody, Usage: "a text the new deploy's body contains (first 1 MiB); used by --wait and --verify"},
	{Name: InputWait, Default: "0", Usage: "before the first purge, wait up to this long (a Go duration) until every wait URL serves the expectation, through each environment"},
	{Name: InputWaitURLs, List: true, Usage: "URLs polled by --wait, separated by whitespace (default: the verification URLs with a cache-busting query parameter)"},
	{Name: InputWarm, Default: "false", Bool: true, Usage: "after the purge and any verification, request the warm URLs through each environment"},
	{Name: InputWarmSitemap, Usage: "URL of a sitemap (XML) whose pages --warm requests too (at most 10 MiB and 50,000 URLs; the zone's hosts only)"},
	{Name: InputIfNoCredentials, Default: string(NoCredentialsError), Usage: "what a run with no credentials at all does (a pull request from a fork gets no secrets): error (exit 2), warn or ignore (skip it, send nothing, exit 0)"},
}

func lookupInput(name string) Input {
	for _, in := range Inputs {
		if in.Name == name {
			return in
		}
	}
	panic("config: unknown input " + name)
}
