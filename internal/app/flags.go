package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/suggest"
)

const usageHead = `cloudflare-purge purges Cloudflare's cache per zone-versioning environment.

Usage:
  cloudflare-purge [flags]                  purge (flags are named as the action's inputs)
  cloudflare-purge --sandbox [flags]        purge against the built-in emulator: no account needed
  cloudflare-purge emulate [--listen ADDR]  serve the emulator of the Cloudflare API

Examples:
  cloudflare-purge --sandbox --environment Staging --files https://example.com/
  cloudflare-purge --zone example.com --environment Staging --tags assets,html
  cloudflare-purge --sandbox --environment Staging --tags html --dry-run
  cloudflare-purge --sandbox --zone example.com,example.org --files "https://example.com/ https://example.org/"
  git diff --name-only --relative=public/ HEAD~1 | \
    cloudflare-purge --zone example.com --base-url https://example.com --files-from -

Each flag also reads its action input's environment variable (CLOUDFLARE_API_TOKEN,
CLOUDFLARE_ZONE_ID, ...). Exit codes: 0 all purged, 1 a purge or call failed,
2 the configuration is wrong (nothing was sent).

Flags:
`

// stringFlag records a flag's value and how many times it was given. A
// list flag given again adds its value on a new line (--tags a --tags b);
// any other flag given again is an error, reported after parsing so that
// the message names the flag without its value, which may be a secret.
type stringFlag struct {
	v      string
	isBool bool
	list   bool
	n      int
}

func (f *stringFlag) String() string { return f.v }
func (f *stringFlag) Set(s string) error {
	f.n++
	if f.list && f.n > 1 {
		f.v += "\n" + s
		return nil
	}
	f.v = s
	return nil
}
func (f *stringFlag) IsBoolFlag() bool { return f.isBool }

type cliFlags struct {
	inputs  map[string]*stringFlag
	json    bool
	list    bool
	sandbox bool
	debug   bool
	version bool
	// deployAfter: the sandbox's origin deploys its new build this long
	// after the start (negative: not given).
	deployAfter time.Duration
}

func parseFlags(args []string) (*cliFlags, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("cloudflare-purge", flag.ContinueOnError)
	// Parse would print its errors, which runCLI prints: once is enough.
	// runCLI sets the output for --help.
	fs.SetOutput(io.Discard)
	f := &cliFlags{inputs: map[string]*stringFlag{}}
	for _, in := range config.Inputs {
		sf := &stringFlag{isBool: in.Bool, list: in.List}
		f.inputs[in.Name] = sf
		usage := in.Usage
		if in.Env != "" {
			usage += " [$" + in.Env + "]"
		}
		if in.Default != "" && !(in.Bool && in.Default == "false") {
			// A boolean flag is off unless given: no need to say so.
			usage += " (default " + in.Default + ")"
		}
		fs.Var(sf, in.Name, usage)
	}
	fs.BoolVar(&f.json, "json", false, "print only the result document (JSON) on standard output")
	fs.BoolVar(&f.list, "list", false, "list every request's items in the result document, not only the failed ones' (a dry run always lists them)")
	fs.BoolVar(&f.sandbox, "sandbox", false, "run against the built-in emulator (example.com, no token needed)")
	fs.DurationVar(&f.deployAfter, "deploy-after", -1, "with --sandbox: the emulator's origin serves its new build ("+emulator.BuildHeader+": v2) from this long after the start, the old one (v1) before, such as 5s")
	fs.BoolVar(&f.debug, "debug", false, "log every API call on standard error")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	// runCLI prints the usage for --help; Parse must not print it too.
	fs.Usage = func() {}
	if len(args) > 0 && args[0] == "help" {
		return nil, fs, flag.ErrHelp // "cloudflare-purge help" is --help
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, unknownFlag(fs, args, err)
	}
	if len(args) > 0 && fs.NArg() == len(args) && commandWord.MatchString(args[0]) {
		// A first word such as "purge": the command line of a tool with
		// subcommands, which this is not (but for emulate).
		if fs.Lookup(args[0]) != nil {
			return nil, fs, fmt.Errorf("unknown command %q: did you mean --%s?", args[0], args[0])
		}
		return nil, fs, fmt.Errorf("unknown command %q: cloudflare-purge purges with flags alone (cloudflare-purge --zone ... --files ...); its only command is emulate", args[0])
	}
	if err := strayArgument(fs, args, func(arg string) string { return fmt.Sprintf("values go in flags, such as --files %q", arg) }); err != nil {
		return nil, fs, err
	}
	var errs []error
	for _, in := range config.Inputs {
		if sf := f.inputs[in.Name]; sf.n > 1 && !sf.list {
			errs = append(errs, fmt.Errorf("--%s is given %d times: give it once (only --environment, --files, --tags, --hosts and --prefixes add up)", in.Name, sf.n))
		}
	}
	if f.deployAfter >= 0 && !f.sandbox {
		errs = append(errs, fmt.Errorf("--deploy-after is for the sandbox's origin: give --sandbox too (against a real zone, deploy first, then purge with --wait)"))
	}
	if len(errs) > 0 {
		return nil, fs, errors.Join(errs...)
	}
	return f, fs, nil
}

// cliOnlyFlags are the flags that are not action inputs, in the order
// --help lists them (after the inputs).
var cliOnlyFlags = []string{"json", "list", "sandbox", "deploy-after", "debug", "version"}

// commandWord is a first argument that reads as a subcommand (purge,
// run, invalidate), not as a value: lower-case letters and hyphens.
var commandWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// flagAliases are names that other tools and Cloudflare's docs give the
// flags, which no edit distance finds.
var flagAliases = map[string]string{
	"token":        config.InputAPIToken,
	"key":          config.InputAPIKey,
	"email":        config.InputAPIEmail,
	"zone-id":      config.InputZone,
	"zone-name":    config.InputZone,
	"zones":        config.InputZone,
	"account":      config.InputAccountID,
	"e":            config.InputEnvironment,
	"env":          config.InputEnvironment,
	"environments": config.InputEnvironment,
	"url":          config.InputFiles,
	"urls":         config.InputFiles,
	"tag":          config.InputTags,
	"host":         config.InputHosts,
	"prefix":       config.InputPrefixes,
	"everything":   config.InputPurgeEverything,
}

// unknownFlag rewrites the flag package's "flag provided but not defined:
// -enviroment" as the user wrote the flag (-e, --enviroment), with the
// nearest flag's name when one is close: "unknown flag --enviroment: did
// you mean --environment?".
func unknownFlag(fs *flag.FlagSet, args []string, err error) error {
	const stock = "flag provided but not defined: "
	msg := err.Error()
	if !strings.HasPrefix(msg, stock) {
		return err
	}
	name := strings.TrimLeft(strings.TrimPrefix(msg, stock), "-")
	if looksLikeCredential(name) {
		return errors.New("unknown flag (name hidden: it looks like a credential)")
	}
	written := "--" + name
	for _, a := range args {
		if a == "--" {
			break
		}
		flagPart, _, _ := strings.Cut(a, "=")
		if strings.TrimLeft(flagPart, "-") == name && strings.HasPrefix(flagPart, "-") {
			written = flagPart
			break
		}
	}
	best := nearestFlag(fs, name)
	if alias := flagAliases[strings.ToLower(strings.ReplaceAll(name, "_", "-"))]; alias != "" && fs.Lookup(alias) != nil {
		best = alias
	}
	if best != "" {
		return fmt.Errorf("unknown flag %s: did you mean --%s?", written, best)
	}
	return fmt.Errorf("unknown flag %s", written)
}

// nearestFlag is the flag whose name is nearest to name, if it is close
// enough to be a slip.
func nearestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	return suggest.Nearest(name, names)
}

// placeholders name the value of each input flag in --help; a string input
// missing here shows VALUE.
var placeholders = map[string]string{
	config.InputAPIToken:        "TOKEN",
	config.InputAPIKey:          "KEY",
	config.InputAPIEmail:        "EMAIL",
	config.InputZone:            "ZONE",
	config.InputAccountID:       "ID",
	config.InputEnvironment:     "NAMES",
	config.InputFiles:           "URLS",
	config.InputFilesFrom:       "FILE",
	config.InputBaseURL:         "URL",
	config.InputTags:            "TAGS",
	config.InputHosts:           "HOSTS",
	config.InputPrefixes:        "PREFIXES",
	config.InputFilesPerRequest: "N",
	config.InputAPIURL:          "URL",
	config.InputTimeout:         "DURATION",
	config.InputMaxRetries:      "N",
	config.InputVerifyURLs:      "URLS",
	config.InputEdgeURL:         "URL",
	config.InputExpectHeader:    "HEADER",
	config.InputExpectBody:      "TEXT",
	config.InputWait:            "DURATION",
	config.InputWaitURLs:        "URLS",
	config.InputWarmSitemap:     "URL",
	"deploy-after":              "DURATION",
	config.InputIfNoCredentials: "MODE",
}

// strayArgument is the error for the first argument that is not a flag,
// nil when there is none. A true or false right after a boolean flag is
// most likely its value written as for a string flag (--dry-run false,
// which the flag package reads as --dry-run and a stray "false"): the
// error says how to write it. hint says what to do with any other
// argument.
func strayArgument(fs *flag.FlagSet, args []string, hint func(arg string) string) error {
	if fs.NArg() == 0 {
		return nil
	}
	arg := fs.Arg(0)
	if looksLikeCredential(arg) {
		// --api-token= "$TOKEN", with a space after the =: the value
		// is a secret, even where it was not meant to go.
		return errors.New("unexpected argument (value hidden: it looks like a credential): give a token as --api-token=TOKEN without a space after the =, or in CLOUDFLARE_API_TOKEN")
	}
	if i := len(args) - fs.NArg(); i > 0 && (strings.EqualFold(arg, "true") || strings.EqualFold(arg, "false")) {
		if name, ok := boolFlagName(fs, args[i-1]); ok {
			return fmt.Errorf("--%s takes no value: write --%s=%s", name, name, arg)
		}
	}
	return fmt.Errorf("unexpected argument %q: %s", arg, hint(arg))
}

// looksLikeCredential tells an argument that could be an API token or a
// Global API key: 20 characters or more of their alphabet, letters and
// digits both. Such an argument is never quoted in an error.
func looksLikeCredential(s string) bool {
	if len(s) < 20 {
		return false
	}
	letter, digit := false, false
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
			digit = true
		case c != '-' && c != '_':
			return false
		}
	}
	return letter && digit
}

// argSecrets returns the values of the secret flags in args, as given
// (--api-token V, --api-token=V, -api-token V), for when the flags could
// not be parsed: a value equal to one of them is a secret wherever it is.
func argSecrets(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "--" {
			break
		}
		name, v, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if !strings.HasPrefix(a, "-") || !slices.ContainsFunc(config.Inputs, func(in config.Input) bool { return in.Secret && in.Name == name }) {
			continue
		}
		if !hasValue && i+1 < len(args) {
			v = args[i+1]
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// boolFlagName is the name of the boolean flag that arg gives without a
// value (-x or --x, not --x=v, not --).
func boolFlagName(fs *flag.FlagSet, arg string) (string, bool) {
	if !strings.HasPrefix(arg, "-") || arg == "--" || strings.Contains(arg, "=") {
		return "", false
	}
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	fl := fs.Lookup(name)
	if fl == nil || !isBoolFlag(fl) {
		return "", false
	}
	return name, true
}

func isBoolFlag(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printFlags lists the flags of fs for --help: "  --name PLACEHOLDER" (a
// boolean flag has no placeholder), the usage on the next line, indented.
// The flags named in order come first, in that order, then any others.
func printFlags(w io.Writer, fs *flag.FlagSet, order []string, placeholder func(*flag.Flag) string) {
	rank := map[string]int{}
	for i, name := range order {
		rank[name] = i
	}
	var flags []*flag.Flag
	fs.VisitAll(func(fl *flag.Flag) { flags = append(flags, fl) })
	slices.SortStableFunc(flags, func(a, b *flag.Flag) int {
		ra, oka := rank[a.Name]
		rb, okb := rank[b.Name]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0 // VisitAll's order: by name
	})
	for _, fl := range flags {
		line := "  --" + fl.Name
		if !isBoolFlag(fl) {
			line += " " + placeholder(fl)
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, fl.Usage)
	}
}

// printUsage is the CLI's --help.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usageHead)
	var order []string
	for _, in := range config.Inputs {
		order = append(order, in.Name)
	}
	printFlags(w, fs, append(order, cliOnlyFlags...), func(fl *flag.Flag) string {
		if p := placeholders[fl.Name]; p != "" {
			return p
		}
		return "VALUE"
	})
}

func (f *cliFlags) input(name string) string {
	if sf := f.inputs[name]; sf != nil {
		return sf.v
	}
	return ""
}
