package docs

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
)

// actionInput is one input of action.yml. Default is nil when the input
// declares no default.
type actionInput struct {
	Name        string
	Description string
	Required    string
	Default     *string
}

type actionOutput struct {
	Name, Description string
}

// actionMeta is what the tests read from action.yml, in document order.
type actionMeta struct {
	Name, Description         string
	BrandingIcon, BrandingCol string
	Inputs                    []actionInput
	Outputs                   []actionOutput
	Runs                      map[string]string
}

func loadAction(t *testing.T) actionMeta {
	t.Helper()
	return loadActionFile(t, "action.yml")
}

// loadActionFile reads an action.yml by its path from the repository root.
func loadActionFile(t *testing.T, name string) actionMeta {
	t.Helper()
	root := parseYAML(t, name, readRepoFile(t, name))
	m := actionMeta{
		Name:        scalar(lookup(root, "name")),
		Description: scalar(lookup(root, "description")),
		Runs:        map[string]string{},
	}
	branding := lookup(root, "branding")
	m.BrandingIcon, m.BrandingCol = scalar(lookup(branding, "icon")), scalar(lookup(branding, "color"))
	for _, kv := range entries(lookup(root, "inputs")) {
		in := actionInput{Name: kv.Key, Description: scalar(lookup(kv.Value, "description")), Required: scalar(lookup(kv.Value, "required"))}
		if d := lookup(kv.Value, "default"); d != nil {
			v := d.Value
			in.Default = &v
		}
		m.Inputs = append(m.Inputs, in)
	}
	for _, kv := range entries(lookup(root, "outputs")) {
		m.Outputs = append(m.Outputs, actionOutput{kv.Key, scalar(lookup(kv.Value, "description"))})
	}
	for _, kv := range entries(lookup(root, "runs")) {
		m.Runs[kv.Key] = kv.Value.Value
	}
	return m
}

// TestActionInputsMatchConfig: action.yml declares exactly config.Inputs, in
// order, with the binary's defaults. An input with an environment fallback
// has no default, since the runner would fill it in and hide the variable.
func TestActionInputsMatchConfig(t *testing.T) {
	t.Parallel()
	a := loadAction(t)

	var got, want []string
	for _, in := range a.Inputs {
		got = append(got, in.Name)
	}
	for _, in := range config.Inputs {
		want = append(want, in.Name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("action.yml inputs differ from config.Inputs (-config +action.yml):\n%s", diff)
	}

	for i, in := range config.Inputs {
		ai := a.Inputs[i]
		switch {
		case in.Env != "" && ai.Default != nil:
			t.Errorf("input %s: has default %q, but falls back to $%s: remove the default, or the runner hides the variable", in.Name, *ai.Default, in.Env)
		case in.Env == "" && ai.Default == nil:
			t.Errorf("input %s: no default; want default: %q as config.Inputs has", in.Name, in.Default)
		case in.Env == "" && *ai.Default != in.Default:
			t.Errorf("input %s: default %q, config.Inputs has %q", in.Name, *ai.Default, in.Default)
		}
		if in.Env != "" && !strings.Contains(ai.Description, in.Env) {
			t.Errorf("input %s: description does not name its fallback %s", in.Name, in.Env)
		}
		if strings.TrimSpace(ai.Description) == "" {
			t.Errorf("input %s: no description", in.Name)
		}
		// The runner does not enforce required, and a required input with an
		// environment fallback would be wrong: the binary validates instead.
		if ai.Required == "true" {
			t.Errorf("input %s: required: true; the binary checks what is required (fallbacks included)", in.Name)
		}
	}
}

// TestActionOutputsMatchReport: action.yml declares exactly report.OutputNames.
func TestActionOutputsMatchReport(t *testing.T) {
	t.Parallel()
	a := loadAction(t)
	var got []string
	for _, o := range a.Outputs {
		got = append(got, o.Name)
		if strings.TrimSpace(o.Description) == "" {
			t.Errorf("output %s: no description", o.Name)
		}
	}
	if diff := cmp.Diff(report.OutputNames, got); diff != "" {
		t.Errorf("action.yml outputs differ from report.OutputNames (-report +action.yml):\n%s", diff)
	}
}

var releasedImage = regexp.MustCompile(`^docker://ghcr\.io/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$`)

// TestActionRuns: a Docker action, with the Dockerfile on main and an image
// pinned by digest on a release commit, and no args (without args and with
// GITHUB_ACTIONS=true the binary runs as the action).
func TestActionRuns(t *testing.T) {
	t.Parallel()
	a := loadAction(t)
	if a.Runs["using"] != "docker" {
		t.Errorf("runs.using = %q, want docker", a.Runs["using"])
	}
	if img := a.Runs["image"]; img != "Dockerfile" && !releasedImage.MatchString(img) {
		t.Errorf("runs.image = %q, want Dockerfile (main) or docker://ghcr.io/OWNER/REPO@sha256:... (a release)", img)
	}
	for _, k := range []string{"args", "entrypoint", "pre-entrypoint", "post-entrypoint"} {
		if _, ok := a.Runs[k]; ok {
			t.Errorf("runs.%s is set: with arguments the binary would run as the CLI, not as the action", k)
		}
	}
}

// TestActionMetadata: what the Marketplace shows.
func TestActionMetadata(t *testing.T) {
	t.Parallel()
	a := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Errorf("name %q and description %q must both be set", a.Name, a.Description)
	}
	// actionlint checks the icon's name where ci.yml runs "uses: ./".
	if a.BrandingIcon == "" {
		t.Error("branding.icon is not set")
	}
	switch a.BrandingCol {
	case "white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark":
	default:
		t.Errorf("branding.color %q is not one of GitHub's colors", a.BrandingCol)
	}
}
