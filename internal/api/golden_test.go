package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins the JSON of every operation. The same files hold for
// SQLite and PostgreSQL. Ids, times and credentials vary per run, so they
// are replaced by stable names before comparing.
func TestGolden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		f := newFixture(t, cfg)
		g := &golden{t: t, names: map[string]string{
			f.owner: "<user:owner>", f.admin: "<user:admin>", f.member: "<user:member>", f.ws.ID: "<workspace>",
		}}
		owner, key, admin := servertest.Bearer(f.ownerToken), servertest.Key(f.ownerKey), servertest.Bearer(f.adminToken)
		vault := f.defaultVault(t)
		g.names[vault] = "<vault:default>"

		g.check("accounts.create", f.do(t, owner, "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
			"application": "twitter", "label": "Acme on X", "username": "acme", "email": "social@acme.example", "url": "https://x.com/login",
			"password": "golden-password", "totp": testSeed, "meta": map[string]any{"region": "emea"}}}}), 201)
		acc := g.lastID("<account:x>")
		f.createAccount(t, owner, map[string]any{"application": "mailchimp", "label": "Newsletter"})
		g.names[g.idAt(f.do(t, key, "GET", "/api/v1/accounts", nil), 1)] = "<account:mailchimp>"
		g.check("accounts.list", f.do(t, key, "GET", "/api/v1/accounts?page[size]=1&filter[application]=twitter,mailchimp", nil), 200)
		g.check("accounts.get", f.do(t, key, "GET", "/api/v1/accounts/"+acc, nil), 200)
		g.check("accounts.update", f.do(t, owner, "PATCH", "/api/v1/accounts/"+acc, map[string]any{"data": map[string]any{"attributes": map[string]any{"label": "Acme on X (main)", "passwordVisible": true}}}), 200)
		g.check("accounts.secrets", f.do(t, key, "GET", "/api/v1/accounts/"+acc+"/secrets?filter[secretType]=password", nil), 200)
		g.check("accounts.totp", f.do(t, key, "GET", "/api/v1/accounts/"+acc+"/totp", nil), 200)

		g.check("secrets.create", f.do(t, key, "POST", "/api/v1/secrets", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"vaultId": vault, "title": "Office Wi-Fi", "requiresIdentityChallenge": false, "category": "text",
			"body": map[string]any{"type": "plaintext", "value": "golden-secret-body"}, "expiresAt": nil}}}), 201)
		sec := g.lastID("<secret:wifi>")
		g.check("secrets.list", f.do(t, key, "GET", "/api/v1/secrets", nil), 200)
		g.check("secrets.get", f.do(t, key, "GET", "/api/v1/secrets/"+sec, nil), 200)
		g.check("secrets.update", f.do(t, owner, "PATCH", "/api/v1/secrets/"+sec, map[string]any{"data": map[string]any{"attributes": map[string]any{
			"body": map[string]any{"type": "plaintext", "value": "golden-secret-body-2"}}}}), 200)
		g.check("secrets.members.add", f.do(t, key, "POST", "/api/v1/secrets/"+sec+"/members/users", map[string]any{"data": map[string]any{
			"id": f.admin, "type": "users", "attributes": map[string]any{"role": "secret_collaborator", "message": "Welcome"}}}), 201)
		g.check("secrets.members.list", f.do(t, key, "GET", "/api/v1/secrets/"+sec+"/members/users", nil), 200)
		g.check("secrets.members.remove", f.do(t, key, "DELETE", "/api/v1/secrets/"+sec+"/members/users/"+f.admin, nil), 204)

		g.check("vaults.create", f.do(t, admin, "POST", "/api/v1/vaults", map[string]any{"data": map[string]any{"type": "vault", "attributes": map[string]any{"name": "Marketing"}}}), 201)
		mv := g.lastID("<vault:marketing>")
		g.check("vaults.list", f.do(t, key, "GET", "/api/v1/vaults", nil), 200)
		g.check("vaults.get", f.do(t, admin, "GET", "/api/v1/vaults/"+mv, nil), 200)
		g.check("vaults.update", f.do(t, admin, "PATCH", "/api/v1/vaults/"+mv, map[string]any{"data": map[string]any{"attributes": map[string]any{"state": "disabled"}}}), 200)

		g.check("apikeys.create", f.do(t, admin, "POST", "/api/v1/api-keys", map[string]any{"data": map[string]any{"type": "api_key", "attributes": map[string]any{
			"name": "ci", "expiration": "never", "scopes": []string{"Read accounts", "read:vaults"}}}}), 201)
		k := g.lastID("<apikey:ci>")
		g.check("apikeys.list", f.do(t, admin, "GET", "/api/v1/api-keys", nil), 200)
		g.check("apikeys.update", f.do(t, admin, "PATCH", "/api/v1/api-keys/"+k, map[string]any{"data": map[string]any{"attributes": map[string]any{"name": "ci-renamed"}}}), 200)
		g.check("apikeys.delete", f.do(t, admin, "DELETE", "/api/v1/api-keys/"+k, nil), 204)
		g.check("apikeys.get", f.do(t, admin, "GET", "/api/v1/api-keys/"+k, nil), 200)

		g.check("me", f.do(t, admin, "GET", "/api/v1/me", nil), 200)
		g.check("activities.list", f.do(t, key, "GET", "/api/v1/activities?page[size]=3&filter[resource]="+acc, nil), 200)
		g.check("token.refresh", f.do(t, servertest.Bearer(f.memberToken), "POST", "/api/v1/auth/token", nil), 201)

		g.check("accounts.delete", f.do(t, owner, "DELETE", "/api/v1/accounts/"+acc, nil), 204)
		g.check("error.not_found", f.do(t, key, "GET", "/api/v1/accounts/"+acc, nil), 404)
		g.check("error.unauthorized", f.do(t, servertest.Credential{}, "GET", "/api/v1/accounts", nil), 401)
		g.check("error.validation", f.do(t, owner, "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{"attributes": map[string]any{"application": "x"}}}), 400)
		g.check("error.forbidden", f.do(t, servertest.Bearer(f.guestToken), "GET", "/api/v1/vaults", nil), 403)
	})
}

type golden struct {
	t     *testing.T
	names map[string]string // real id → stable name
	last  []byte
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00`)
	credRE = regexp.MustCompile(`lkt?_[0-9A-Za-z]+`)
)

// check compares a response with testdata/golden/NAME.json.
func (g *golden) check(name string, r *servertest.Response, status int) {
	t := g.t
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", name, r.Status, status, r.Body)
	}
	g.last = r.Body
	got := []byte("HTTP " + strconv.Itoa(status) + "\n")
	if len(r.Body) > 0 {
		got = append(got, g.normalize(r.Body)...)
	}
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test -run TestGolden -update to create it)", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// lastID names the id of the last response's data.
func (g *golden) lastID(name string) string {
	var doc struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := json.Unmarshal(g.last, &doc); err != nil || doc.Data.ID == "" {
		g.t.Fatalf("no data.id in %s", g.last)
	}
	g.names[doc.Data.ID] = name
	return doc.Data.ID
}

func (g *golden) idAt(r *servertest.Response, i int) string {
	var doc struct {
		Data []struct{ ID string } `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil || len(doc.Data) <= i {
		g.t.Fatalf("no data[%d] in %s", i, r.Body)
	}
	return doc.Data[i].ID
}

// normalize pretty-prints a body with names for ids and placeholders for
// what varies between runs.
func (g *golden) normalize(body []byte) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		g.t.Fatalf("not JSON: %s", body)
	}
	v = g.walk("", v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		g.t.Fatal(err)
	}
	return out.Bytes()
}

func (g *golden) walk(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x[k] = g.walk(k, x[k])
		}
		return x
	case []any:
		for i := range x {
			x[i] = g.walk(key, x[i])
		}
		return x
	case string:
		switch key {
		case "code":
			if regexp.MustCompile(`^\d{6,8}$`).MatchString(x) {
				return "<totp-code>"
			}
		case "hint":
			return "<hint>"
		case "clientAddress":
			return "<address>"
		}
		x = credRE.ReplaceAllString(x, "<credential>")
		x = timeRE.ReplaceAllString(x, "<time>")
		return uuidRE.ReplaceAllStringFunc(x, func(id string) string {
			if n, ok := g.names[id]; ok {
				return n
			}
			return "<uuid>"
		})
	case float64:
		if key == "expiresIn" {
			return "<seconds>"
		}
	}
	return v
}
