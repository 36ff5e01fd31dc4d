package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// in is the body of a write: {"data": {"id", "type", "attributes"}}.
type in[A any] struct {
	Data *inResource[A] `json:"data"`
}

type inResource[A any] struct {
	ID         *string `json:"id"`
	Type       *string `json:"type"`
	Attributes *A      `json:"attributes"`
}

// decode reads a JSON body into dst, refusing unknown fields, trailing data
// and bodies over the limit.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		return latchkey.Invalid([]any{"body"}, "value_error", "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return latchkey.Invalid([]any{"body"}, "value_error.missing", "field required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return latchkey.Invalid([]any{"body"}, "value_error.jsondecode", "Invalid JSON: unexpected data after the top-level value")
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return latchkey.Invalid([]any{"body"}, "value_error.jsondecode", "Invalid JSON: the body is not well-formed JSON")
	case errors.As(err, &typ):
		loc := []any{}
		for _, part := range strings.Split(typ.Field, ".") {
			if part != "" {
				loc = append(loc, part)
			}
		}
		return latchkey.Invalid(loc, "type_error."+jsonKind(typ.Type.Kind().String()), "value is not a valid "+jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return latchkey.Invalid([]any{"body", name}, "extra_forbidden", "Extra inputs are not permitted")
	}
	return latchkey.Invalid([]any{"body"}, "value_error.jsondecode", "Invalid JSON")
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "str"
	case "bool":
		return "bool"
	case "int", "int64", "int32", "float64":
		return "integer"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "dict"
	}
	return kind
}

// attributes checks the envelope of a write and returns its attributes.
// wantType is the resource type the body may name; an id, when the body
// gives one, must be pathID.
func attributes[A any](body in[A], wantTypes []string, pathID string) (*A, error) {
	if body.Data == nil {
		return nil, latchkey.Invalid([]any{"data"}, "value_error.missing", "field required")
	}
	if body.Data.Type != nil && len(wantTypes) > 0 {
		ok := false
		for _, t := range wantTypes {
			ok = ok || *body.Data.Type == t
		}
		if !ok {
			return nil, latchkey.Invalid([]any{"data", "type"}, "type_error.enum", "value is not a valid enumeration member; permitted: '"+strings.Join(wantTypes, "', '")+"'")
		}
	}
	if body.Data.ID != nil && pathID != "" && *body.Data.ID != pathID {
		return nil, latchkey.Invalid([]any{"data", "id"}, "value_error", "The id in the body does not match the id in the path.")
	}
	if body.Data.Attributes == nil {
		return nil, latchkey.Invalid([]any{"data", "attributes"}, "value_error.missing", "field required")
	}
	return body.Data.Attributes, nil
}

// inBody places a core validation error inside the request body:
// ["label"] becomes ["data","attributes","label"] and ["id"] ["data","id"].
func inBody(err error) error {
	var le *latchkey.Error
	if !errors.As(err, &le) || le.Meta == nil || len(le.Meta.Loc) == 0 {
		return err
	}
	first, _ := le.Meta.Loc[0].(string)
	prefix := []any{"data", "attributes"}
	if first == "id" || first == "type" {
		prefix = []any{"data"}
	}
	if strings.HasPrefix(first, "filter[") || first == "data" || first == "body" {
		return err
	}
	meta := *le.Meta
	meta.Loc = append(prefix, le.Meta.Loc...)
	out := *le
	out.Meta = &meta
	return &out
}

// optional is a field whose absence and null differ: absent leaves a value
// alone, null clears it.
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

func asLatchkey(err error, target **latchkey.Error) bool { return errors.As(err, target) }

// strictJSON decodes raw into dst refusing unknown fields.
func strictJSON(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	return nil
}

// prefixLoc puts a validation error's location under a top-level key.
func prefixLoc(err error, key string) error {
	var le *latchkey.Error
	if !errors.As(err, &le) || le.Meta == nil {
		return err
	}
	meta := *le.Meta
	loc := meta.Loc
	if len(loc) > 0 && loc[0] == "body" {
		loc = loc[1:]
	}
	meta.Loc = append([]any{key}, loc...)
	out := *le
	out.Meta = &meta
	return &out
}
