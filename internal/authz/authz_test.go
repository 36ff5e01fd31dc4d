package authz

import (
	"testing"

	"github.com/latchkeyhq/latchkey"
)

func principal(kind latchkey.CredentialKind, role latchkey.Role, scopes ...latchkey.Scope) *latchkey.Principal {
	return &latchkey.Principal{WorkspaceID: "w", UserID: "u", Kind: kind, Role: role, Scopes: latchkey.NewScopeSet(scopes...)}
}

func TestAuthorize(t *testing.T) {
	key := func(role latchkey.Role, s ...latchkey.Scope) *latchkey.Principal {
		return principal(latchkey.CredentialAPIKey, role, s...)
	}
	bearer := func(role latchkey.Role) *latchkey.Principal { return principal(latchkey.CredentialBearer, role) }
	cases := []struct {
		name string
		op   Operation
		p    *latchkey.Principal
		want latchkey.ErrorCode // "" for allowed
	}{
		{"no principal", ListAccounts, nil, latchkey.EUnauthorized},
		{"key with the scope", ListAccounts, key(latchkey.RoleUser, latchkey.ScopeReadAccounts), ""},
		{"read:items stands for read accounts", ListAccounts, key(latchkey.RoleUser, latchkey.ScopeReadItems), ""},
		{"read:items stands for read secrets", ListSecrets, key(latchkey.RoleUser, latchkey.ScopeReadItems), ""},
		{"read:items does not write", CreateAccount, key(latchkey.RoleAdmin, latchkey.ScopeReadItems), latchkey.EUnauthorized},
		{"key lacking the scope is 401", ListAccounts, key(latchkey.RoleOwner, latchkey.ScopeReadSecrets), latchkey.EUnauthorized},
		{"both scopes needed", CreateSecret, key(latchkey.RoleOwner, latchkey.ScopeWriteSecrets), latchkey.EUnauthorized},
		{"both scopes held", CreateSecret, key(latchkey.RoleOwner, latchkey.ScopeWriteSecrets, latchkey.ScopeReadSecrets), ""},
		{"bearer needs no scope", ListAccounts, bearer(latchkey.RoleUser), ""},
		{"bearer-only refuses keys", ListAPIKeys, key(latchkey.RoleOwner, latchkey.AllScopes...), latchkey.EUnauthorized},
		{"bearer-only takes bearers", ListAPIKeys, bearer(latchkey.RoleUser), ""},
		{"admin operation, member", ListVaults, bearer(latchkey.RoleUser), latchkey.EForbidden},
		{"admin operation, super admin", ListVaults, bearer(latchkey.RoleSuperAdmin), ""},
		{"scope before role: member key without scope", ListVaults, key(latchkey.RoleUser), latchkey.EUnauthorized},
		{"role after scope: member key with scope", ListVaults, key(latchkey.RoleUser, latchkey.ScopeReadVaults), latchkey.EForbidden},
		{"login-only cannot create", CreateAccount, bearer(latchkey.RoleLoginOnly), latchkey.EForbidden},
		{"guest user cannot create", CreateSecret, bearer(latchkey.RoleGuestUser), latchkey.EForbidden},
		{"guest admin can create", CreateSecret, bearer(latchkey.RoleGuestAdmin), ""},
		{"operator passes", ListVaults, principal(latchkey.CredentialOperator, ""), ""},
		{"system passes", CreateAPIKey, principal(latchkey.CredentialSystem, ""), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.op.Authorize(c.p)
			if got := latchkey.ErrorCodeOf(err); got != c.want {
				t.Errorf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}

func TestItemRules(t *testing.T) {
	key := principal(latchkey.CredentialAPIKey, latchkey.RoleUser)
	bearer := principal(latchkey.CredentialBearer, latchkey.RoleUser)
	loginOnly := principal(latchkey.CredentialBearer, latchkey.RoleLoginOnly)
	op := principal(latchkey.CredentialOperator, "")
	ranks := []latchkey.Rank{latchkey.RankNone, latchkey.RankCollaborator, latchkey.RankManager, latchkey.RankOwner}
	cases := []struct {
		name string
		fn   func(latchkey.Rank) bool
		want []bool // per rank: none, collaborator, manager, owner
	}{
		{"keys see owned items only", func(r latchkey.Rank) bool { return CanSee(key, r) }, []bool{false, false, false, true}},
		{"bearers see any role", func(r latchkey.Rank) bool { return CanSee(bearer, r) }, []bool{false, true, true, true}},
		{"the operator sees all", func(r latchkey.Rank) bool { return CanSee(op, r) }, []bool{true, true, true, true}},
		{"only owners manage", func(r latchkey.Rank) bool { return CanManage(bearer, r) }, []bool{false, false, false, true}},
		{"password: managers and owners", func(r latchkey.Rank) bool { return CanRevealAccount(bearer, r, false) }, []bool{false, false, true, true}},
		{"password: collaborators when visible", func(r latchkey.Rank) bool { return CanRevealAccount(bearer, r, true) }, []bool{false, true, true, true}},
		{"password: never login-only", func(r latchkey.Rank) bool { return CanRevealAccount(loginOnly, r, true) }, []bool{false, false, false, false}},
		{"secret body: any role", func(r latchkey.Rank) bool { return CanRevealSecret(bearer, r) }, []bool{false, true, true, true}},
		{"secret body: never login-only", func(r latchkey.Rank) bool { return CanRevealSecret(loginOnly, r) }, []bool{false, false, false, false}},
		{"guests only collaborate", func(r latchkey.Rank) bool { return CanShareWith(latchkey.RoleGuestUser, r) }, []bool{true, true, false, false}},
		{"members take any role", func(r latchkey.Rank) bool { return CanShareWith(latchkey.RoleUser, r) }, []bool{true, true, true, true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, r := range ranks {
				if got := c.fn(r); got != c.want[i] {
					t.Errorf("rank %d: %v, want %v", r, got, c.want[i])
				}
			}
		})
	}
}
