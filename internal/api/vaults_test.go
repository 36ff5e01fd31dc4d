package api_test

import (
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func TestVaults(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		admin := servertest.Bearer(f.adminToken)
		create := func(cred servertest.Credential, attrs map[string]any) *servertest.Response {
			return f.do(t, cred, "POST", "/api/v1/vaults", map[string]any{"data": map[string]any{"type": "vault", "attributes": attrs}})
		}
		doc := must(t, create(admin, map[string]any{"name": "Marketing"}), 201)
		id := dig(t, doc, "data", "id").(string)
		for k, want := range map[string]any{"name": "Marketing", "scheme": "kms_byo", "state": "enabled", "createdByType": "user", "createdBy": f.admin} {
			if got := dig(t, doc, "data", "attributes", k); got != want {
				t.Errorf("%s = %v, want %v", k, got, want)
			}
		}
		list := must(t, f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/vaults", nil), 200)
		if dig(t, list, "meta", "page", "total") != 2.0 {
			t.Errorf("vaults: %v", list)
		}
		if r := create(admin, map[string]any{"name": "marketing"}); r.Status != 409 {
			t.Errorf("duplicate name in another case: %d %s", r.Status, r.Body)
		}
		if r := create(admin, map[string]any{"name": "Local", "scheme": "local_encryption_key"}); r.Status != 400 {
			t.Errorf("a scheme this server cannot serve: %d %s", r.Status, r.Body)
		}
		if r := create(servertest.Bearer(f.memberToken), map[string]any{"name": "Mine"}); r.Status != 403 {
			t.Errorf("member creating a vault: %d", r.Status)
		}
		if r := f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/vaults", nil); r.Status != 403 {
			t.Errorf("member listing vaults: %d", r.Status)
		}

		disable := map[string]any{"data": map[string]any{"attributes": map[string]any{"state": "disabled"}}}
		must(t, f.do(t, admin, "PATCH", "/api/v1/vaults/"+id, disable), 200)
		r := f.do(t, servertest.Bearer(f.ownerToken), "POST", "/api/v1/accounts", map[string]any{"data": map[string]any{
			"attributes": map[string]any{"application": "x", "label": "y", "vaultId": id}}})
		if r.Status != 409 {
			t.Errorf("new account in a disabled vault: %d %s", r.Status, r.Body)
		}
		doc = must(t, f.do(t, admin, "GET", "/api/v1/vaults/"+id, nil), 200)
		if dig(t, doc, "data", "attributes", "state") != "disabled" {
			t.Errorf("state: %v", doc)
		}
		if r := f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/vaults/"+id, nil); r.Status != 401 {
			t.Errorf("vault by id with an API key (bearer only): %d", r.Status)
		}
	})
}
