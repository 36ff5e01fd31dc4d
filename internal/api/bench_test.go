package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/server"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// BenchmarkGetAccount is one whole GET /api/v1/accounts/{id} with an API
// key, in process (no network): authentication, rate limits, the account
// read with its visibility check, and encoding. It bounds what T1 of the
// load harness can reach.
func BenchmarkGetAccount(b *testing.B) {
	benchRequest(b, func(id string) string { return "/api/v1/accounts/" + id })
}

// BenchmarkReadPassword is one GET …/secrets?filter[secretType]=password:
// the same plus a decryption and a durable activity record (T3).
func BenchmarkReadPassword(b *testing.B) {
	benchRequest(b, func(id string) string { return "/api/v1/accounts/" + id + "/secrets?filter[secretType]=password" })
}

func benchRequest(b *testing.B, path func(id string) string) {
	s := servertest.Start(b, testdb.SQLite(b), servertest.WithLogLevel("error"))
	ws := s.Workspace(b, "acme")
	owner := ws.User("o@acme.example", latchkey.RoleOwner)
	key := ws.APIKey(owner, latchkey.ScopeReadAccounts)
	app, label, pw := "twitter", "bench", "bench-password"
	a, err := s.Service.CreateAccount(ws.Operator(), core.AccountInput{Application: &app, Label: &label, Password: &pw, OwnerID: owner})
	if err != nil {
		b.Fatal(err)
	}
	h, err := server.Handler(s.Config, s.App, s.App.Log)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path(a.ID), nil)
	req.Header.Set("X-API-Key", key)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req.Clone(req.Context()))
			if w.Code != http.StatusOK {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
}
