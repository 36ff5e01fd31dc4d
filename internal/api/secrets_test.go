package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func TestSecretLifecycle(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		id := f.createSecret(t, key, "Office Wi-Fi", "SSID acme / hunter2-wifi")

		t.Run("create answers without the body", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/secrets", nil), 200)
			a := dig(t, doc, "data", 0, "attributes").(map[string]any)
			if _, ok := a["body"]; ok {
				t.Errorf("the list shows a body: %v", a)
			}
			for k, want := range map[string]any{"title": "Office Wi-Fi", "category": "text", "status": "active", "eventName": "create",
				"version": 0.0, "workspaceName": "acme", "requiresIdentityChallenge": false, "createdBy": f.owner} {
				if a[k] != want {
					t.Errorf("%s = %v, want %v", k, a[k], want)
				}
			}
		})

		t.Run("get shows the body", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/secrets/"+id, nil), 200)
			if got := dig(t, doc, "data", "attributes", "body", "value"); got != "SSID acme / hunter2-wifi" {
				t.Errorf("body = %v", got)
			}
		})

		t.Run("patch makes a version", func(t *testing.T) {
			body := map[string]any{"data": map[string]any{"attributes": map[string]any{
				"body": map[string]any{"type": "plaintext", "value": "SSID acme / new-wifi-pass"}, "title": "Office Wi-Fi 2"}}}
			doc := must(t, f.do(t, owner, "PATCH", "/api/v1/secrets/"+id, body), 200)
			if dig(t, doc, "data", "attributes", "version") != 1.0 || dig(t, doc, "data", "attributes", "eventName") != "update" {
				t.Errorf("after patch: %v", dig(t, doc, "data", "attributes"))
			}
			got := must(t, f.do(t, key, "GET", "/api/v1/secrets/"+id, nil), 200)
			if v := dig(t, got, "data", "attributes", "body", "value"); v != "SSID acme / new-wifi-pass" {
				t.Errorf("body after patch = %v", v)
			}
		})

		teamID := func() string {
			team, err := f.s.Service.CreateTeam(f.ws.Operator(), "Marketing")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.s.Service.AddTeamMember(f.ws.Operator(), team.ID, f.member, "member"); err != nil {
				t.Fatal(err)
			}
			return team.ID
		}()

		t.Run("members", func(t *testing.T) {
			share := func(kind, member, role string) *servertest.Response {
				return f.do(t, key, "POST", "/api/v1/secrets/"+id+"/members/"+kind,
					map[string]any{"data": map[string]any{"id": member, "type": kind, "attributes": map[string]any{"role": role, "message": "hi"}}})
			}
			doc := must(t, share("users", f.admin, "secure_secret_collaborator"), 201)
			if dig(t, doc, "data", "type") != "user" || dig(t, doc, "data", "attributes", "role") != "secret_collaborator" {
				t.Errorf("share answer: %v", doc)
			}
			must(t, share("teams", teamID, "secret_collaborator"), 201)

			users := must(t, f.do(t, key, "GET", "/api/v1/secrets/"+id+"/members/users", nil), 200)
			if got := dig(t, users, "meta", "page", "total"); got != 2.0 {
				t.Errorf("users total = %v", got)
			}
			teams := must(t, f.do(t, key, "GET", "/api/v1/secrets/"+id+"/members/teams", nil), 200)
			if dig(t, teams, "data", 0, "id") != teamID || dig(t, teams, "data", 0, "type") != "team" {
				t.Errorf("teams: %v", teams)
			}

			// The team's member now reads the secret with a bearer token.
			must(t, f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/secrets/"+id, nil), 200)
			// ...until leaving the team.
			if err := f.s.Service.RemoveTeamMember(f.ws.Operator(), teamID, f.member); err != nil {
				t.Fatal(err)
			}
			if r := f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/secrets/"+id, nil); r.Status != 404 {
				t.Errorf("after leaving the team: %d", r.Status)
			}

			// A collaborator sees but may not share.
			r := f.do(t, servertest.Bearer(f.adminToken), "POST", "/api/v1/secrets/"+id+"/members/users",
				map[string]any{"data": map[string]any{"id": f.member, "type": "users", "attributes": map[string]any{"role": "secret_owner"}}})
			if r.Status != 403 {
				t.Errorf("collaborator sharing: %d %s", r.Status, r.Body)
			}
			// Guests can only collaborate.
			r = share("users", f.guest, "secret_owner")
			if r.Status != 400 || locOf(t, errorOf(t, r)) != "data.attributes.role" {
				t.Errorf("guest as owner: %d %s", r.Status, r.Body)
			}
			// The last owner stays.
			r = f.do(t, key, "DELETE", "/api/v1/secrets/"+id+"/members/users/"+f.owner, nil)
			if r.Status != 409 {
				t.Errorf("removing the last owner: %d %s", r.Status, r.Body)
			}
			r = share("users", f.owner, "secret_collaborator")
			if r.Status != 409 {
				t.Errorf("demoting the last owner: %d %s", r.Status, r.Body)
			}
			must(t, f.do(t, key, "DELETE", "/api/v1/secrets/"+id+"/members/users/"+f.admin, nil), 204)
			if r := f.do(t, servertest.Bearer(f.adminToken), "GET", "/api/v1/secrets/"+id, nil); r.Status != 404 {
				t.Errorf("after removal the former collaborator reads: %d", r.Status)
			}
			if r := f.do(t, key, "DELETE", "/api/v1/secrets/"+id+"/members/users/"+f.admin, nil); r.Status != 404 {
				t.Errorf("removing twice: %d", r.Status)
			}
		})

		t.Run("share with strangers", func(t *testing.T) {
			other := f.s.Workspace(t, "other")
			stranger := other.User("x@other.example", "workspace_admin")
			for name, member := range map[string]string{"another workspace's user": stranger, "nobody": "01a20000-0000-7000-8000-000000000000"} {
				r := f.do(t, key, "POST", "/api/v1/secrets/"+id+"/members/users",
					map[string]any{"data": map[string]any{"id": member, "type": "users", "attributes": map[string]any{"role": "secret_collaborator"}}})
				if r.Status != 400 || locOf(t, errorOf(t, r)) != "data.id" {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
			if err := f.s.Service.SetUserStatus(f.ws.Operator(), f.loginOnly, "disabled"); err != nil {
				t.Fatal(err)
			}
			r := f.do(t, key, "POST", "/api/v1/secrets/"+id+"/members/users",
				map[string]any{"data": map[string]any{"id": f.loginOnly, "type": "users", "attributes": map[string]any{"role": "secret_collaborator"}}})
			if r.Status != 400 || !strings.Contains(string(r.Body), "disabled") {
				t.Errorf("disabled user: %d %s", r.Status, r.Body)
			}
		})

		t.Run("delete", func(t *testing.T) {
			must(t, f.do(t, owner, "DELETE", "/api/v1/secrets/"+id, nil), 204)
			if r := f.do(t, key, "GET", "/api/v1/secrets/"+id, nil); r.Status != 404 {
				t.Errorf("after delete: %d", r.Status)
			}
		})
	})
}

func TestSecretExpiry(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		key := servertest.Key(f.ownerKey)
		vault := f.defaultVault(t)
		body := func(expires any, category string) map[string]any {
			return map[string]any{"data": map[string]any{"attributes": map[string]any{
				"vaultId": vault, "title": "one-time", "requiresIdentityChallenge": false, "category": category,
				"body": map[string]any{"type": "plaintext", "value": "x"}, "expiresAt": expires}}}
		}
		r := f.do(t, key, "POST", "/api/v1/secrets", body("2001-01-01T00:00:00Z", "text"))
		if r.Status != 400 || locOf(t, errorOf(t, r)) != "data.attributes.expiresAt" {
			t.Errorf("expiry in the past: %d %s", r.Status, r.Body)
		}
		r = f.do(t, key, "POST", "/api/v1/secrets", body("2099-01-01T00:00:00Z", "ssh_key"))
		if r.Status != 400 {
			t.Errorf("expiry on an ssh key: %d %s", r.Status, r.Body)
		}
		doc := must(t, f.do(t, key, "POST", "/api/v1/secrets", body("2099-01-01T00:00:00Z", "text")), 201)
		if got := dig(t, doc, "data", "attributes", "expiresAt"); got != "2099-01-01T00:00:00+00:00" {
			t.Errorf("expiresAt = %v", got)
		}
		id := dig(t, doc, "data", "id").(string)
		clear := map[string]any{"data": map[string]any{"attributes": map[string]any{"expiresAt": nil}}}
		doc = must(t, f.do(t, servertest.Bearer(f.ownerToken), "PATCH", "/api/v1/secrets/"+id, clear), 200)
		if got := dig(t, doc, "data", "attributes", "expiresAt"); got != nil {
			t.Errorf("expiresAt after clearing = %v", got)
		}
		_ = context.Background()
	})
}
