package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// fixture is a workspace with one member of each interesting role and
// credentials for them.
type fixture struct {
	s  *servertest.Server
	ws *servertest.Workspace

	owner, admin, member, guest, loginOnly string // user ids
	ownerToken, adminToken, memberToken    string
	guestToken, loginOnlyToken             string
	ownerKey                               string // every scope
}

func newFixture(t *testing.T, cfg store.Config, opts ...servertest.Option) *fixture {
	t.Helper()
	s := servertest.Start(t, cfg, opts...)
	ws := s.Workspace(t, "acme")
	f := &fixture{s: s, ws: ws}
	f.owner = ws.User("olivia@acme.example", latchkey.RoleOwner)
	f.admin = ws.User("ada@acme.example", latchkey.RoleAdmin)
	f.member = ws.User("uma@acme.example", latchkey.RoleUser)
	f.guest = ws.User("gus@partner.example", latchkey.RoleGuestUser)
	f.loginOnly = ws.User("lee@acme.example", latchkey.RoleLoginOnly)
	f.ownerToken = ws.Token(f.owner)
	f.adminToken = ws.Token(f.admin)
	f.memberToken = ws.Token(f.member)
	f.guestToken = ws.Token(f.guest)
	f.loginOnlyToken = ws.Token(f.loginOnly)
	f.ownerKey = ws.APIKey(f.owner, latchkey.AllScopes...)
	return f
}

// each runs fn against a fresh fixture on every engine.
func each(t *testing.T, fn func(t *testing.T, f *fixture), opts ...servertest.Option) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) { fn(t, newFixture(t, cfg, opts...)) })
}

func (f *fixture) do(t *testing.T, cred servertest.Credential, method, path string, body any, header ...string) *servertest.Response {
	t.Helper()
	return f.s.Do(t, cred, method, path, body, header...)
}

// must asserts the status and returns the decoded body.
func must(t *testing.T, r *servertest.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if status == 204 {
		return nil
	}
	return r.JSON(t)
}

// createAccount makes an account through the API as the credential's user.
func (f *fixture) createAccount(t *testing.T, cred servertest.Credential, attrs map[string]any) string {
	t.Helper()
	body := map[string]any{"data": map[string]any{"type": "account", "attributes": attrs}}
	doc := must(t, f.do(t, cred, "POST", "/api/v1/accounts", body), 201)
	return dig(t, doc, "data", "id").(string)
}

// createSecret makes a text secret in the default vault.
func (f *fixture) createSecret(t *testing.T, cred servertest.Credential, title, value string) string {
	t.Helper()
	vault := f.defaultVault(t)
	body := map[string]any{"data": map[string]any{"attributes": map[string]any{
		"vaultId": vault, "title": title, "requiresIdentityChallenge": false,
		"body": map[string]any{"type": "plaintext", "value": value}, "category": "text"}}}
	doc := must(t, f.do(t, cred, "POST", "/api/v1/secrets", body), 201)
	return dig(t, doc, "data", "id").(string)
}

func (f *fixture) defaultVault(t *testing.T) string {
	t.Helper()
	doc := must(t, f.do(t, servertest.Bearer(f.ownerToken), "GET", "/api/v1/vaults", nil), 200)
	for _, v := range dig(t, doc, "data").([]any) {
		if dig(t, v, "attributes", "isDefault") == true {
			return dig(t, v, "id").(string)
		}
	}
	t.Fatal("no default vault")
	return ""
}

// dig walks a decoded JSON value by keys and indexes.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	cur := v
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object: %v", path[:i], cur)
			}
			if cur, ok = m[k]; !ok {
				t.Fatalf("at %v: no key %q in %v", path[:i], k, m)
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: no index %d in %v", path[:i], k, cur)
			}
			cur = a[k]
		}
	}
	return cur
}

// errorOf returns the first error of an errors[] envelope.
func errorOf(t *testing.T, r *servertest.Response) map[string]any {
	t.Helper()
	doc := r.JSON(t)
	errs, ok := doc["errors"].([]any)
	if !ok || len(errs) == 0 {
		t.Fatalf("no errors[] in %s", r.Body)
	}
	e := errs[0].(map[string]any)
	if int(e["status"].(float64)) != r.Status {
		t.Errorf("errors[0].status = %v, HTTP status %d", e["status"], r.Status)
	}
	if e["code"] != e["title"] {
		t.Errorf("code %v and title %v differ", e["code"], e["title"])
	}
	return e
}

func locOf(t *testing.T, e map[string]any) string {
	t.Helper()
	meta, ok := e["meta"].(map[string]any)
	if !ok {
		t.Fatalf("validation error without meta: %v", e)
	}
	var parts []string
	for _, p := range meta["loc"].([]any) {
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ".")
}
