package webhook_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// testSecret is what Latchkey and the application share in these tests.
var testSecret = []byte("s3cret-shared-by-latchkey-and-app")

// app is an application implementing the receiving side of the protocol
// from docs/connectors/webhook.md. Its wire types are its own, written
// from the page rather than shared with the connector, so that a
// connector drifting from the documented format fails here.
type app struct {
	secret   []byte
	seats    int // 0: unlimited
	pageSize int // users.list page size; 0: everything at once

	mu    sync.Mutex
	users map[string]appUser // by lowercased email
	calls []appCall
}

type appUser struct {
	Email        string         `json:"email"`
	FirstName    string         `json:"firstName"`
	LastName     string         `json:"lastName"`
	Entitlements []string       `json:"entitlements"`
	Fields       map[string]any `json:"fields,omitempty"`
}

// appCall is what the application saw of one verified call.
type appCall struct {
	Operation      string
	ID             string
	IdempotencyKey string
	Cursor         string
}

type appEntitlement struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Group string `json:"group"`
}

var appEntitlements = []appEntitlement{
	{"ADMIN", "Administrator", "primary"},
	{"MEMBER", "Member", "primary"},
	{"BILLING", "Billing manager", "secondary"},
}

func newApp(t *testing.T, seats, pageSize int) (*app, *httptest.Server) {
	t.Helper()
	a := &app{secret: testSecret, seats: seats, pageSize: pageSize, users: map[string]appUser{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *app) seen() []appCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.calls)
}

func (a *app) user(email string) (appUser, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[strings.ToLower(email)]
	return u, ok
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		appError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "POST only")
		return
	}
	body, err := webhook.Verify(a.secret, r, time.Minute)
	if err != nil {
		appError(w, http.StatusUnauthorized, "Unauthorized", err.Error())
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		appError(w, http.StatusUnsupportedMediaType, "BadRequest", "Content-Type is "+ct)
		return
	}
	var req struct {
		Operation string          `json:"operation"`
		ID        string          `json:"id"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.ID == "" || len(req.Data) == 0 {
		appError(w, http.StatusBadRequest, "BadRequest", "not a webhook call")
		return
	}
	if key := r.Header.Get(webhook.HeaderIdempotencyKey); key != req.ID {
		appError(w, http.StatusBadRequest, "BadRequest", "Idempotency-Key differs from the id")
		return
	}
	var data struct {
		Cursor       string    `json:"cursor"`
		Email        string    `json:"email"`
		FirstName    string    `json:"firstName"`
		LastName     string    `json:"lastName"`
		Entitlements *[]string `json:"entitlements"`
	}
	if err := json.Unmarshal(req.Data, &data); err != nil {
		appError(w, http.StatusBadRequest, "BadRequest", "data: "+err.Error())
		return
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, appCall{Operation: req.Operation, ID: req.ID, IdempotencyKey: r.Header.Get(webhook.HeaderIdempotencyKey), Cursor: data.Cursor})
	key := strings.ToLower(data.Email)

	switch req.Operation {
	case "entitlements.list":
		appJSON(w, http.StatusOK, map[string]any{"entitlements": appEntitlements})

	case "users.list":
		emails := make([]string, 0, len(a.users))
		for k := range a.users {
			emails = append(emails, k)
		}
		sort.Strings(emails)
		// The cursor is the last email of the previous page: opaque to
		// Latchkey, which only sends it back.
		start := sort.SearchStrings(emails, data.Cursor)
		if data.Cursor != "" && start < len(emails) && emails[start] == data.Cursor {
			start++
		}
		end := len(emails)
		if a.pageSize > 0 && start+a.pageSize < end {
			end = start + a.pageSize
		}
		page := []appUser{}
		for _, k := range emails[start:end] {
			page = append(page, a.users[k])
		}
		out := map[string]any{"users": page}
		if end < len(emails) {
			out["next"] = emails[end-1]
		}
		appJSON(w, http.StatusOK, out)

	case "users.invite":
		if data.Entitlements == nil {
			appError(w, http.StatusBadRequest, "BadRequest", "entitlements missing")
			return
		}
		if _, ok := a.users[key]; ok {
			appError(w, http.StatusConflict, "UserAlreadyExists", data.Email+" is already a member")
			return
		}
		if !a.checkEntitlements(w, *data.Entitlements) {
			return
		}
		if a.seats > 0 && len(a.users) >= a.seats {
			appError(w, http.StatusPaymentRequired, "NotEnoughSeats", fmt.Sprintf("all %d seats of the plan are taken", a.seats))
			return
		}
		u := appUser{Email: data.Email, FirstName: data.FirstName, LastName: data.LastName,
			Entitlements: *data.Entitlements, Fields: map[string]any{"invitedBy": "latchkey"}}
		a.users[key] = u
		appJSON(w, http.StatusCreated, map[string]any{"user": u})

	case "users.set_entitlements":
		u, ok := a.users[key]
		if !ok {
			appError(w, http.StatusNotFound, "UserNotFound", "no user "+data.Email)
			return
		}
		if data.Entitlements == nil {
			appError(w, http.StatusBadRequest, "BadRequest", "entitlements missing")
			return
		}
		if !a.checkEntitlements(w, *data.Entitlements) {
			return
		}
		u.Entitlements = *data.Entitlements
		a.users[key] = u
		appJSON(w, http.StatusOK, map[string]any{})

	case "users.remove":
		if _, ok := a.users[key]; !ok {
			appError(w, http.StatusNotFound, "UserNotFound", "no user "+data.Email)
			return
		}
		delete(a.users, key)
		w.WriteHeader(http.StatusNoContent)

	default:
		appError(w, http.StatusBadRequest, "UnknownOperation", req.Operation)
	}
}

func (a *app) checkEntitlements(w http.ResponseWriter, keys []string) bool {
	for _, k := range keys {
		if !slices.ContainsFunc(appEntitlements, func(e appEntitlement) bool { return e.Key == k }) {
			appJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]string{
				"type": "UnknownEntitlement", "message": "no such role", "entitlement": k,
			}})
			return false
		}
	}
	return true
}

func appJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func appError(w http.ResponseWriter, status int, typ, msg string) {
	appJSON(w, status, map[string]any{"error": map[string]string{"type": typ, "message": msg}})
}
