package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func TestAPIKeys(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		admin := servertest.Bearer(f.adminToken)
		create := func(cred servertest.Credential, attrs map[string]any) *servertest.Response {
			return f.do(t, cred, "POST", "/api/v1/api-keys", map[string]any{"data": map[string]any{"type": "api_key", "attributes": attrs}})
		}

		doc := must(t, create(admin, map[string]any{"name": "ci", "expiration": "1d", "scopes": []string{"Read accounts", "read:vaults"}}), 201)
		a := dig(t, doc, "data", "attributes").(map[string]any)
		secret := a["key"].(string)
		id := dig(t, doc, "data", "id").(string)
		if !strings.HasPrefix(secret, "lk_") || !strings.HasPrefix(secret, a["hint"].(string)) {
			t.Errorf("key %q, hint %q", secret, a["hint"])
		}
		if got := strings.Join(toStrings(a["scopes"]), ","); got != "read:items:accounts,read:vaults" {
			t.Errorf("scopes = %s", got)
		}
		exp, _ := time.Parse(time.RFC3339, a["expiresAt"].(string))
		if d := time.Until(exp); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("1d key expires in %v", d)
		}

		t.Run("the key works with its scopes only", func(t *testing.T) {
			must(t, f.do(t, servertest.Key(secret), "GET", "/api/v1/vaults", nil), 200)
			r := f.do(t, servertest.Key(secret), "GET", "/api/v1/secrets", nil)
			if r.Status != 401 || !strings.Contains(errorOf(t, r)["detail"].(string), "read:items:secrets") {
				t.Errorf("missing scope: %d %s", r.Status, r.Body)
			}
		})

		t.Run("listed, read and changed by its owner only", func(t *testing.T) {
			list := must(t, f.do(t, admin, "GET", "/api/v1/api-keys", nil), 200)
			if dig(t, list, "meta", "page", "total") != 1.0 {
				t.Errorf("admin's keys: %v", list)
			}
			if _, ok := dig(t, list, "data", 0, "attributes").(map[string]any)["key"]; ok {
				t.Error("a listed key shows its secret")
			}
			if r := f.do(t, servertest.Bearer(f.ownerToken), "GET", "/api/v1/api-keys/"+id, nil); r.Status != 404 {
				t.Errorf("another admin reads the key: %d", r.Status)
			}
			patch := map[string]any{"data": map[string]any{"attributes": map[string]any{"scopes": []string{"read:items:secrets"}}}}
			doc := must(t, f.do(t, admin, "PATCH", "/api/v1/api-keys/"+id, patch), 200)
			if got := toStrings(dig(t, doc, "data", "attributes", "scopes")); len(got) != 1 || got[0] != "read:items:secrets" {
				t.Errorf("scopes after patch: %v", got)
			}
			must(t, f.do(t, servertest.Key(secret), "GET", "/api/v1/secrets", nil), 200)
			if r := f.do(t, servertest.Key(secret), "GET", "/api/v1/vaults", nil); r.Status != 401 {
				t.Errorf("dropped scope still works: %d", r.Status)
			}
		})

		t.Run("keys cannot manage keys", func(t *testing.T) {
			for _, m := range []string{"GET /api/v1/api-keys", "GET /api/v1/me", "POST /api/v1/auth/token"} {
				parts := strings.SplitN(m, " ", 2)
				if r := f.do(t, servertest.Key(f.ownerKey), parts[0], parts[1], nil); r.Status != 401 {
					t.Errorf("%s with an API key: %d", m, r.Status)
				}
			}
		})

		t.Run("only admins get keys", func(t *testing.T) {
			r := create(servertest.Bearer(f.memberToken), map[string]any{"name": "mine", "expiration": "1h", "scopes": []string{"read:vaults"}})
			if r.Status != 403 {
				t.Errorf("member creating a key: %d %s", r.Status, r.Body)
			}
		})

		t.Run("bad input", func(t *testing.T) {
			for name, c := range map[string]struct {
				attrs map[string]any
				loc   string
			}{
				"no scopes":        {map[string]any{"name": "x", "expiration": "1h", "scopes": []string{}}, "data.attributes.scopes"},
				"unknown scope":    {map[string]any{"name": "x", "expiration": "1h", "scopes": []string{"read:everything"}}, "data.attributes.scopes.0"},
				"bad expiration":   {map[string]any{"name": "x", "expiration": "2w", "scopes": []string{"read:vaults"}}, "data.attributes.expiration"},
				"custom in past":   {map[string]any{"name": "x", "expiration": "custom", "expiresAt": "2020-01-01T00:00:00Z", "scopes": []string{"read:vaults"}}, "data.attributes.expiresAt"},
				"custom, no time":  {map[string]any{"name": "x", "expiration": "custom", "scopes": []string{"read:vaults"}}, "data.attributes.expiresAt"},
				"duplicate name":   {map[string]any{"name": "CI", "expiration": "never", "scopes": []string{"read:vaults"}}, ""},
				"name is required": {map[string]any{"expiration": "never", "scopes": []string{"read:vaults"}}, "data.attributes.name"},
			} {
				t.Run(name, func(t *testing.T) {
					r := create(admin, c.attrs)
					if c.loc == "" {
						if r.Status != 409 {
							t.Errorf("%d %s", r.Status, r.Body)
						}
						return
					}
					if r.Status != 400 {
						t.Fatalf("%d %s", r.Status, r.Body)
					}
					if got := locOf(t, errorOf(t, r)); got != c.loc {
						t.Errorf("loc %s, want %s", got, c.loc)
					}
				})
			}
		})

		t.Run("custom expiry and saving in a vault", func(t *testing.T) {
			vault := f.defaultVault(t)
			at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
			doc := must(t, create(admin, map[string]any{"name": "saved", "expiration": "custom", "expiresAt": at.Format(time.RFC3339),
				"scopes": []string{"read:vaults"}, "vaultId": vault}), 201)
			a := dig(t, doc, "data", "attributes").(map[string]any)
			if a["expiresAt"] != at.Format("2006-01-02T15:04:05")+"+00:00" {
				t.Errorf("expiresAt = %v, want %v", a["expiresAt"], at)
			}
			sec := must(t, f.do(t, admin, "GET", "/api/v1/secrets/"+a["secretId"].(string), nil), 200)
			if got := dig(t, sec, "data", "attributes", "body", "value"); got != a["key"] {
				t.Errorf("saved secret holds %v, want the key", got)
			}
		})

		t.Run("removed keys stop at once and stay listed", func(t *testing.T) {
			must(t, f.do(t, admin, "DELETE", "/api/v1/api-keys/"+id, nil), 204)
			if r := f.do(t, servertest.Key(secret), "GET", "/api/v1/secrets", nil); r.Status != 401 {
				t.Errorf("removed key: %d", r.Status)
			}
			doc := must(t, f.do(t, admin, "GET", "/api/v1/api-keys/"+id, nil), 200)
			if dig(t, doc, "data", "attributes", "status") != "removed" || dig(t, doc, "data", "attributes", "removedAt") == nil {
				t.Errorf("removed key reads %v", dig(t, doc, "data", "attributes"))
			}
			must(t, f.do(t, admin, "DELETE", "/api/v1/api-keys/"+id, nil), 204)
			patch := map[string]any{"data": map[string]any{"attributes": map[string]any{"name": "again"}}}
			if r := f.do(t, admin, "PATCH", "/api/v1/api-keys/"+id, patch); r.Status != 409 {
				t.Errorf("changing a removed key: %d", r.Status)
			}
			// Its name is free again.
			must(t, create(admin, map[string]any{"name": "ci", "expiration": "1h", "scopes": []string{"read:vaults"}}), 201)
		})

		t.Run("a key acts with its user's current role", func(t *testing.T) {
			k := f.ws.APIKey(f.admin, latchkey.ScopeReadVaults)
			must(t, f.do(t, servertest.Key(k), "GET", "/api/v1/vaults", nil), 200)
			if err := f.s.Service.SetUserRole(f.ws.Operator(), f.admin, latchkey.RoleUser); err != nil {
				t.Fatal(err)
			}
			if r := f.do(t, servertest.Key(k), "GET", "/api/v1/vaults", nil); r.Status != 403 {
				t.Errorf("key of a demoted admin: %d", r.Status)
			}
			if err := f.s.Service.SetUserStatus(f.ws.Operator(), f.admin, latchkey.UserDisabled); err != nil {
				t.Fatal(err)
			}
			if r := f.do(t, servertest.Key(k), "GET", "/api/v1/vaults", nil); r.Status != 401 {
				t.Errorf("key of a disabled user: %d", r.Status)
			}
		})
	})
}

func TestSessionTokens(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		old := servertest.Bearer(f.memberToken)
		doc := must(t, f.do(t, old, "GET", "/api/v1/me", nil), 200)
		if dig(t, doc, "data", "id") != f.member || dig(t, doc, "data", "attributes", "role") != "workspace_user" ||
			dig(t, doc, "data", "meta", "workspace", "name") != "acme" || dig(t, doc, "data", "meta", "credential", "type") != "bearer" {
			t.Errorf("me: %s", doc)
		}
		doc = must(t, f.do(t, old, "POST", "/api/v1/auth/token", nil), 201)
		fresh := servertest.Bearer(dig(t, doc, "data", "attributes", "token").(string))
		if r := f.do(t, old, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("refreshed-away token: %d", r.Status)
		}
		must(t, f.do(t, fresh, "GET", "/api/v1/me", nil), 200)
		must(t, f.do(t, fresh, "DELETE", "/api/v1/auth/token", nil), 204)
		if r := f.do(t, fresh, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("revoked token: %d", r.Status)
		}
	})
}

// A token revoked on one replica cannot be used, refreshed or revoked
// again on another that still trusts it from its cache.
func TestRevocationAcrossReplicas(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		other := f.s.Replica(t)
		tok := servertest.Bearer(f.memberToken)
		must(t, f.do(t, tok, "GET", "/api/v1/me", nil), 200) // now cached here
		must(t, other.Do(t, tok, "DELETE", "/api/v1/auth/token", nil), 204)
		if r := f.do(t, tok, "POST", "/api/v1/auth/token", nil); r.Status != 401 {
			t.Errorf("refreshing a token revoked elsewhere: %d %s", r.Status, r.Body)
		}
		if r := f.do(t, tok, "DELETE", "/api/v1/auth/token", nil); r.Status != 401 {
			t.Errorf("revoking it again: %d", r.Status)
		}
		// The same server's own revocation is immediate.
		tok2 := servertest.Bearer(f.adminToken)
		must(t, f.do(t, tok2, "GET", "/api/v1/me", nil), 200)
		must(t, f.do(t, tok2, "DELETE", "/api/v1/auth/token", nil), 204)
		if r := f.do(t, tok2, "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("a token this server revoked: %d", r.Status)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
