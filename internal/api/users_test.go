package api_test

import (
	"sync"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func userBody(attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": "user", "attributes": attrs}}
}

func TestUsers(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		admin := servertest.Bearer(f.adminToken)
		owner := servertest.Bearer(f.ownerToken)

		t.Run("list and filters", func(t *testing.T) {
			doc := must(t, f.do(t, admin, "GET", "/api/v1/users", nil), 200)
			if dig(t, doc, "meta", "page", "total") != 5.0 {
				t.Errorf("total %v, want 5", dig(t, doc, "meta", "page", "total"))
			}
			for _, u := range dig(t, doc, "data").([]any) {
				a := dig(t, u, "attributes").(map[string]any)
				for _, k := range []string{"firstName", "lastName", "email", "status"} {
					if _, ok := a[k]; !ok {
						t.Errorf("user lacks %s: %v", k, a)
					}
				}
				if a["mfaStatus"] != nil {
					t.Errorf("mfaStatus without asking: %v", a["mfaStatus"])
				}
			}
			doc = must(t, f.do(t, admin, "GET", "/api/v1/users?mfaStatus=true", nil), 200)
			if m, ok := dig(t, doc, "data", 0, "attributes", "mfaStatus").(map[string]any); !ok || m["mfaEnabled"] != false {
				t.Errorf("mfaStatus asked for: %v", dig(t, doc, "data", 0, "attributes", "mfaStatus"))
			}
			for q, want := range map[string]float64{
				"filter=uma":                      1,
				"filter=ACME.EXAMPLE":             4,
				"filter=Test":                     5, // last names
				"filter[isGuest]=true":            1,
				"filter[status]=live":             5,
				"filter[status]=pending,disabled": 0,
				"filter=olivia&filter[status]=live&filter[isGuest]=false": 1,
			} {
				doc := must(t, f.do(t, admin, "GET", "/api/v1/users?"+q, nil), 200)
				if got := dig(t, doc, "meta", "page", "total"); got != want {
					t.Errorf("%s: total %v, want %v", q, got, want)
				}
			}
			if r := f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/users", nil); r.Status != 403 {
				t.Errorf("a member lists users: %d", r.Status)
			}
			if r := f.do(t, admin, "GET", "/api/v1/users?filter[status]=gone", nil); r.Status != 400 {
				t.Errorf("unknown status: %d", r.Status)
			}
		})

		var newID string
		t.Run("create, replace, patch", func(t *testing.T) {
			doc := must(t, f.do(t, admin, "POST", "/api/v1/users", userBody(map[string]any{
				"email": "nia@acme.example", "firstName": "Nia", "lastName": "New", "role": "workspace_user"})), 201)
			newID = dig(t, doc, "data", "id").(string)
			if dig(t, doc, "data", "attributes", "status") != "pending" {
				t.Errorf("a new member is %v", dig(t, doc, "data", "attributes", "status"))
			}
			if r := f.do(t, admin, "POST", "/api/v1/users", userBody(map[string]any{"email": "NIA@acme.example", "role": "workspace_user"})); r.Status != 409 {
				t.Errorf("duplicate email: %d", r.Status)
			}
			doc = must(t, f.do(t, admin, "POST", "/api/v1/users", userBody(map[string]any{"email": "guest@partner.example", "isGuest": true})), 201)
			if dig(t, doc, "data", "attributes", "role") != "workspace_guest_user" || dig(t, doc, "data", "attributes", "isGuest") != true {
				t.Errorf("a guest: %v", dig(t, doc, "data", "attributes"))
			}
			doc = must(t, f.do(t, admin, "PUT", "/api/v1/users/"+newID, userBody(map[string]any{
				"email": "nia.new@acme.example", "firstName": "Nia", "lastName": "Newer", "role": "workspace_admin"})), 200)
			if dig(t, doc, "data", "attributes", "lastName") != "Newer" || dig(t, doc, "data", "attributes", "role") != "workspace_admin" {
				t.Errorf("after PUT: %v", dig(t, doc, "data", "attributes"))
			}
			if r := f.do(t, admin, "PUT", "/api/v1/users/"+newID, userBody(map[string]any{"email": "x@acme.example", "role": "workspace_user"})); r.Status != 400 {
				t.Errorf("PUT without every field: %d", r.Status)
			}
			doc = must(t, f.do(t, admin, "PATCH", "/api/v1/users/"+newID, userBody(map[string]any{"firstName": "Nina"})), 200)
			if dig(t, doc, "data", "attributes", "firstName") != "Nina" || dig(t, doc, "data", "attributes", "lastName") != "Newer" {
				t.Errorf("after PATCH: %v", dig(t, doc, "data", "attributes"))
			}
		})

		t.Run("role rules", func(t *testing.T) {
			super := f.ws.User("sam@acme.example", latchkey.RoleSuperAdmin)
			for _, c := range []struct {
				name   string
				cred   servertest.Credential
				target string
				role   string
				status int
			}{
				{"an admin cannot promote to super admin", admin, f.member, "workspace_super_admin", 403},
				{"an admin cannot downgrade a super admin", admin, super, "workspace_admin", 403},
				{"an admin cannot make an owner", admin, f.member, "workspace_owner", 403},
				{"the owner cannot be demoted", owner, f.owner, "workspace_admin", 409},
				{"an admin can make an admin", admin, f.member, "workspace_admin", 200},
				{"the owner can downgrade a super admin", owner, super, "workspace_admin", 200},
				{"a login-only member can become a guest", admin, f.loginOnly, "workspace_guest_user", 200},
			} {
				t.Run(c.name, func(t *testing.T) {
					r := f.do(t, c.cred, "PATCH", "/api/v1/users/"+c.target, userBody(map[string]any{"role": c.role}))
					if r.Status != c.status {
						t.Errorf("%d, want %d: %s", r.Status, c.status, r.Body)
					}
				})
			}
			if r := f.do(t, owner, "DELETE", "/api/v1/users/"+f.owner, nil); r.Status != 409 {
				t.Errorf("deleting the owner: %d", r.Status)
			}
		})

		t.Run("ownership transfer", func(t *testing.T) {
			if r := f.do(t, admin, "PATCH", "/api/v1/users/"+f.admin, userBody(map[string]any{"role": "workspace_owner"})); r.Status != 403 {
				t.Errorf("an admin taking ownership: %d", r.Status)
			}
			doc := must(t, f.do(t, owner, "PATCH", "/api/v1/users/"+f.admin, userBody(map[string]any{"role": "workspace_owner"})), 200)
			if dig(t, doc, "data", "attributes", "role") != "workspace_owner" {
				t.Errorf("new owner: %v", doc)
			}
			old := must(t, f.do(t, admin, "GET", "/api/v1/users/"+f.owner, nil), 200)
			if dig(t, old, "data", "attributes", "role") != "workspace_super_admin" {
				t.Errorf("the former owner is %v", dig(t, old, "data", "attributes", "role"))
			}
			owners := must(t, f.do(t, admin, "GET", "/api/v1/users?filter=acme", nil), 200)
			n := 0
			for _, u := range dig(t, owners, "data").([]any) {
				if dig(t, u, "attributes", "role") == "workspace_owner" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d owners after a transfer", n)
			}
		})
	})
}

func TestDeprovision(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		admin := servertest.Bearer(f.adminToken)
		// The admin owns an account alone, and shares a secret with the member.
		acc := f.createAccount(t, admin, map[string]any{"application": "canva", "label": "admin's", "password": "p"})
		sec := f.createSecret(t, servertest.Key(f.ownerKey), "shared", "body")
		must(t, f.do(t, servertest.Key(f.ownerKey), "POST", "/api/v1/secrets/"+sec+"/members/users",
			map[string]any{"data": map[string]any{"id": f.member, "type": "users", "attributes": map[string]any{"role": "secret_collaborator"}}}), 201)
		memberKey := servertest.Key(f.ws.APIKeyMaybeDemoted(f.member, latchkey.RoleUser, latchkey.ScopeReadSecrets))
		must(t, f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/secrets/"+sec, nil), 200)

		must(t, f.do(t, servertest.Bearer(f.ownerToken), "DELETE", "/api/v1/users/"+f.member, nil), 204)
		doc := must(t, f.do(t, servertest.Bearer(f.ownerToken), "GET", "/api/v1/users/"+f.member, nil), 200)
		if dig(t, doc, "data", "attributes", "status") != "disabled" {
			t.Errorf("deprovisioned member is %v", dig(t, doc, "data", "attributes", "status"))
		}
		for name, cred := range map[string]servertest.Credential{"token": servertest.Bearer(f.memberToken), "key": memberKey} {
			if r := f.do(t, cred, "GET", "/api/v1/secrets", nil); r.Status != 401 {
				t.Errorf("the deprovisioned member's %s: %d", name, r.Status)
			}
		}
		members := must(t, f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/secrets/"+sec+"/members/users", nil), 200)
		for _, m := range dig(t, members, "data").([]any) {
			if dig(t, m, "id") == f.member {
				t.Error("the deprovisioned member still holds a role on the secret")
			}
		}
		must(t, f.do(t, servertest.Bearer(f.ownerToken), "DELETE", "/api/v1/users/"+f.member, nil), 204)

		// The admin's account passes to the owner when the admin goes.
		must(t, f.do(t, servertest.Bearer(f.ownerToken), "DELETE", "/api/v1/users/"+f.admin, nil), 204)
		pw := must(t, f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/accounts/"+acc+"/secrets?filter[secretType]=password", nil), 200)
		if dig(t, pw, "data", 0, "attributes", "body", "value") != "p" {
			t.Error("the owner did not receive the departed admin's account")
		}
		acts := must(t, f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/activities?filter[action]=user.deprovisioned", nil), 200)
		if dig(t, acts, "meta", "page", "total") != 2.0 {
			t.Errorf("deprovisionings recorded: %v", dig(t, acts, "meta", "page", "total"))
		}
		_ = admin
	})
}

// Two admins changing one member at once: both changes land.
func TestConcurrentUserChanges(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		second := servertest.Bearer(f.ws.Token(f.ws.User("ada2@acme.example", latchkey.RoleAdmin)))
		for i := 0; i < 10; i++ {
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for j, c := range []struct {
				cred  servertest.Credential
				attrs map[string]any
			}{
				{servertest.Bearer(f.adminToken), map[string]any{"firstName": "First" + string(rune('A'+i))}},
				{second, map[string]any{"lastName": "Last" + string(rune('A'+i))}},
			} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[j] = f.do(t, c.cred, "PATCH", "/api/v1/users/"+f.member, userBody(c.attrs)).Status
				}()
			}
			wg.Wait()
			doc := must(t, f.do(t, servertest.Bearer(f.ownerToken), "GET", "/api/v1/users/"+f.member, nil), 200)
			a := dig(t, doc, "data", "attributes").(map[string]any)
			if statuses[0] == 200 && a["firstName"] != "First"+string(rune('A'+i)) || statuses[1] == 200 && a["lastName"] != "Last"+string(rune('A'+i)) {
				t.Fatalf("round %d: a change was lost: %v (statuses %v)", i, a, statuses)
			}
			if statuses[0] != 200 && statuses[0] != 409 || statuses[1] != 200 && statuses[1] != 409 {
				t.Fatalf("round %d: statuses %v", i, statuses)
			}
		}
	})
}
