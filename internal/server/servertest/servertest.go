// Package servertest starts a real Latchkey server for black-box tests: a
// migrated store on the engine the test names, the full HTTP handler on
// 127.0.0.1:0, and helpers to bootstrap workspaces, users and credentials
// through core as the operator would.
package servertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/server"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// Server is a running server and what the test needs to drive it.
type Server struct {
	URL     string
	App     *server.App
	Config  server.Config
	Logs    *SyncBuffer // everything the server logged
	Service *core.Service

	jobs bool // runs job workers; its replicas do too
}

// Option adjusts the server before it starts.
type Option func(*options)

type options struct {
	cfg  server.Config
	open []server.Option
	jobs bool
}

// WithJobs starts the job workers with cfg; zero fields get values fit for
// tests (a first retry after 100 ms, three attempts).
func WithJobs(cfg server.JobsConfig) Option {
	if cfg.Backoff == 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	return func(o *options) { o.cfg.Jobs, o.jobs = cfg, true }
}

// WithRateLimit sets the per-credential limit (tests run unlimited otherwise).
func WithRateLimit(n int) Option { return func(o *options) { o.cfg.RateLimit = n } }

// WithLogLevel sets how much the server logs (debug otherwise).
func WithLogLevel(level string) Option { return func(o *options) { o.cfg.LogLevel = level } }

// WithClock makes the server read time from a clock the test moves.
func WithClock(c *Clock) Option {
	return func(o *options) { o.open = append(o.open, server.WithClock(c.Now)) }
}

// Clock is a settable clock, safe for concurrent use. It starts at the
// real time.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now is the real time plus every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// Start opens the store cfg names and serves it until the test ends.
func Start(t testing.TB, cfg store.Config, opts ...Option) *Server {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	o := options{cfg: server.Defaults()}
	o.cfg.DataDir, o.cfg.DatabaseURL = cfg.DataDir, cfg.DatabaseURL
	o.cfg.MasterKey = base64.StdEncoding.EncodeToString(key)
	o.cfg.RateLimit = 0
	o.cfg.LogLevel = "debug"
	for _, opt := range opts {
		opt(&o)
	}
	c := o.cfg
	logs := &SyncBuffer{}
	log, err := c.Logger(logs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	app, err := server.Open(ctx, c, log, o.open...)
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	h, err := server.Handler(c, app, log)
	if err != nil {
		app.Close()
		t.Fatalf("build handler: %v", err)
	}
	if o.jobs {
		if err := app.StartJobs(ctx); err != nil {
			app.Close()
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		app.Close()
	})
	return &Server{URL: ts.URL, App: app, Config: c, Logs: logs, Service: app.Service, jobs: o.jobs}
}

// Replica starts a second server on the same store with the same key, as
// another replica or process would be.
func (s *Server) Replica(t testing.TB) *Server {
	t.Helper()
	logs := &SyncBuffer{}
	log, err := s.Config.Logger(logs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	app, err := server.Open(ctx, s.Config, log)
	if err != nil {
		t.Fatalf("open replica: %v", err)
	}
	h, err := server.Handler(s.Config, app, log)
	if err != nil {
		app.Close()
		t.Fatal(err)
	}
	if s.jobs {
		if err := app.StartJobs(ctx); err != nil {
			app.Close()
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		app.Close()
	})
	return &Server{URL: ts.URL, App: app, Config: s.Config, Logs: logs, Service: app.Service, jobs: s.jobs}
}

// Workspace is a workspace made for a test.
type Workspace struct {
	ID, Name string
	s        *Server
	t        testing.TB
	op       context.Context
}

// Workspace creates a workspace.
func (s *Server) Workspace(t testing.TB, name string) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := s.Service.CreateWorkspace(ctx, name, 0)
	if err != nil {
		t.Fatalf("create workspace %s: %v", name, err)
	}
	op, err := s.Service.OperatorContext(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return &Workspace{ID: w.ID, Name: w.Name, s: s, t: t, op: op}
}

// Operator returns a context acting as the operator in the workspace.
func (w *Workspace) Operator() context.Context { return w.op }

// User adds a live member with the role and returns their id.
func (w *Workspace) User(email string, role latchkey.Role) string {
	w.t.Helper()
	u, err := w.s.Service.CreateUser(w.op, core.UserInput{Email: email, FirstName: strings.Split(email, "@")[0], LastName: "Test", Role: role, Status: latchkey.UserLive})
	if err != nil {
		w.t.Fatalf("create user %s: %v", email, err)
	}
	return u.ID
}

// Token issues a bearer token for a member.
func (w *Workspace) Token(userID string) string {
	w.t.Helper()
	tok, _, err := w.s.Service.IssueToken(w.op, userID, 0)
	if err != nil {
		w.t.Fatalf("issue token: %v", err)
	}
	return tok
}

// APIKey issues a key that never expires with the given scopes. The user
// must be an admin when the key is made.
func (w *Workspace) APIKey(userID string, scopes ...latchkey.Scope) string {
	w.t.Helper()
	return w.APIKeyExpiring(userID, core.Expiry{Preset: "never"}, scopes...)
}

// APIKeyExpiring issues a key with the given expiry.
func (w *Workspace) APIKeyExpiring(userID string, exp core.Expiry, scopes ...latchkey.Scope) string {
	w.t.Helper()
	name := "test key " + randomSuffix()
	k, err := w.s.Service.CreateAPIKey(w.op, userID, core.APIKeyInput{Name: &name, Scopes: latchkey.NewScopeSet(scopes...).Strings(), Expiry: exp})
	if err != nil {
		w.t.Fatalf("create API key: %v", err)
	}
	return k.Secret
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Credential is how a request authenticates.
type Credential struct {
	APIKey string
	Token  string
}

// Key and Bearer build credentials.
func Key(k string) Credential    { return Credential{APIKey: k} }
func Bearer(t string) Credential { return Credential{Token: t} }

// Response is an answer read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response is not a JSON object (status %d): %v\n%s", r.Status, err, r.Body)
	}
	return v
}

// Do sends a request with an optional JSON body (a string or a value to
// marshal) and reads the answer.
func (s *Server) Do(t testing.TB, cred Credential, method, path string, body any, header ...string) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cred.APIKey != "" {
		req.Header.Set("X-API-Key", cred.APIKey)
	}
	if cred.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cred.Token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// SyncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// APIKeyMaybeDemoted issues a key for a member of any role: keys are made
// for admins, so the member is made an admin for the moment, then given
// role back. The key acts with the member's role from then on.
func (w *Workspace) APIKeyMaybeDemoted(userID string, role latchkey.Role, scopes ...latchkey.Scope) string {
	w.t.Helper()
	if !role.IsAdmin() {
		if err := w.s.Service.SetUserRole(w.op, userID, latchkey.RoleAdmin); err != nil {
			w.t.Fatal(err)
		}
		defer func() {
			if err := w.s.Service.SetUserRole(w.op, userID, role); err != nil {
				w.t.Fatal(err)
			}
		}()
	}
	return w.APIKey(userID, scopes...)
}
