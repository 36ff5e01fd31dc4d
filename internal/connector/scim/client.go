package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	mediaType = "application/scim+json"
	// maxBody bounds what is read of one response, so that a misbehaving
	// provider cannot make the job engine hold an unbounded body.
	maxBody = 32 << 20
)

// request is one SCIM call. Path is relative to the base URL and already
// escaped.
type request struct {
	method  string
	path    string
	query   url.Values
	body    any
	ifMatch string // ETag the resource must still have (RFC 7644 §3.14)
}

// response is what the callers need besides the decoded body.
type response struct {
	status int
	etag   string
}

// statusError is a non-2xx answer. Detail is already cut to size and
// scrubbed of the token.
type statusError struct {
	status   int
	scimType string
	detail   string
}

func (e *statusError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.status)
	if e.scimType != "" {
		s += " (" + e.scimType + ")"
	}
	if e.detail != "" {
		s += ": " + e.detail
	}
	return s
}

// decodeError is a 2xx answer whose body is not the JSON asked for.
type decodeError struct{ err error }

func (e *decodeError) Error() string {
	return "the answer is not the SCIM JSON expected: " + e.err.Error()
}

func (e *decodeError) Unwrap() error { return e.err }

// send makes one request and decodes a 2xx body into out (when out is not
// nil). It returns a *statusError for a non-2xx answer, a *decodeError for
// an unreadable 2xx body, and the transport's error otherwise (network,
// timeout, cancellation).
func (c *Client) send(ctx context.Context, req request, out any) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	target := c.base + req.path
	if len(req.query) > 0 {
		// Encode writes spaces as '+', which some providers read
		// literally in a filter; %20 means a space to all of them. A
		// literal '+' is already %2B, so the replacement is safe.
		target += "?" + strings.ReplaceAll(req.query.Encode(), "+", "%20")
	}
	var body io.Reader
	if req.body != nil {
		data, err := json.Marshal(req.body)
		if err != nil {
			return response{}, fmt.Errorf("scim: encoding the request: %w", err)
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return response{}, err
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("Accept", mediaType+", application/json")
	if req.body != nil {
		hr.Header.Set("Content-Type", mediaType)
	}
	if req.ifMatch != "" {
		hr.Header.Set("If-Match", req.ifMatch)
	}

	res, err := c.http.Do(hr)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return response{}, err
	}
	r := response{status: res.StatusCode, etag: res.Header.Get("ETag")}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return r, c.statusError(res.StatusCode, data)
	}
	if out != nil && res.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return r, &decodeError{err: err}
		}
	}
	return r, nil
}

// maxDetail is how much of a provider's error detail goes into a message.
const maxDetail = 300

func (c *Client) statusError(status int, body []byte) *statusError {
	e := &statusError{status: status}
	var er errorResponse
	if json.Unmarshal(body, &er) == nil {
		e.scimType = c.clean(er.ScimType, 40)
		e.detail = c.clean(er.Detail, maxDetail)
	}
	return e
}

// clean makes text from the provider fit for a message: the token removed
// in case the provider echoes the request back, whitespace collapsed, and
// cut to at most n runes.
func (c *Client) clean(s string, n int) string {
	s = strings.ReplaceAll(s, c.token, "[redacted]")
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

// resource is what listAll needs of a SCIM resource: its id, to drop the
// duplicates a list that changes while it is paged through can show.
type resource interface{ resourceID() string }

// listAll pages through a collection with startIndex and count until
// totalResults is reached. It steps by what the provider returned, which
// may be fewer than the count asked for (RFC 7644 §3.4.2.4 lets it cap).
func listAll[T resource](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	var all []T
	seen := map[string]bool{}
	for start := 1; ; {
		query.Set("startIndex", strconv.Itoa(start))
		query.Set("count", strconv.Itoa(c.pageSize))
		var page listResponse[T]
		if _, err := c.send(ctx, request{method: http.MethodGet, path: path, query: query}, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Resources {
			if id := r.resourceID(); !seen[id] {
				seen[id] = true
				all = append(all, r)
			}
		}
		start += len(page.Resources)
		if len(page.Resources) == 0 || start > page.TotalResults {
			return all, nil
		}
	}
}

// isStatus reports whether err is an answer with one of the statuses.
func isStatus(err error, statuses ...int) bool {
	var se *statusError
	if !errors.As(err, &se) {
		return false
	}
	for _, s := range statuses {
		if se.status == s {
			return true
		}
	}
	return false
}
