package api_test

import (
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func named(typ string, attrs map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"type": typ, "attributes": attrs}}
}

func shareBody(id, typ, role string) map[string]any {
	return map[string]any{"data": map[string]any{"id": id, "type": typ, "attributes": map[string]any{"role": role}}}
}

func TestTeams(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		admin := servertest.Bearer(f.adminToken)
		member := servertest.Bearer(f.memberToken)
		// A member creates a team and is its admin.
		doc := must(t, f.do(t, member, "POST", "/api/v1/teams", named("team", map[string]any{"name": "Design"})), 201)
		team := dig(t, doc, "data", "id").(string)
		if dig(t, doc, "data", "attributes", "type") != "user_managed" {
			t.Errorf("type %v", dig(t, doc, "data", "attributes", "type"))
		}
		if r := f.do(t, servertest.Bearer(f.guestToken), "POST", "/api/v1/teams", named("team", map[string]any{"name": "Guests"})); r.Status != 403 {
			t.Errorf("a guest creating a team: %d", r.Status)
		}
		if r := f.do(t, admin, "POST", "/api/v1/teams", named("team", map[string]any{"name": "design"})); r.Status != 409 {
			t.Errorf("duplicate team name: %d", r.Status)
		}
		list := must(t, f.do(t, admin, "GET", "/api/v1/teams", nil), 200)
		if dig(t, list, "meta", "page", "total") != 1.0 {
			t.Errorf("teams: %v", list)
		}
		if r := f.do(t, member, "GET", "/api/v1/teams", nil); r.Status != 403 {
			t.Errorf("a member listing teams: %d", r.Status)
		}
		must(t, f.do(t, admin, "GET", "/api/v1/teams/"+team, nil), 200)

		add := map[string]any{"data": []any{
			map[string]any{"type": "team_member", "attributes": map[string]any{"member_id": f.loginOnly, "member_type": "user", "role": "member"}},
			map[string]any{"type": "team_member", "attributes": map[string]any{"member_id": f.admin, "member_type": "user", "role": "admin"}},
		}}
		doc = must(t, f.do(t, member, "POST", "/api/v1/teams/"+team+"/members", add), 200)
		if n := len(dig(t, doc, "data").([]any)); n != 2 {
			t.Errorf("added %d", n)
		}
		guestAdmin := map[string]any{"data": []any{map[string]any{"type": "team_member", "attributes": map[string]any{"member_id": f.guest, "member_type": "user", "role": "admin"}}}}
		if r := f.do(t, member, "POST", "/api/v1/teams/"+team+"/members", guestAdmin); r.Status != 400 || locOf(t, errorOf(t, r)) != "data.0.attributes.role" {
			t.Errorf("a guest as team admin: %d %s", r.Status, r.Body)
		}
		members := must(t, f.do(t, member, "GET", "/api/v1/teams/"+team+"/members", nil), 200)
		if dig(t, members, "meta", "page", "total") != 3.0 {
			t.Errorf("members: %v", members)
		}
		// Renaming: a team admin or a workspace admin; not a plain member.
		must(t, f.do(t, member, "PATCH", "/api/v1/teams/"+team, named("team", map[string]any{"name": "Design team"})), 200)
		if r := f.do(t, servertest.Bearer(f.loginOnlyToken), "PATCH", "/api/v1/teams/"+team, named("team", map[string]any{"name": "Mine"})); r.Status != 403 {
			t.Errorf("a plain member renaming: %d", r.Status)
		}
		// The team's members reach what is shared with it, until they leave.
		sec := f.createSecret(t, servertest.Key(f.ownerKey), "team secret", "for designers")
		must(t, f.do(t, servertest.Key(f.ownerKey), "POST", "/api/v1/secrets/"+sec+"/members/teams", shareBody(team, "teams", "secret_collaborator")), 201)
		must(t, f.do(t, servertest.Bearer(f.loginOnlyToken), "GET", "/api/v1/secrets", nil), 200)
		if r := f.do(t, servertest.Bearer(f.adminToken), "GET", "/api/v1/secrets/"+sec, nil); r.Status != 200 {
			t.Errorf("a team member reading the team's secret: %d", r.Status)
		}
		must(t, f.do(t, member, "DELETE", "/api/v1/teams/"+team+"/members/"+f.admin, nil), 204)
		if r := f.do(t, admin, "GET", "/api/v1/secrets/"+sec, nil); r.Status != 404 {
			t.Errorf("after leaving the team: %d", r.Status)
		}
		// Deleting the team ends what it gave.
		doc = must(t, f.do(t, member, "GET", "/api/v1/secrets/"+sec, nil), 200)
		must(t, f.do(t, member, "DELETE", "/api/v1/teams/"+team, nil), 204)
		if r := f.do(t, member, "GET", "/api/v1/secrets/"+sec, nil); r.Status != 404 {
			t.Errorf("after the team was deleted: %d", r.Status)
		}
		if r := f.do(t, admin, "GET", "/api/v1/teams/"+team, nil); r.Status != 404 {
			t.Errorf("deleted team: %d", r.Status)
		}
	})
}

// Visibility through every path, both ways: a direct grant, a team, a
// collection, a nested collection, and a team on a collection — each gives
// access, and each removal takes it away.
func TestVisibilityPaths(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		viewer := servertest.Bearer(f.memberToken)
		acc := f.createAccount(t, owner, map[string]any{"application": "x", "label": "seen", "password": "pw"})
		sees := func(want bool, why string) {
			t.Helper()
			r := f.do(t, viewer, "GET", "/api/v1/accounts/"+acc, nil)
			if (r.Status == 200) != want {
				t.Errorf("%s: status %d, want visible=%v", why, r.Status, want)
			}
			list := must(t, f.do(t, viewer, "GET", "/api/v1/accounts", nil), 200)
			if got := dig(t, list, "meta", "page", "total") == 1.0; got != want {
				t.Errorf("%s: list total %v, want visible=%v", why, dig(t, list, "meta", "page", "total"), want)
			}
		}
		sees(false, "before anything")

		must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+acc+"/users", shareBody(f.member, "users", "account_collaborator")), 201)
		sees(true, "direct grant")
		must(t, f.do(t, owner, "DELETE", "/api/v1/accounts/"+acc+"/users/"+f.member, nil), 204)
		sees(false, "direct grant removed")

		team := dig(t, must(t, f.do(t, owner, "POST", "/api/v1/teams", named("team", map[string]any{"name": "Viewers"})), 201), "data", "id").(string)
		must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+acc+"/teams", shareBody(team, "teams", "account_collaborator")), 201)
		sees(false, "team grant, not a member")
		addMember := map[string]any{"data": []any{map[string]any{"type": "team_member", "attributes": map[string]any{"member_id": f.member, "member_type": "user", "role": "member"}}}}
		must(t, f.do(t, owner, "POST", "/api/v1/teams/"+team+"/members", addMember), 200)
		sees(true, "through the team")
		must(t, f.do(t, owner, "DELETE", "/api/v1/accounts/"+acc+"/teams/"+team, nil), 204)
		sees(false, "team grant removed")

		top := dig(t, must(t, f.do(t, key, "POST", "/api/v1/collections", named("collections", map[string]any{"name": "Social"})), 201), "data", "id").(string)
		sub := dig(t, must(t, f.do(t, key, "POST", "/api/v1/collections", named("collections", map[string]any{"name": "EMEA", "parentId": top})), 201), "data", "id").(string)
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+sub+"/accounts", map[string]any{"data": []any{map[string]any{"id": acc, "type": "accounts"}}}), 204)
		sees(false, "in a collection nobody shared")
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+top+"/users", shareBody(f.member, "users", "collection_collaborator")), 201)
		sees(true, "through the parent of its collection")
		sub2 := must(t, f.do(t, viewer, "GET", "/api/v1/collections/"+top+"/collections", nil), 200)
		if dig(t, sub2, "data", 0, "id") != sub || dig(t, sub2, "data", 0, "type") != "collections" {
			t.Errorf("sub-collections: %v", sub2)
		}
		got := must(t, f.do(t, viewer, "GET", "/api/v1/collections/"+sub, nil), 200)
		if roles := dig(t, got, "data", "attributes", "roles").([]any); len(roles) != 1 || roles[0] != "collection_collaborator" {
			t.Errorf("roles %v", roles)
		}
		// A collaborator can neither add sub-collections nor share.
		if r := f.do(t, viewer, "POST", "/api/v1/collections", named("collections", map[string]any{"name": "Mine", "parentId": top})); r.Status != 403 {
			t.Errorf("a collaborator adding a sub-collection: %d", r.Status)
		}
		// Moving the sub-collection out of the shared tree takes the account along.
		must(t, f.do(t, key, "PATCH", "/api/v1/collections/"+sub, named("collections", map[string]any{"parentId": nil})), 200)
		sees(false, "sub-collection moved out")
		must(t, f.do(t, key, "PATCH", "/api/v1/collections/"+sub, named("collections", map[string]any{"parentId": top})), 200)
		sees(true, "moved back")
		// A cycle is refused.
		if r := f.do(t, key, "PATCH", "/api/v1/collections/"+top, named("collections", map[string]any{"parentId": sub})); r.Status != 400 || locOf(t, errorOf(t, r)) != "data.attributes.parentId" {
			t.Errorf("a cycle: %d %s", r.Status, r.Body)
		}
		must(t, f.do(t, key, "DELETE", "/api/v1/collections/"+top+"/users/"+f.member, nil), 204)
		sees(false, "collection share removed")
		// The team on the collection, then the member leaves the team.
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+top+"/teams", shareBody(team, "teams", "collection_collaborator")), 201)
		sees(true, "a team on the collection")
		must(t, f.do(t, owner, "DELETE", "/api/v1/teams/"+team+"/members/"+f.member, nil), 204)
		sees(false, "left the team on the collection")
		must(t, f.do(t, owner, "POST", "/api/v1/teams/"+team+"/members", addMember), 200)
		sees(true, "back in the team")
		must(t, f.do(t, key, "DELETE", "/api/v1/collections/"+sub+"/accounts/"+acc, nil), 204)
		sees(false, "the account left the collection")
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+sub+"/accounts", map[string]any{"data": map[string]any{"id": acc, "type": "accounts"}}), 204)
		sees(true, "back in the collection")
		must(t, f.do(t, key, "DELETE", "/api/v1/collections/"+top, nil), 204)
		sees(false, "the collections were deleted")
		must(t, f.do(t, key, "GET", "/api/v1/accounts/"+acc, nil), 200) // the account itself stays
	})
}

func TestCollectionsAndMembers(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		key := servertest.Key(f.ownerKey)
		owner := servertest.Bearer(f.ownerToken)
		c := dig(t, must(t, f.do(t, key, "POST", "/api/v1/collections", named("collections", map[string]any{"name": "Marketing", "meta": map[string]any{"region": "emea"}})), 201), "data", "id").(string)
		if r := f.do(t, key, "POST", "/api/v1/collections", named("collections", map[string]any{"name": "marketing"})); r.Status != 409 {
			t.Errorf("a sibling of the same name: %d", r.Status)
		}
		sec := f.createSecret(t, key, "in a collection", "body")
		acc := f.createAccount(t, owner, map[string]any{"application": "x", "label": "in a collection"})
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+c+"/secrets", map[string]any{"data": []any{map[string]any{"id": sec, "type": "secrets"}}}), 204)
		must(t, f.do(t, key, "POST", "/api/v1/collections/"+c+"/accounts", map[string]any{"data": []any{map[string]any{"id": acc, "type": "accounts"}}}), 204)
		// Adding someone else's account is a 400 naming it; nothing is added.
		other := f.createAccount(t, servertest.Bearer(f.adminToken), map[string]any{"application": "x", "label": "not mine"})
		r := f.do(t, key, "POST", "/api/v1/collections/"+c+"/accounts", map[string]any{"data": []any{map[string]any{"id": other, "type": "accounts"}}})
		if r.Status != 400 || locOf(t, errorOf(t, r)) != "data.0.id" {
			t.Errorf("someone else's account: %d %s", r.Status, r.Body)
		}
		accs := must(t, f.do(t, key, "GET", "/api/v1/collections/"+c+"/accounts", nil), 200)
		secs := must(t, f.do(t, key, "GET", "/api/v1/collections/"+c+"/secrets", nil), 200)
		if dig(t, accs, "meta", "page", "total") != 1.0 || dig(t, secs, "meta", "page", "total") != 1.0 {
			t.Errorf("contents: %v %v", accs, secs)
		}
		// A secret removed through the accounts path is not found there.
		if r := f.do(t, key, "DELETE", "/api/v1/collections/"+c+"/accounts/"+sec, nil); r.Status != 404 {
			t.Errorf("a secret removed as an account: %d", r.Status)
		}
		// Guests only collaborate, and the last owner stays.
		if r := f.do(t, key, "POST", "/api/v1/collections/"+c+"/users", shareBody(f.guest, "users", "collection_owner")); r.Status != 400 {
			t.Errorf("a guest as collection owner: %d", r.Status)
		}
		if r := f.do(t, key, "DELETE", "/api/v1/collections/"+c+"/users/"+f.owner, nil); r.Status != 409 {
			t.Errorf("the last owner: %d", r.Status)
		}
		users := must(t, f.do(t, key, "GET", "/api/v1/collections/"+c+"/users", nil), 200)
		if dig(t, users, "data", 0, "attributes", "role") != "collection_owner" {
			t.Errorf("collection members: %v", users)
		}

		// Account members: owner, manager, collaborator; guests only collaborate.
		must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+acc+"/users", shareBody(f.admin, "users", "account_manager")), 201)
		if r := f.do(t, owner, "POST", "/api/v1/accounts/"+acc+"/users", shareBody(f.guest, "users", "account_manager")); r.Status != 400 {
			t.Errorf("a guest as manager: %d", r.Status)
		}
		must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+acc+"/users", shareBody(f.guest, "users", "account_collaborator")), 201)
		mem := must(t, f.do(t, owner, "GET", "/api/v1/accounts/"+acc+"/users", nil), 200)
		if dig(t, mem, "meta", "page", "total") != 3.0 {
			t.Errorf("account members: %v", mem)
		}
		// The owner owns acc through the collection too, so the direct
		// grant may go; on an account in no collection it may not.
		lone := f.createAccount(t, owner, map[string]any{"application": "x", "label": "in no collection"})
		if r := f.do(t, owner, "DELETE", "/api/v1/accounts/"+lone+"/users/"+f.owner, nil); r.Status != 409 {
			t.Errorf("the account's last owner: %d", r.Status)
		}
		// A manager reads the password but cannot share.
		must(t, f.do(t, servertest.Bearer(f.adminToken), "GET", "/api/v1/accounts/"+acc+"/totp", nil), 404) // no seed: 404, after the reveal check passed
		if r := f.do(t, servertest.Bearer(f.adminToken), "POST", "/api/v1/accounts/"+acc+"/users", shareBody(f.member, "users", "account_collaborator")); r.Status != 403 {
			t.Errorf("a manager sharing: %d", r.Status)
		}
		_ = latchkey.RankOwner
	})
}
