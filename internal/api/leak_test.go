package api_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// TestSecretsStayInside plants a known password, TOTP seed and secret body,
// drives the API through every operation that touches them (and some bad
// requests carrying them), and then looks for them everywhere they must not
// be: the database, the logs, and every response except the reads meant to
// return them. The API key and token plaintexts get the same treatment: the
// store keeps their digests only.
func TestSecretsStayInside(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		f := newFixture(t, cfg)
		const (
			password = "Zq9LeakCheckPassword7731"
			body     = "Zq9LeakCheckSecretBody4412"
			newPass  = "Zq9LeakCheckPasswordTwo9902"
		)
		seedBytes := []byte("leak-check-seed-0123") // 20 bytes
		seed := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(seedBytes)
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)

		type exchange struct {
			what string
			resp *servertest.Response
		}
		var seen []exchange
		do := func(what string, cred servertest.Credential, method, path string, b any) *servertest.Response {
			r := f.do(t, cred, method, path, b)
			seen = append(seen, exchange{what, r})
			return r
		}

		r := do("create", owner, "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"application": "twitter", "label": "leak", "password": password, "totp": "otpauth://totp/X:acme?secret=" + seed + "&issuer=X"}}})
		acc := dig(t, r.JSON(t), "data", "id").(string)
		do("password read", key, "GET", "/api/v1/accounts/"+acc+"/secrets?filter[secretType]=password", nil)
		do("totp", key, "GET", "/api/v1/accounts/"+acc+"/totp", nil)
		do("get", key, "GET", "/api/v1/accounts/"+acc, nil)
		do("list", key, "GET", "/api/v1/accounts", nil)
		do("patch", owner, "PATCH", "/api/v1/accounts/"+acc, map[string]any{"data": map[string]any{"attributes": map[string]any{"password": newPass}}})
		do("password read", key, "GET", "/api/v1/accounts/"+acc+"/secrets?filter[secretType]=password", nil)
		// Bad requests that carry the secrets must not echo them.
		do("bad: unknown field", owner, "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"application": "twitter", "label": "x", "password": password, "colour": password}}})
		do("bad: missing label", owner, "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"application": "twitter", "password": password, "totp": seed}}})
		do("bad: password of the wrong type", owner, "PATCH", "/api/v1/accounts/"+acc, `{"data":{"attributes":{"password":["`+password+`"]}}}`)
		do("bad: seed rejected", owner, "PATCH", "/api/v1/accounts/"+acc, map[string]any{"data": map[string]any{"attributes": map[string]any{"totp": seed + "!"}}})
		do("bad: malformed JSON", owner, "PATCH", "/api/v1/accounts/"+acc, `{"data":{"attributes":{"password":"`+password)

		vault := f.defaultVault(t)
		r = do("create secret", key, "POST", "/api/v1/secrets", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"vaultId": vault, "title": "leak", "requiresIdentityChallenge": false, "category": "text",
			"body": map[string]any{"type": "plaintext", "value": body}}}})
		sec := dig(t, r.JSON(t), "data", "id").(string)
		do("secret read", key, "GET", "/api/v1/secrets/"+sec, nil)
		do("secrets list", key, "GET", "/api/v1/secrets", nil)
		do("bad: secret body type", key, "POST", "/api/v1/secrets", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"vaultId": vault, "title": "leak", "requiresIdentityChallenge": false, "category": "text",
			"body": map[string]any{"type": "html", "value": body}}}})
		do("activities", key, "GET", "/api/v1/activities?page[size]=100", nil)
		do("me", owner, "GET", "/api/v1/me", nil)

		// What each response may contain.
		allowed := map[string][]string{
			"password read": {password, newPass},
			"secret read":   {body},
		}
		needles := map[string][]byte{
			"password": []byte(password), "new password": []byte(newPass), "secret body": []byte(body),
			"TOTP seed (base32)": []byte(seed), "TOTP seed (raw)": seedBytes,
			"API key": []byte(f.ownerKey), "bearer token": []byte(f.ownerToken),
		}
		for _, x := range seen {
			for name, n := range needles {
				if !bytes.Contains(x.resp.Body, n) {
					continue
				}
				ok := false
				for _, a := range allowed[x.what] {
					ok = ok || a == string(n)
				}
				if !ok {
					t.Errorf("the %s appears in the response to %q: %s", name, x.what, x.resp.Body)
				}
			}
		}
		// The reads meant to return them did.
		for what, vals := range allowed {
			found := 0
			for _, x := range seen {
				for _, v := range vals {
					if x.what == what && bytes.Contains(x.resp.Body, []byte(v)) {
						found++
					}
				}
			}
			if found == 0 {
				t.Errorf("%s returned none of its values", what)
			}
		}

		f.s.Service.FlushKeyUsage()
		logs := f.s.Logs.String()
		if !strings.Contains(logs, `"msg":"request"`) {
			t.Fatal("the server logged no requests; the log check would prove nothing")
		}
		if !strings.Contains(logs, `"workspace":"acme"`) || !strings.Contains(logs, `"credential":"api_key"`) {
			t.Error("request log lines do not say whose request it was")
		}
		for name, n := range needles {
			if strings.Contains(logs, string(n)) {
				t.Errorf("the %s appears in the logs", name)
			}
		}

		var dump []byte
		if cfg.DatabaseURL == "" {
			dump = sqliteFiles(t, f.s.App.Store.Path())
		} else {
			dump = pgDump(t, cfg.DatabaseURL)
		}
		if !bytes.Contains(dump, []byte("twitter")) {
			t.Fatal("the dump does not even contain the application name; it is not the right database")
		}
		for name, n := range needles {
			for form, b := range map[string][]byte{"as is": n, "as hex": []byte(hex.EncodeToString(n))} {
				if bytes.Contains(dump, b) {
					t.Errorf("the %s appears %s in the database", name, form)
				}
			}
		}
	})
}

// sqliteFiles reads the database and its write-ahead log.
func sqliteFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatalf("no database at %s", path)
	}
	return all
}

// pgDump dumps the test's schema with pg_dump.
func pgDump(t *testing.T, databaseURL string) []byte {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := url.Values{}
	if s := u.Query().Get("sslmode"); s != "" {
		q.Set("sslmode", s)
	}
	u.RawQuery = q.Encode()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump is needed to check the PostgreSQL store: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--dbname="+u.String(), "--schema="+schema, "--data-only", "--inserts").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	return out
}
