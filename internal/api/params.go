package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
)

type queryKey struct{}

// query returns the request's query, parsed once. Keys arrive raw
// (filter[status]) or percent-encoded (filter%5Bstatus%5D); parsing decodes
// both to the same key.
func query(r *http.Request) url.Values {
	if q, ok := r.Context().Value(queryKey{}).(url.Values); ok {
		return q
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	return q
}

func withQuery(r *http.Request) (*http.Request, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return r, latchkey.Invalid([]any{"query"}, "value_error", "The query string is not valid.")
	}
	// Filters reach the store as text, and no store keeps NUL characters or
	// bytes that are not UTF-8 as text.
	for k, vs := range q {
		for i, v := range append([]string{k}, vs...) {
			if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
				loc := []any{k}
				if i > 0 {
					loc = []any{k, i - 1}
				}
				if !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
					loc = []any{"query"}
				}
				return r, latchkey.Invalid(loc, "value_error.str", "The query contains a NUL character or text that is not valid UTF-8.")
			}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), queryKey{}, q)), nil
}

// page reads page[number] and page[size]. The validator has already checked
// their ranges; this repeats the check so no handler depends on it.
func page(r *http.Request, defaultSize int) (latchkey.Page, error) {
	q := query(r)
	p := latchkey.Page{Number: 1, Size: defaultSize}
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"page[number]", &p.Number, 1, 1 << 30}, {"page[size]", &p.Size, 1, latchkey.MaxPageSize}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, latchkey.Invalid([]any{f.name}, "type_error.integer", "value is not a valid integer")
		}
		if n < f.min || n > f.max {
			return p, &latchkey.Error{Code: latchkey.EInvalid,
				Message: "page[number] must be at least 1 and page[size] between 1 and 100",
				Meta: &latchkey.ValidationMeta{Loc: []any{f.name}, Msg: "ensure this value is between " + strconv.Itoa(f.min) + " and " + strconv.Itoa(f.max),
					Type: "value_error.number.not_in_range", Ctx: map[string]any{"ge": f.min, "le": f.max}}}
		}
		*f.dst = n
	}
	if after := q.Get("page[after]"); after != "" {
		if !isUUID(after) {
			return p, latchkey.Invalid([]any{"page[after]"}, "value_error.uuid", "value is not a valid uuid; follow links.next rather than building this")
		}
		p.After = after
	}
	return p, nil
}

// isUUID reports whether s is a UUID in the lower-case form ids take.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case (c < '0' || c > '9') && (c < 'a' || c > 'f'):
			return false
		}
	}
	return true
}

// list reads a comma-separated filter, dropping empty entries.
func commaList(r *http.Request, name string) []string {
	var out []string
	for _, v := range query(r)[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
