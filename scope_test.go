package latchkey

import "testing"

func TestScopes(t *testing.T) {
	if len(AllScopes) != 17 {
		t.Fatalf("%d scopes, want the 17 of the key wizard", len(AllScopes))
	}
	seen := map[string]bool{}
	for _, s := range AllScopes {
		for _, name := range []string{s.String(), s.DisplayName()} {
			if name == "" || seen[name] {
				t.Errorf("scope %d: empty or repeated name %q", s, name)
			}
			seen[name] = true
			if got, ok := ParseScope(name); !ok || got != s {
				t.Errorf("ParseScope(%q) = %v, %v", name, got, ok)
			}
		}
	}
	set, bad, ok := ParseScopeSet(" read:items:accounts , READ VAULTS,,Write secrets ")
	if !ok || bad != "" || set.String() != "read:items:accounts,read:vaults,write:items:secrets" {
		t.Errorf("ParseScopeSet: %v %q %v", set, bad, ok)
	}
	if _, bad, ok := ParseScopeSet("read:vaults,read:everything"); ok || bad != "read:everything" {
		t.Errorf("unknown scope: bad %q ok %v", bad, ok)
	}
	for _, id := range []string{"read:activities", "read:items", "read:items:accounts", "read:items:secrets", "read:users",
		"read:integrations", "write:integrations", "read:automations", "write:automations"} {
		if _, ok := ParseScope(id); !ok {
			t.Errorf("the vendor's identifier %q is unknown", id)
		}
	}
}

func TestRolesAndItemRoles(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Role
	}{{"owner", RoleOwner}, {"workspace_super_admin", RoleSuperAdmin}, {" Admin ", RoleAdmin}, {"guest_user", RoleGuestUser}} {
		if got, ok := ParseRole(c.in); !ok || got != c.want {
			t.Errorf("ParseRole(%q) = %q %v", c.in, got, ok)
		}
	}
	if _, ok := ParseRole("wizard"); ok {
		t.Error("ParseRole accepted wizard")
	}
	for _, c := range []struct {
		typ  ItemType
		in   string
		want Rank
		ok   bool
	}{
		{ItemSecret, "secret_owner", RankOwner, true},
		{ItemSecret, "secure_secret_collaborator", RankCollaborator, true},
		{ItemSecret, "secret_manager", RankNone, false},
		{ItemAccount, "account_manager", RankManager, true},
		{ItemAccount, "owner", RankOwner, true},
		{ItemAccount, "secret_owner", RankNone, false},
	} {
		if got, ok := ParseItemRole(c.typ, c.in); got != c.want || ok != c.ok {
			t.Errorf("ParseItemRole(%s, %q) = %d %v", c.typ, c.in, got, ok)
		}
	}
	if ItemRoleFor(ItemSecret, RankManager) != SecretCollaborator || ItemRoleFor(ItemAccount, RankManager) != AccountManager {
		t.Error("ItemRoleFor spells ranks wrong")
	}
}
