// Package webhooktest is an application with a small admin API that speaks
// the webhook connector's protocol (docs/connectors/webhook.md), written as
// an application developer would: verify the signature, then act. Tests of
// the job engine provision into it and look at what it holds.
package webhooktest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// App is the application. Its entitlements are EDITOR, MEMBER and VIEWER.
type App struct {
	URL string // the endpoint to configure the connector with

	secret []byte
	delay  time.Duration

	mu       sync.Mutex
	users    map[string][]string // email → entitlements
	invites  int                 // users.invite calls received, accepted or not
	requests map[string]int      // Idempotency-Key → calls
}

// Option adjusts the application.
type Option func(*App)

// WithInviteDelay makes every invitation take d, as a slow application
// would, so a test can act while a batch is under way.
func WithInviteDelay(d time.Duration) Option { return func(a *App) { a.delay = d } }

// Start serves the application on loopback until the test ends.
func Start(t testing.TB, secret string, opts ...Option) *App {
	a := &App{secret: []byte(secret), users: map[string][]string{}, requests: map[string]int{}}
	for _, o := range opts {
		o(a)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	a.URL = srv.URL + "/latchkey"
	return a
}

// Entitlements returns what the application holds for email, sorted, and
// whether it has that person at all.
func (a *App) Entitlements(email string) ([]string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ents, ok := a.users[email]
	out := slices.Clone(ents)
	sort.Strings(out)
	return out, ok
}

// Users is how many people the application holds.
func (a *App) Users() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.users)
}

// Invites is how many invitations reached the application, repeats and
// refusals included.
func (a *App) Invites() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.invites
}

// Requests returns, per Idempotency-Key, how many calls carried it.
func (a *App) Requests() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int, len(a.requests))
	for k, v := range a.requests {
		out[k] = v
	}
	return out
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.Verify(a.secret, r, 5*time.Minute)
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var call struct {
		Operation string `json:"operation"`
		Data      struct {
			Email        string   `json:"email"`
			Entitlements []string `json:"entitlements"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &call); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if call.Operation == "users.invite" && a.delay > 0 {
		time.Sleep(a.delay)
	}
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(status int, typ string) {
		answer(status, map[string]any{"error": map[string]any{"type": typ, "message": typ}})
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests[r.Header.Get("Idempotency-Key")]++
	switch call.Operation {
	case "entitlements.list":
		ents := []any{}
		for _, key := range []string{"EDITOR", "MEMBER", "VIEWER"} {
			ents = append(ents, map[string]any{"key": key, "label": key, "group": "primary"})
		}
		answer(http.StatusOK, map[string]any{"entitlements": ents})
	case "users.list":
		users := []any{}
		for email, ents := range a.users {
			users = append(users, map[string]any{"email": email, "entitlements": ents})
		}
		answer(http.StatusOK, map[string]any{"users": users})
	case "users.invite":
		a.invites++
		if _, ok := a.users[call.Data.Email]; ok {
			fail(http.StatusConflict, "UserAlreadyExists")
			return
		}
		a.users[call.Data.Email] = call.Data.Entitlements
		answer(http.StatusOK, map[string]any{"user": map[string]any{"email": call.Data.Email, "entitlements": call.Data.Entitlements}})
	case "users.set_entitlements":
		if _, ok := a.users[call.Data.Email]; !ok {
			fail(http.StatusNotFound, "UserNotFound")
			return
		}
		a.users[call.Data.Email] = call.Data.Entitlements
		answer(http.StatusOK, map[string]any{})
	case "users.remove":
		delete(a.users, call.Data.Email)
		answer(http.StatusOK, map[string]any{})
	default:
		fail(http.StatusBadRequest, "UnknownOperation")
	}
}
