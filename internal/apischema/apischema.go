// Package apischema checks HTTP traffic against Cloudflare's OpenAPI schema of the
// endpoints the action uses: purge, invalidate, environments, zone details and the zone
// list
// (purge-openapi.json, see README.md for its origin and licence). Tests use it to
// hold both the action's requests and the emulator's answers to Cloudflare's contract.
//
// The published request schema is an anyOf of objects whose properties are all
// optional, so it accepts any JSON object. Load tightens it to what the API accepts
// (see tighten); everything else is checked as published.
package apischema

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

//go:embed purge-openapi.json
var schemaJSON []byte

// FaultHeader marks a response the emulator broke on purpose (reset, hang, HTML,
// truncated); such responses are not checked. Same value as emulator.FaultHeader,
// repeated because the emulator's tests import this package.
const FaultHeader = "X-Emulator-Fault"

// purgePaths are the schema's purge and invalidation operations, whose bodies
// tighten constrains.
var purgePaths = []string{
	"/zones/{zone_id}/purge_cache",
	"/zones/{zone_id}/environments/{environment_id}/purge_cache",
	"/zones/{zone_id}/invalidate_cache",
	"/zones/{zone_id}/environments/{environment_id}/invalidate_cache",
}

// Validator checks requests and responses against the schema. It is safe for
// concurrent use.
type Validator struct {
	router routers.Router
}

// options: authentication is the emulator's job, and the request is only read.
var options = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

// Load parses the embedded schema.
func Load() (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(schemaJSON)
	if err != nil {
		return nil, fmt.Errorf("apischema: loading the schema: %w", err)
	}
	// Requests are matched on their path from /zones on (see route), so any host
	// and base path (/client/v4, a proxy's, none) will do.
	doc.Servers = nil
	if err := tighten(doc); err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc) // validates the document too
	if err != nil {
		return nil, fmt.Errorf("apischema: %w", err)
	}
	return &Validator{router: router}, nil
}

// tighten makes each alternative of the purge body schemas require its one field
// and allow no other, so that a body with no kind or with two kinds fails, and makes
// lists non-empty and file objects carry a url: Cloudflare's rules (1012, one kind per
// request, the object form {url, headers}). The alternatives are shared components,
// so changing them once serves both paths.
func tighten(doc *openapi3.T) error {
	for _, path := range purgePaths {
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil || item.Post.RequestBody == nil {
			return fmt.Errorf("apischema: the schema has no POST %s body", path)
		}
		body := item.Post.RequestBody.Value.Content.Get("application/json")
		if body == nil || body.Schema == nil || len(body.Schema.Value.AnyOf) == 0 {
			return fmt.Errorf("apischema: POST %s: expected an anyOf body schema", path)
		}
		for _, alt := range body.Schema.Value.AnyOf {
			s := alt.Value
			if len(s.Properties) != 1 {
				return fmt.Errorf("apischema: POST %s: body alternative %q has %d properties, want 1", path, alt.Ref, len(s.Properties))
			}
			for name, prop := range s.Properties {
				s.Required = []string{name}
				if p := prop.Value; p.Type.Is(openapi3.TypeArray) {
					p.MinItems = 1
					if it := p.Items.Value; it.Type.Is(openapi3.TypeObject) && it.Properties["url"] != nil {
						it.Required = []string{"url"}
					}
				}
			}
			no := false
			s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
		}
	}
	return nil
}

// route finds the operation of r by its path from /zones on. It returns nil, nil
// when the schema does not cover the path.
func (v *Validator) route(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	i := strings.Index(r.URL.Path, "/zones/")
	if i < 0 && strings.HasSuffix(r.URL.Path, "/zones") {
		i = len(r.URL.Path) - len("/zones")
	}
	if i < 0 {
		return nil, nil
	}
	u := *r.URL
	u.Path, u.RawPath = r.URL.Path[i:], ""
	req := r.Clone(context.Background())
	req.URL = &u
	req.Body, req.GetBody = io.NopCloser(bytes.NewReader(body)), nil
	req.ContentLength = int64(len(body))
	route, params, err := v.router.FindRoute(req)
	if err == nil {
		return &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options}, nil
	}
	if re := (*routers.RouteError)(nil); !errors.As(err, &re) || re.Reason != routers.ErrPathNotFound.Error() {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	// The legacy router says "not found" for a wrong method too: tell them apart.
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		req.Method = m
		if _, _, err := v.router.FindRoute(req); err == nil {
			return nil, fmt.Errorf("%s %s: the schema has no %s operation on this path", r.Method, r.URL.Path, r.Method)
		}
	}
	return nil, nil
}

// CheckRequest checks a request and its body (r.Body is not read). It returns nil
// for paths the schema does not cover, and an error for a method it lacks on a path
// it covers (GET .../purge_cache). Security requirements are not checked.
func (v *Validator) CheckRequest(r *http.Request, body []byte) error {
	in, err := v.route(r, body)
	if in == nil || err != nil {
		return err
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s: request: %w", r.Method, r.URL.Path, err)
	}
	return nil
}

// CheckResponse checks the response to r. It returns nil for operations the schema
// does not cover, for statuses it does not declare (5xx), and for responses marked
// with FaultHeader.
func (v *Validator) CheckResponse(r *http.Request, status int, header http.Header, body []byte) error {
	if header.Get(FaultHeader) != "" {
		return nil
	}
	in, _ := v.route(r, nil)
	if in == nil {
		// Not covered, or a method the schema lacks (CheckRequest reports that):
		// there is no contract for the answer.
		return nil
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                options,
	})
	if err != nil {
		return fmt.Errorf("%s %s: response %d: %w", r.Method, r.URL.Path, status, err)
	}
	return nil
}
