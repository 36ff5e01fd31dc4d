// Package scimtest is a SCIM 2.0 service provider for tests: the real
// protocol server of github.com/elimity-com/scim over an in-memory store
// of Users and Groups, behind a bearer-token check, served on loopback.
//
// It stands in for the application both in the SCIM connector's own tests
// and in end-to-end tests of the jobs that drive the connector. A test
// seeds it (AddGroup, AddUser), gives URL and the token to the connector,
// and reads back what the application ends up holding (Users) and what
// was asked of it (Requests). Faults come from Options fixed at Start, a
// Hook set at any time (Fail, Slow, or the test's own), and Close.
//
// The store does what the connector relies on real providers doing:
// userName is unique case-insensitively, deleting a user drops their
// memberships, PUT honours If-Match against the ETag every resource
// carries, and PATCH adds and removes group members.
package scimtest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	elimity "github.com/elimity-com/scim"
	"github.com/elimity-com/scim/schema"
)

// Provider is a running SCIM service provider. Its methods are safe for
// concurrent use, hooks included.
type Provider struct {
	// URL is the SCIM base URL to configure the connector with, e.g.
	// http://127.0.0.1:41234/scim/v2; /Users and /Groups are under it.
	URL string

	mem     *memory
	token   string
	scim    http.Handler
	noPatch int // the status PATCH is refused with; 0 when it is served
	stop    func()

	mu       sync.Mutex
	hook     Hook
	requests []Request
}

// Option adjusts the provider before it starts.
type Option func(*options)

type options struct {
	maxResults int
	noPatch    int
}

// WithMaxResults caps every list page at n resources, whatever count the
// client asks for, as providers are allowed to (RFC 7644 §3.4.2.4). The
// default cap is the SCIM server's, 100.
func WithMaxResults(n int) Option { return func(o *options) { o.maxResults = n } }

// WithoutPatch makes the provider refuse PATCH with status, which should
// be 501 or 405, the two ways providers without PATCH answer it. It also
// says so in /ServiceProviderConfig.
func WithoutPatch(status int) Option { return func(o *options) { o.noPatch = status } }

// Hook sees every request before the provider serves it. It answers the
// request itself by returning true; returning false lets it through.
type Hook func(w http.ResponseWriter, r *http.Request) (handled bool)

// Request is what the provider recorded of one request it received,
// including those a hook answered or the token check refused.
type Request struct {
	Method string
	Path   string // e.g. /scim/v2/Groups/g-2
	Query  url.Values
}

// User is one user the provider holds.
type User struct {
	// UserName is the SCIM userName, which the connector sets to the
	// person's email address.
	UserName string
	// Groups are the displayNames of the groups listing the user as a
	// member, sorted: the user's entitlements, to the connector.
	Groups []string
}

// Start serves a provider that accepts only "Bearer "+token, on loopback,
// until the test ends. It starts empty.
func Start(t testing.TB, token string, opts ...Option) *Provider {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	mem := newMemory()
	server, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{
			AuthenticationSchemes: []elimity.AuthenticationScheme{{
				Type: elimity.AuthenticationTypeOauthBearerToken, Name: "Bearer token", Primary: true,
			}},
			MaxResults:       o.maxResults,
			SupportFiltering: true,
			SupportPatch:     o.noPatch == 0,
		},
		ResourceTypes: []elimity.ResourceType{
			{
				Name: "User", Endpoint: "/Users", Schema: schema.CoreUserSchema(),
				Handler: handler{mem: mem, table: func(m *memory) map[string]*record { return m.users }, prefix: "u", unique: "userName"},
			},
			{
				Name: "Group", Endpoint: "/Groups", Schema: schema.CoreGroupSchema(),
				Handler: handler{mem: mem, table: func(m *memory) map[string]*record { return m.groups }, prefix: "g"},
			},
		},
	})
	if err != nil {
		t.Fatalf("starting the SCIM server: %v", err)
	}
	// The server answers under /v2; it is mounted under /scim/v2, as
	// applications usually do, so that a client joining paths wrongly
	// is caught.
	p := &Provider{mem: mem, token: token, scim: http.StripPrefix("/scim", server), noPatch: o.noPatch}

	// Every request's context derives from ctx, which Close cancels
	// first: a hook holding a request (Slow) then lets go of it, and
	// srv.Close, which waits for the requests in flight, does not hang.
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	p.URL = srv.URL + "/scim/v2"
	p.stop = sync.OnceFunc(func() {
		cancel()
		srv.Close()
	})
	t.Cleanup(p.stop)
	return p
}

// Close takes the provider down as an application that went away: the
// requests in flight are dropped unanswered and new ones are refused a
// connection. What it held stays readable. Start's cleanup calls it too.
func (p *Provider) Close() { p.stop() }

// AddGroup adds a group, which the connector offers as the entitlement
// name, and returns its id.
func (p *Provider) AddGroup(name string) string {
	p.mem.mu.Lock()
	defer p.mem.mu.Unlock()
	return p.mem.put(p.mem.groups, "g", map[string]any{"displayName": name, "members": []any{}}).id
}

// AddUser adds a user with email as userName, a member of the groups
// named, and returns their id. A userName already taken or a group that
// does not exist is a mistake in the test, and panics.
func (p *Provider) AddUser(email string, groups ...string) string {
	p.mem.mu.Lock()
	defer p.mem.mu.Unlock()
	if p.mem.userByName(email) != nil {
		panic(fmt.Sprintf("scimtest: user %q exists", email))
	}
	id := p.mem.put(p.mem.users, "u", map[string]any{"userName": email}).id
	p.mem.join(id, groups)
	return id
}

// Join adds the user to the groups named, as another client of the
// application would, for instance from a hook between two requests of
// the connector. Like AddUser, it panics on an unknown user or group.
func (p *Provider) Join(email string, groups ...string) {
	p.mem.mu.Lock()
	defer p.mem.mu.Unlock()
	u := p.mem.userByName(email)
	if u == nil {
		panic(fmt.Sprintf("scimtest: no user %q", email))
	}
	p.mem.join(u.id, groups)
}

// Users returns every user the provider holds, sorted by UserName.
func (p *Provider) Users() []User { return p.mem.snapshot() }

// Requests returns the requests received so far, in the order they came.
func (p *Provider) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// SetHook makes h see every request from now on; nil removes the hook.
func (p *Provider) SetHook(h Hook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hook = h
}

// Fail returns a hook that answers every request with a SCIM error
// (RFC 7644 §3.12). scimType may be empty.
func Fail(status int, scimType, detail string) Hook {
	return func(w http.ResponseWriter, r *http.Request) bool {
		drain(r)
		writeError(w, status, scimType, detail)
		return true
	}
}

// Slow returns a hook that holds every request for d before letting it
// through. A request whose client gives up first, or that is still held
// when the provider closes, is dropped without an answer.
func Slow(d time.Duration) Hook {
	return func(w http.ResponseWriter, r *http.Request) bool {
		// Read the body now and serve it from memory later: until the
		// body is read, net/http does not watch the connection, so the
		// request's context would not end when the client gives up.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			return false
		case <-r.Context().Done():
			// Aborting closes the connection with no response, which
			// is what a client still waiting should see of a provider
			// that went away; an empty 200 would look like a bad answer.
			panic(http.ErrAbortHandler)
		}
	}
}

// serve is the HTTP face of the provider: it records the request, lets
// the hook have it, then checks the token and the media type in front of
// the SCIM server, which checks neither.
func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	hook := p.hook
	p.requests = append(p.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()})
	p.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	auth := r.Header.Get("Authorization")
	if subtle.ConstantTimeCompare([]byte(auth), []byte("Bearer "+p.token)) != 1 {
		drain(r)
		writeError(w, http.StatusUnauthorized, "", "The bearer token is not valid.")
		return
	}
	if r.ContentLength != 0 && r.Header.Get("Content-Type") != "application/scim+json" {
		drain(r)
		writeError(w, http.StatusUnsupportedMediaType, "", "Send application/scim+json.")
		return
	}
	if r.Method == http.MethodPatch && p.noPatch != 0 {
		drain(r)
		writeError(w, p.noPatch, "", "PATCH is not supported.")
		return
	}
	p.scim.ServeHTTP(w, r)
}

// writeError answers with a SCIM error body (RFC 7644 §3.12).
func writeError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":   strconv.Itoa(status),
		"scimType": scimType,
		"detail":   detail,
	})
}

// drain reads and discards a request body so that an answer given before
// the body is read does not leave the client writing into a connection
// the server is about to close, where it may see a reset, not the answer.
func drain(r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }
