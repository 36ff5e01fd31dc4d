package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/latchkeyhq/latchkey"
)

// validator checks requests against our OpenAPI document, the same one
// served at /api/v1/openapi.json.
type validator struct {
	doc    *openapi3.T
	routes map[string]*routers.Route // "GET /accounts/{id}"
	opts   *openapi3filter.Options
}

func newValidator(spec []byte) (*validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("OpenAPI document is invalid: %w", err)
	}
	v := &validator{doc: doc, routes: map[string]*routers.Route{}, opts: &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		ExcludeResponseBody: true,
	}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			v.routes[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return v, nil
}

// route finds the documented operation of a method and a full path
// pattern, such as /api/v1/accounts/{id}.
func (v *validator) route(method, path string) (*routers.Route, bool) {
	rt, ok := v.routes[method+" "+path]
	return rt, ok
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// needsCheck reports whether a request has anything to validate: a query,
// a body, or a required parameter it might lack.
func needsCheck(r *http.Request, rt *routers.Route) bool {
	if r.URL.RawQuery != "" || r.ContentLength != 0 {
		return true
	}
	if rt.Operation.RequestBody != nil && rt.Operation.RequestBody.Value.Required {
		return true
	}
	for _, p := range rt.Operation.Parameters {
		if p.Value.In == openapi3.ParameterInQuery && p.Value.Required {
			return true
		}
	}
	return false
}

// validate checks r against rt and returns a validation error in the
// vendor's vocabulary.
func (v *validator) validate(r *http.Request, rt *routers.Route) error {
	if !needsCheck(r, rt) {
		return nil
	}
	params := map[string]string{}
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params[m[1]] = r.PathValue(m[1])
	}
	// Bodies are JSON whatever the client says; curl's default form type
	// should not make a well-formed body fail.
	if r.ContentLength != 0 || r.Body != http.NoBody {
		ct := r.Header.Get("Content-Type")
		if ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "text/plain") {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, QueryParams: query(r), Route: rt, Options: v.opts}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return validationError(err)
	}
	return nil
}

var (
	missingProperty     = regexp.MustCompile(`property "([^"]*)" is missing`)
	unsupportedProperty = regexp.MustCompile(`property "([^"]*)" is unsupported`)
)

// validationError turns kin-openapi's error into one latchkey validation
// error whose meta locates the problem.
func validationError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return err
	}
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return latchkey.Invalid([]any{"request"}, "value_error", "The request does not match the API's description.")
	}
	var loc []any
	if reqErr.Parameter != nil {
		loc = []any{reqErr.Parameter.Name}
	}
	var se *openapi3.SchemaError
	if errors.As(reqErr.Err, &se) {
		typ, msg, extra := schemaProblem(se)
		for _, part := range se.JSONPointer() {
			if n, err := strconv.Atoi(part); err == nil {
				loc = append(loc, n)
			} else {
				loc = append(loc, part)
			}
		}
		// kin-openapi sometimes already ends the pointer with the property
		// it complains about.
		if len(extra) == 1 && (len(loc) == 0 || loc[len(loc)-1] != extra[0]) {
			loc = append(loc, extra...)
		}
		if len(loc) == 0 {
			loc = []any{"body"}
		}
		return latchkey.Invalid(loc, typ, msg)
	}
	if reqErr.RequestBody != nil {
		if errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired) || strings.Contains(reqErr.Error(), "value is required but missing") {
			return latchkey.Invalid([]any{"body"}, "value_error.missing", "field required")
		}
		if strings.Contains(reqErr.Error(), "header Content-Type") {
			return latchkey.Invalid([]any{"header", "Content-Type"}, "value_error", "Send the body as JSON (Content-Type: application/json).")
		}
		return latchkey.Invalid([]any{"body"}, "value_error.jsondecode", "Invalid JSON: the body is not well-formed JSON")
	}
	if reqErr.Parameter != nil {
		if strings.Contains(reqErr.Reason, "required") {
			return latchkey.Invalid(loc, "value_error.missing", "field required")
		}
		return latchkey.Invalid(loc, "type_error", "value is not valid for "+reqErr.Parameter.Name)
	}
	return latchkey.Invalid([]any{"request"}, "value_error", "The request does not match the API's description.")
}

// schemaProblem names a schema failure the way the vendor's validator does.
// extra is appended to the location: the property that is missing or
// unexpected.
func schemaProblem(se *openapi3.SchemaError) (typ, msg string, extra []any) {
	s := se.Schema
	switch se.SchemaField {
	case "required":
		if m := missingProperty.FindStringSubmatch(se.Reason); m != nil {
			extra = []any{m[1]}
		}
		return "value_error.missing", "field required", extra
	case "additionalProperties", "properties":
		if m := unsupportedProperty.FindStringSubmatch(se.Reason); m != nil {
			extra = []any{m[1]}
		}
		return "extra_forbidden", "Extra inputs are not permitted", extra
	case "enum":
		var names []string
		for _, e := range s.Enum {
			names = append(names, fmt.Sprintf("'%v'", e))
		}
		return "type_error.enum", "value is not a valid enumeration member; permitted: " + strings.Join(names, ", "), nil
	case "type":
		t := "value"
		if s.Type != nil && len(*s.Type) > 0 {
			t = (*s.Type)[0]
		}
		name := map[string]string{"string": "str", "integer": "integer", "boolean": "bool", "object": "dict", "array": "list", "number": "float"}[t]
		if name == "" {
			name = t
		}
		return "type_error." + name, "value is not a valid " + name, nil
	case "nullable":
		return "type_error.none.not_allowed", "none is not an allowed value", nil
	case "minimum":
		return "value_error.number.not_ge", fmt.Sprintf("ensure this value is greater than or equal to %v", deref(s.Min)), nil
	case "maximum":
		return "value_error.number.not_le", fmt.Sprintf("ensure this value is less than or equal to %v", deref(s.Max)), nil
	case "minLength":
		return "value_error.any_str.min_length", fmt.Sprintf("ensure this value has at least %d characters", s.MinLength), nil
	case "maxLength":
		return "value_error.any_str.max_length", fmt.Sprintf("ensure this value has at most %d characters", deref(s.MaxLength)), nil
	case "minItems":
		return "too_short", fmt.Sprintf("List should have at least %d item after validation", s.MinItems), nil
	case "maxItems":
		return "too_long", fmt.Sprintf("List should have at most %d items after validation", deref(s.MaxItems)), nil
	case "format":
		return "value_error." + s.Format, "value is not a valid " + s.Format, nil
	case "pattern":
		return "value_error.str.regex", "string does not match the expected pattern", nil
	}
	return "value_error", se.Reason, nil
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
