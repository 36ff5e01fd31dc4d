package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// The authorization table: every operation, for every kind of credential,
// every workspace role and every item role, against what INTERFACES §4
// says should happen. The oracle below restates those rules on its own, so
// a drift in internal/authz or internal/core shows up here.

type itemKind int

const (
	noItem itemKind = iota
	accountItem
	secretItem
	collectionItem
	ownKeyItem  // the caller's own API key, or someone else's
	teamItem    // a team the caller is not in
	otherMember // a plain member who is not the caller
	integrationItem
)

type need int

const (
	see need = iota
	manage
	reveal
	listTeamMembers // workspace admins and the team's members
)

type opCase struct {
	name, method, path string
	body               func(e *authzEnv, id string) any
	item               itemKind
	need               need
	scopes             []latchkey.Scope
	anyScope           []latchkey.Scope
	bearerOnly         bool
	admin              bool
	createsItem        bool
	membersOnly        bool
	adminOrSelf        bool // the legacy per-member accounts: your own, or an admin's view of anyone's
	ok                 int
	fresh              bool // changes its item or credential: use new ones each time
}

var (
	sc = func(s ...latchkey.Scope) []latchkey.Scope { return s }
	ra = latchkey.ScopeReadAccounts
	wa = latchkey.ScopeWriteAccounts
	rs = latchkey.ScopeReadSecrets
	ws = latchkey.ScopeWriteSecrets
	ri = latchkey.ScopeReadItems
	wc = latchkey.ScopeWriteCollections
	ru = latchkey.ScopeReadUsers
	wu = latchkey.ScopeWriteUsers
	rt = latchkey.ScopeReadTeams
	wt = latchkey.ScopeWriteTeams
	rg = latchkey.ScopeReadIntegrations
	wg = latchkey.ScopeWriteIntegrations
	rj = latchkey.ScopeReadAutomations
	wj = latchkey.ScopeWriteAutomations
)

func attrs(a map[string]any) map[string]any {
	return map[string]any{"data": map[string]any{"attributes": a}}
}

var operations = []opCase{
	{name: "list accounts", method: "GET", path: "/accounts", scopes: sc(ra), ok: 200},
	{name: "create account", method: "POST", path: "/accounts", scopes: sc(wa), createsItem: true, ok: 201,
		body: func(*authzEnv, string) any { return attrs(map[string]any{"application": "twitter", "label": "made"}) }},
	{name: "get account", method: "GET", path: "/accounts/{item}", item: accountItem, scopes: sc(ra), ok: 200},
	{name: "update account", method: "PATCH", path: "/accounts/{item}", item: accountItem, need: manage, scopes: sc(wa), ok: 200,
		body: func(*authzEnv, string) any { return attrs(map[string]any{"label": "renamed"}) }},
	{name: "delete account", method: "DELETE", path: "/accounts/{item}", item: accountItem, need: manage, scopes: sc(wa), ok: 204, fresh: true},
	{name: "read password", method: "GET", path: "/accounts/{item}/secrets?filter[secretType]=password", item: accountItem, need: reveal, scopes: sc(ra), ok: 200},
	{name: "read totp", method: "GET", path: "/accounts/{item}/totp", item: accountItem, need: reveal, scopes: sc(ra), ok: 200},

	{name: "list secrets", method: "GET", path: "/secrets", scopes: sc(rs), ok: 200},
	{name: "create secret", method: "POST", path: "/secrets", scopes: sc(rs, ws), createsItem: true, ok: 201,
		body: func(e *authzEnv, _ string) any {
			return attrs(map[string]any{"vaultId": e.vault, "title": "t", "requiresIdentityChallenge": false, "category": "text",
				"body": map[string]any{"type": "plaintext", "value": "v"}})
		}},
	{name: "get secret", method: "GET", path: "/secrets/{item}", item: secretItem, need: reveal, scopes: sc(rs), ok: 200},
	{name: "update secret", method: "PATCH", path: "/secrets/{item}", item: secretItem, need: manage, scopes: sc(ws), ok: 200,
		body: func(*authzEnv, string) any { return attrs(map[string]any{"title": "renamed"}) }},
	{name: "delete secret", method: "DELETE", path: "/secrets/{item}", item: secretItem, need: manage, scopes: sc(ws), ok: 204, fresh: true},
	{name: "list secret members", method: "GET", path: "/secrets/{item}/members/users", item: secretItem, scopes: sc(rs), ok: 200},
	{name: "share secret", method: "POST", path: "/secrets/{item}/members/teams", item: secretItem, need: manage, scopes: sc(ws), ok: 201,
		body: func(e *authzEnv, _ string) any {
			return map[string]any{"data": map[string]any{"id": e.team, "type": "teams", "attributes": map[string]any{"role": "secret_collaborator"}}}
		}},
	{name: "remove secret member", method: "DELETE", path: "/secrets/{item}/members/users/{bystander}", item: secretItem, need: manage, scopes: sc(ws), ok: 204, fresh: true},

	{name: "list vaults", method: "GET", path: "/vaults", scopes: sc(latchkey.ScopeReadVaults), admin: true, ok: 200},
	{name: "create vault", method: "POST", path: "/vaults", bearerOnly: true, admin: true, ok: 201,
		body: func(e *authzEnv, _ string) any { return attrs(map[string]any{"name": e.unique("vault")}) }},
	{name: "get vault", method: "GET", path: "/vaults/{vault}", bearerOnly: true, admin: true, ok: 200},
	{name: "update vault", method: "PATCH", path: "/vaults/{vault}", bearerOnly: true, admin: true, ok: 200,
		body: func(e *authzEnv, _ string) any { return attrs(map[string]any{"name": e.unique("vault")}) }},

	{name: "list activities", method: "GET", path: "/activities", scopes: sc(latchkey.ScopeReadActivities), ok: 200},

	{name: "list integrations", method: "GET", path: "/integrations", scopes: sc(rg), ok: 200},
	{name: "create integration", method: "POST", path: "/integrations", scopes: sc(wg), createsItem: true, ok: 201,
		body: func(*authzEnv, string) any {
			return attrs(map[string]any{"application": "acme_tenant", "label": "made", "connector": map[string]any{"kind": "noop"}})
		}},
	{name: "get integration", method: "GET", path: "/integrations/{item}", item: integrationItem, scopes: sc(rg), ok: 200},
	{name: "list entitlements", method: "GET", path: "/integrations/{item}/entitlements", item: integrationItem, anyScope: sc(rg, wg), ok: 200},
	{name: "list integration users", method: "GET", path: "/integrations/{item}/users", item: integrationItem, scopes: sc(ru, rg), ok: 200},
	{name: "sync integration", method: "POST", path: "/integrations/{item}/sync", item: integrationItem, need: manage, scopes: sc(wg), ok: 200},
	{name: "invite into integration", method: "POST", path: "/integrations/{item}/users", item: integrationItem, need: manage, scopes: sc(wg, rj), ok: 200,
		body: func(e *authzEnv, _ string) any {
			return map[string]any{"data": map[string]any{"type": "invite_tenant_users", "attributes": map[string]any{
				"role": "account_collaborator", "entitlements": []any{map[string]any{"id": "MEMBER"}}, "userIds": []any{e.bystander}}}}
		}},
	{name: "rotate integration password", method: "POST", path: "/accounts/{item}/jobs", item: integrationItem, need: manage, scopes: sc(wj), ok: 200,
		body: func(*authzEnv, string) any {
			return map[string]any{"data": map[string]any{"type": "job", "attributes": map[string]any{"workflowType": "password_rotation"}}}
		}},
	{name: "list jobs", method: "GET", path: "/jobs", scopes: sc(rj), ok: 200},

	{name: "list api keys", method: "GET", path: "/api-keys", bearerOnly: true, ok: 200},
	{name: "create api key", method: "POST", path: "/api-keys", bearerOnly: true, admin: true, ok: 201,
		body: func(e *authzEnv, _ string) any {
			return attrs(map[string]any{"name": e.unique("key"), "expiration": "1h", "scopes": []string{"read:vaults"}})
		}},
	{name: "get api key", method: "GET", path: "/api-keys/{item}", item: ownKeyItem, bearerOnly: true, ok: 200},
	{name: "update api key", method: "PATCH", path: "/api-keys/{item}", item: ownKeyItem, bearerOnly: true, ok: 200,
		body: func(e *authzEnv, _ string) any { return attrs(map[string]any{"name": e.unique("key")}) }},
	{name: "delete api key", method: "DELETE", path: "/api-keys/{item}", item: ownKeyItem, bearerOnly: true, ok: 204},

	{name: "me", method: "GET", path: "/me", bearerOnly: true, ok: 200},

	{name: "list account users", method: "GET", path: "/accounts/{item}/users", item: accountItem, scopes: sc(ra), ok: 200},
	{name: "share account", method: "POST", path: "/accounts/{item}/users", item: accountItem, need: manage, scopes: sc(wa), ok: 201,
		body: func(e *authzEnv, _ string) any { return shareBody(e.bystander, "users", "account_collaborator") }},
	{name: "remove account member", method: "DELETE", path: "/accounts/{item}/users/{bystander}", item: accountItem, need: manage, scopes: sc(wa), ok: 204, fresh: true},

	{name: "list collections", method: "GET", path: "/collections", scopes: sc(ri), ok: 200},
	{name: "create collection", method: "POST", path: "/collections", scopes: sc(wc), createsItem: true, ok: 201,
		body: func(e *authzEnv, _ string) any {
			return named("collections", map[string]any{"name": e.unique("collection")})
		}},
	{name: "get collection", method: "GET", path: "/collections/{item}", item: collectionItem, scopes: sc(ri), ok: 200},
	{name: "update collection", method: "PATCH", path: "/collections/{item}", item: collectionItem, need: manage, scopes: sc(wc), ok: 200,
		body: func(e *authzEnv, _ string) any {
			return named("collections", map[string]any{"name": e.unique("collection")})
		}},
	{name: "delete collection", method: "DELETE", path: "/collections/{item}", item: collectionItem, need: manage, scopes: sc(wc), ok: 204, fresh: true},
	{name: "list sub-collections", method: "GET", path: "/collections/{item}/collections", item: collectionItem, scopes: sc(ri), ok: 200},
	{name: "list collection accounts", method: "GET", path: "/collections/{item}/accounts", item: collectionItem, scopes: sc(ri), ok: 200},
	{name: "list collection secrets", method: "GET", path: "/collections/{item}/secrets", item: collectionItem, scopes: sc(ri), ok: 200},
	{name: "add to collection", method: "POST", path: "/collections/{item}/accounts", item: collectionItem, need: manage, scopes: sc(wc), ok: 204, fresh: true,
		body: func(e *authzEnv, id string) any {
			return map[string]any{"data": []any{map[string]any{"id": e.companion[id], "type": "accounts"}}}
		}},
	{name: "remove from collection", method: "DELETE", path: "/collections/{item}/accounts/{companion}", item: collectionItem, need: manage, scopes: sc(wc), ok: 204, fresh: true},
	{name: "list collection users", method: "GET", path: "/collections/{item}/users", item: collectionItem, scopes: sc(ri), ok: 200},
	{name: "share collection", method: "POST", path: "/collections/{item}/teams", item: collectionItem, need: manage, scopes: sc(wc), ok: 201,
		body: func(e *authzEnv, _ string) any { return shareBody(e.team, "teams", "collection_collaborator") }},
	{name: "remove collection member", method: "DELETE", path: "/collections/{item}/users/{bystander}", item: collectionItem, need: manage, scopes: sc(wc), ok: 204, fresh: true},

	{name: "list users", method: "GET", path: "/users", scopes: sc(ru), admin: true, ok: 200},
	{name: "get user", method: "GET", path: "/users/{bystander}", scopes: sc(ru), admin: true, ok: 200},
	{name: "create user", method: "POST", path: "/users", scopes: sc(wu), admin: true, ok: 201,
		body: func(e *authzEnv, _ string) any {
			return userBody(map[string]any{"email": e.unique("new") + "@acme.example", "role": "workspace_user"})
		}},
	{name: "replace user", method: "PUT", path: "/users/{bystander}", scopes: sc(wu), admin: true, ok: 200,
		body: func(e *authzEnv, _ string) any {
			return userBody(map[string]any{"email": "bystander@acme.example", "firstName": e.unique("B"), "lastName": "Y", "role": "workspace_user"})
		}},
	{name: "update user", method: "PATCH", path: "/users/{bystander}", scopes: sc(wu), admin: true, ok: 200,
		body: func(e *authzEnv, _ string) any { return userBody(map[string]any{"firstName": e.unique("B")}) }},
	{name: "delete user", method: "DELETE", path: "/users/{item}", item: otherMember, scopes: sc(wu), admin: true, ok: 204, fresh: true},

	{name: "list teams", method: "GET", path: "/teams", anyScope: sc(ru, rt), admin: true, ok: 200},
	{name: "get team", method: "GET", path: "/teams/{item}", item: teamItem, anyScope: sc(ru, rt), admin: true, ok: 200},
	{name: "create team", method: "POST", path: "/teams", scopes: sc(wt), membersOnly: true, ok: 201,
		body: func(e *authzEnv, _ string) any { return named("team", map[string]any{"name": e.unique("team")}) }},
	{name: "update team", method: "PATCH", path: "/teams/{item}", item: teamItem, need: manage, scopes: sc(wt), ok: 200,
		body: func(e *authzEnv, _ string) any { return named("team", map[string]any{"name": e.unique("team")}) }},
	{name: "delete team", method: "DELETE", path: "/teams/{item}", item: teamItem, need: manage, scopes: sc(latchkey.ScopeDeleteTeams), ok: 204, fresh: true},
	{name: "add team members", method: "POST", path: "/teams/{item}/members", item: teamItem, need: manage, scopes: sc(wt), ok: 200,
		body: func(e *authzEnv, _ string) any {
			return map[string]any{"data": []any{map[string]any{"type": "team_member", "attributes": map[string]any{"member_id": e.bystander, "member_type": "user", "role": "member"}}}}
		}},
	{name: "list team members", method: "GET", path: "/teams/{item}/members", item: teamItem, need: listTeamMembers, anyScope: sc(ru, rt), ok: 200},
	{name: "remove team member", method: "DELETE", path: "/teams/{item}/members/{bystander}", item: teamItem, need: manage, scopes: sc(wt), ok: 204, fresh: true},

	{name: "legacy users", method: "GET", path: "/admin/users", scopes: sc(ru), admin: true, ok: 200},
	{name: "legacy users (v1)", method: "GET", path: "/v1/admin/users", scopes: sc(ru), admin: true, ok: 200},
	{name: "legacy own accounts", method: "GET", path: "/users/{self}/accounts", scopes: sc(ra), ok: 200},
	{name: "legacy someone's accounts", method: "GET", path: "/v1/users/{bystander}/accounts", scopes: sc(ra), adminOrSelf: true, ok: 200},
	{name: "legacy account list", method: "GET", path: "/v1/accounts", scopes: sc(ra), ok: 200},
	{name: "legacy account", method: "GET", path: "/v1/accounts/{item}", item: accountItem, scopes: sc(ra), ok: 200},
	{name: "web share", method: "POST", path: "/v1/accounts/share", item: accountItem, need: manage, scopes: sc(wa), ok: 200,
		body: func(e *authzEnv, id string) any {
			return map[string]any{"accountId": id, "userIds": []string{e.bystander}, "role": "collaborator"}
		}},
	{name: "web delete", method: "DELETE", path: "/v1/accounts/{item}", item: accountItem, need: manage, scopes: sc(wa), ok: 204, fresh: true},
	{name: "refresh token", method: "POST", path: "/auth/token", bearerOnly: true, ok: 201, fresh: true},
	{name: "revoke token", method: "DELETE", path: "/auth/token", bearerOnly: true, ok: 204, fresh: true},
}

// credKind is one way of calling.
type credKind string

const (
	bearerCred    credKind = "bearer"
	allScopes     credKind = "key: all scopes"
	exactScopes   credKind = "key: exactly the operation's scopes"
	itemsUmbrella credKind = "key: read:items"
	otherScope    credKind = "key: an unrelated scope"
	expiredKey    credKind = "key: expired"
	removedKey    credKind = "key: removed"
)

var credKinds = []credKind{bearerCred, allScopes, exactScopes, itemsUmbrella, otherScope, expiredKey, removedKey}

// expect is the oracle.
func expect(op opCase, kind credKind, role latchkey.Role, rank latchkey.Rank, keyScopes latchkey.ScopeSet) int {
	isKey := kind != bearerCred
	if kind == expiredKey || kind == removedKey {
		return 401
	}
	if isKey && op.bearerOnly {
		return 401
	}
	if isKey {
		for _, s := range op.scopes {
			if !keyScopes.Has(s) {
				return 401
			}
		}
		held := len(op.anyScope) == 0
		for _, s := range op.anyScope {
			held = held || keyScopes.Has(s)
		}
		if !held {
			return 401
		}
	}
	if op.admin && !(role == latchkey.RoleOwner || role == latchkey.RoleSuperAdmin || role == latchkey.RoleAdmin) {
		return 403
	}
	isAdmin := role == latchkey.RoleOwner || role == latchkey.RoleSuperAdmin || role == latchkey.RoleAdmin
	if op.createsItem && (role == latchkey.RoleLoginOnly || role == latchkey.RoleGuestUser) {
		return 403
	}
	if op.membersOnly && (role == latchkey.RoleLoginOnly || role == latchkey.RoleGuestUser || role == latchkey.RoleGuestAdmin) {
		return 403
	}
	if op.adminOrSelf && !isAdmin {
		return 403
	}
	switch op.item {
	case teamItem:
		// The caller is never in the team here.
		if isAdmin {
			return op.ok
		}
		if op.need == listTeamMembers {
			return 404
		}
		return 403
	case accountItem, secretItem, collectionItem, integrationItem:
		visible := rank >= latchkey.RankCollaborator
		if isKey {
			visible = rank == latchkey.RankOwner
		}
		if !visible {
			return 404
		}
		switch op.need {
		case manage:
			if rank < latchkey.RankOwner {
				return 403
			}
		case reveal:
			if role == latchkey.RoleLoginOnly {
				return 403
			}
			if op.item == accountItem && rank < latchkey.RankManager {
				return 403 // collaborators only when the owner made the password visible; it is not here
			}
		}
	case ownKeyItem:
		if rank != latchkey.RankOwner {
			return 404
		}
	}
	return op.ok
}

// authzEnv is the workspace the table runs in.
type authzEnv struct {
	s         *servertest.Server
	w         *servertest.Workspace
	clock     *servertest.Clock
	owner     string // owns every item
	bystander string // holds a grant on fresh secrets
	team      string
	vault     string
	companion map[string]string // a collection's account, for adding and removing
	users     map[latchkey.Role]*principal
	n         atomic.Int64
}

type principal struct {
	id          string
	keys        map[string]string // scope set → key
	expired     string
	removed     string
	ownKeyIDs   []string // keys to read, change and delete
	ownKeysUsed int
}

func (e *authzEnv) unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, e.n.Add(1)) }

func (e *authzEnv) token(t *testing.T, userID string) string {
	t.Helper()
	tok, _, err := e.s.Service.IssueToken(e.w.Operator(), userID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func keySets() map[string]latchkey.ScopeSet {
	sets := map[string]latchkey.ScopeSet{
		"all":   latchkey.NewScopeSet(latchkey.AllScopes...),
		"items": latchkey.NewScopeSet(latchkey.ScopeReadItems),
		"users": latchkey.NewScopeSet(latchkey.ScopeReadUsers),
	}
	for _, op := range operations {
		if len(op.scopes) > 0 {
			set := latchkey.NewScopeSet(op.scopes...)
			sets[set.String()] = set
		}
		if len(op.anyScope) > 0 {
			set := latchkey.NewScopeSet(op.anyScope[0])
			sets[set.String()] = set
		}
	}
	return sets
}

func setupAuthz(t *testing.T, cfg store.Config) *authzEnv {
	clock := &servertest.Clock{}
	s := servertest.Start(t, cfg, servertest.WithClock(clock))
	e := &authzEnv{s: s, w: s.Workspace(t, "acme"), clock: clock, users: map[latchkey.Role]*principal{}, companion: map[string]string{}}
	e.owner = e.w.User("owner@acme.example", latchkey.RoleOwner)
	e.bystander = e.w.User("bystander@acme.example", latchkey.RoleUser)
	team, err := s.Service.CreateTeam(e.w.Operator(), "Team")
	if err != nil {
		t.Fatal(err)
	}
	e.team = team.ID
	vaultName := "Vault"
	v, err := s.Service.CreateVault(e.w.Operator(), core.VaultInput{Name: &vaultName})
	if err != nil {
		t.Fatal(err)
	}
	e.vault = v.ID
	op := e.w.Operator()
	for _, role := range latchkey.Roles {
		if role == latchkey.RoleOwner {
			continue // the owner principal is below, once keys exist
		}
		p := &principal{id: e.w.User(strings.TrimPrefix(string(role), "workspace_")+"@acme.example", latchkey.RoleAdmin), keys: map[string]string{}}
		e.users[role] = p
	}
	ownerP := &principal{id: e.owner, keys: map[string]string{}}
	e.users[latchkey.RoleOwner] = ownerP
	// Keys are made while everyone is an admin (only admins hold keys);
	// then each user takes the role under test, and the keys act with it.
	for _, p := range e.users {
		for name, set := range keySets() {
			p.keys[name] = e.w.APIKey(p.id, set.Scopes()...)
		}
		p.expired = e.w.APIKeyExpiring(p.id, core.Expiry{Preset: "1h"}, latchkey.AllScopes...)
		p.removed = e.w.APIKey(p.id, latchkey.AllScopes...)
		for i := 0; i < 2*len(credKinds); i++ {
			k := e.w.APIKey(p.id, latchkey.ScopeReadVaults)
			pr, err := s.Service.AuthenticateAPIKey(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			p.ownKeyIDs = append(p.ownKeyIDs, pr.CredentialID)
		}
		pr, err := s.Service.AuthenticateAPIKey(context.Background(), p.removed)
		if err != nil {
			t.Fatal(err)
		}
		r := s.Do(t, servertest.Bearer(e.token(t, p.id)), "DELETE", "/api/v1/api-keys/"+pr.CredentialID, nil)
		if r.Status != 204 {
			t.Fatalf("remove key: %d %s", r.Status, r.Body)
		}
	}
	for role, p := range e.users {
		if role != latchkey.RoleAdmin && role != latchkey.RoleOwner {
			if err := s.Service.SetUserRole(op, p.id, role); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Two hours on, the 1h keys have expired; tokens below last a day.
	clock.Advance(2 * time.Hour)
	return e
}

// item makes an item owned by the owner, on which user holds rank.
func (e *authzEnv) item(t *testing.T, kind itemKind, user string, rank latchkey.Rank) string {
	t.Helper()
	op := e.w.Operator()
	svc := e.s.Service
	switch kind {
	case integrationItem:
		app, label := "acme_tenant", e.unique("integration")
		ig, err := svc.CreateIntegration(op, core.IntegrationInput{
			Account:   core.AccountInput{Application: &app, Label: &label, OwnerID: e.owner},
			Connector: latchkey.ConnectorConfig{Kind: latchkey.ConnectorNoop},
		})
		if err != nil {
			t.Fatal(err)
		}
		if rank != latchkey.RankNone && user != e.owner {
			if _, err := svc.ShareAccount(op, ig.ID, latchkey.MemberUser, user, string(latchkey.ItemRoleFor(latchkey.ItemAccount, rank))); err != nil {
				t.Fatal(err)
			}
		}
		return ig.ID
	case accountItem:
		app, label, pw, seed := "twitter", e.unique("account"), "pw", testSeed
		a, err := svc.CreateAccount(op, core.AccountInput{Application: &app, Label: &label, Password: &pw, TOTP: &seed, OwnerID: e.owner})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ShareAccount(op, a.ID, latchkey.MemberUser, e.bystander, "account_collaborator"); err != nil {
			t.Fatal(err)
		}
		if rank != latchkey.RankNone && user != e.owner {
			if _, err := svc.ShareAccount(op, a.ID, latchkey.MemberUser, user, string(latchkey.ItemRoleFor(latchkey.ItemAccount, rank))); err != nil {
				t.Fatal(err)
			}
		}
		return a.ID
	case collectionItem:
		name := e.unique("collection")
		c, err := svc.CreateCollection(op, core.CollectionInput{Name: &name, OwnerID: e.owner})
		if err != nil {
			t.Fatal(err)
		}
		// Its companion: an account of the owner's, shared with the user
		// like the collection, and in it.
		app, label := "twitter", e.unique("companion")
		a, err := svc.CreateAccount(op, core.AccountInput{Application: &app, Label: &label, OwnerID: e.owner})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.AddToCollection(op, c.ID, latchkey.ItemAccount, []string{a.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ShareCollection(op, c.ID, latchkey.MemberUser, e.bystander, "collection_collaborator"); err != nil {
			t.Fatal(err)
		}
		if rank != latchkey.RankNone && user != e.owner {
			role := string(latchkey.ItemRoleFor(latchkey.ItemCollection, rank))
			if _, err := svc.ShareCollection(op, c.ID, latchkey.MemberUser, user, role); err != nil {
				t.Fatal(err)
			}
		}
		e.companion[c.ID] = a.ID
		return c.ID
	case teamItem:
		tm, err := svc.CreateTeam(op, e.unique("team"))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.AddTeamMember(op, tm.ID, e.bystander, latchkey.TeamMember); err != nil {
			t.Fatal(err)
		}
		return tm.ID
	case otherMember:
		return e.w.User(e.unique("leaving")+"@acme.example", latchkey.RoleUser)
	case secretItem:
		title, body, cat, ch := e.unique("secret"), "body", latchkey.SecretText, false
		sec, err := svc.CreateSecret(op, core.SecretInput{VaultID: &e.vault, Title: &title, Body: &body, Category: &cat, RequiresIdentityChallenge: &ch, OwnerID: e.owner})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ShareSecret(op, sec.ID, latchkey.MemberUser, e.bystander, "secret_collaborator"); err != nil {
			t.Fatal(err)
		}
		if rank != latchkey.RankNone && user != e.owner {
			if _, err := svc.ShareSecret(op, sec.ID, latchkey.MemberUser, user, string(latchkey.ItemRoleFor(latchkey.ItemSecret, rank))); err != nil {
				t.Fatal(err)
			}
		}
		return sec.ID
	}
	return ""
}

func ranksFor(kind itemKind, role latchkey.Role) []latchkey.Rank {
	switch kind {
	case noItem:
		return []latchkey.Rank{latchkey.RankNone}
	case ownKeyItem:
		return []latchkey.Rank{latchkey.RankNone, latchkey.RankOwner}
	case teamItem, otherMember:
		return []latchkey.Rank{latchkey.RankNone}
	}
	if role == latchkey.RoleOwner {
		return []latchkey.Rank{latchkey.RankOwner} // the owner owns every item here
	}
	if role.IsGuest() {
		return []latchkey.Rank{latchkey.RankNone, latchkey.RankCollaborator} // guests can only collaborate
	}
	ranks := []latchkey.Rank{latchkey.RankNone, latchkey.RankCollaborator, latchkey.RankOwner}
	if kind == accountItem || kind == integrationItem {
		ranks = append(ranks, latchkey.RankManager)
	}
	return ranks
}

func TestAuthorizationTable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		e := setupAuthz(t, cfg)
		foreign := e.s.Workspace(t, "globex")
		stranger := foreign.User("admin@globex.example", latchkey.RoleAdmin)
		strangerKey := foreign.APIKey(stranger, latchkey.AllScopes...)
		strangerToken, _, err := e.s.Service.IssueToken(foreign.Operator(), stranger, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, op := range operations {
			t.Run(op.name, func(t *testing.T) {
				for _, role := range latchkey.Roles {
					p := e.users[role]
					token := e.token(t, p.id)
					for _, rank := range ranksFor(op.item, role) {
						shared := ""
						if op.item != noItem && op.item != ownKeyItem && !op.fresh {
							shared = e.item(t, op.item, p.id, rank)
						}
						for _, kind := range credKinds {
							if kind == exactScopes && len(op.scopes) == 0 && len(op.anyScope) == 0 {
								continue
							}
							cred, scopes := e.credential(p, kind, op, token)
							id := shared
							switch {
							case op.item == ownKeyItem && rank == latchkey.RankOwner:
								id = p.ownKeyIDs[p.ownKeysUsed%len(p.ownKeyIDs)]
								if op.method == "DELETE" {
									p.ownKeysUsed++
								}
							case op.item == ownKeyItem:
								id = e.users[latchkey.RoleOwner].ownKeyIDs[0]
								if p.id == e.owner {
									id = e.users[latchkey.RoleAdmin].ownKeyIDs[0]
								}
							case id == "" && op.item != noItem:
								id = e.item(t, op.item, p.id, rank)
							}
							if op.fresh && op.item == collectionItem && op.need == manage && op.method == "POST" {
								// Adding needs the companion out of the collection.
								if err := e.s.Service.RemoveFromCollection(e.w.Operator(), id, latchkey.ItemAccount, e.companion[id]); err != nil {
									t.Fatal(err)
								}
								if rank != latchkey.RankNone && p.id != e.owner {
									role := string(latchkey.ItemRoleFor(latchkey.ItemAccount, rank))
									if _, err := e.s.Service.ShareAccount(e.w.Operator(), e.companion[id], latchkey.MemberUser, p.id, role); err != nil {
										t.Fatal(err)
									}
								}
							}
							if op.fresh && op.item == noItem && kind == bearerCred {
								cred = servertest.Bearer(e.token(t, p.id))
							}
							want := expect(op, kind, role, rank, scopes)
							got := e.call(t, op, cred, id)
							checked++
							if got.Status != want {
								t.Errorf("%s as %s, item role %s: %d, want %d: %s", kind, role, rankName(rank), got.Status, want, got.Body)
							}
						}
					}
				}
				// Another workspace's credential never reaches this one's items,
				// and naming this workspace with it is refused.
				if op.item == accountItem || op.item == secretItem || op.item == collectionItem || op.item == integrationItem {
					id := e.item(t, op.item, e.owner, latchkey.RankOwner)
					for _, cred := range []servertest.Credential{servertest.Key(strangerKey), servertest.Bearer(strangerToken)} {
						want := 404
						if op.bearerOnly && cred.APIKey != "" {
							want = 401
						}
						if got := e.call(t, op, cred, id); got.Status != want {
							t.Errorf("foreign workspace: %d, want %d: %s", got.Status, want, got.Body)
						}
						if got := e.call(t, op, cred, id, "Host", "acme.localhost"); got.Status != 401 {
							t.Errorf("foreign credential naming this workspace: %d, want 401", got.Status)
						}
						checked += 2
					}
				}
			})
		}
		t.Logf("%d combinations checked", checked)
	})
}

func (e *authzEnv) credential(p *principal, kind credKind, op opCase, token string) (servertest.Credential, latchkey.ScopeSet) {
	sets := keySets()
	switch kind {
	case bearerCred:
		return servertest.Bearer(token), 0
	case allScopes:
		return servertest.Key(p.keys["all"]), sets["all"]
	case exactScopes:
		set := latchkey.NewScopeSet(op.scopes...)
		if len(op.anyScope) > 0 {
			set = latchkey.NewScopeSet(op.anyScope[0])
		}
		return servertest.Key(p.keys[set.String()]), set
	case itemsUmbrella:
		return servertest.Key(p.keys["items"]), sets["items"]
	case otherScope:
		return servertest.Key(p.keys["users"]), sets["users"]
	case expiredKey:
		return servertest.Key(p.expired), sets["all"]
	case removedKey:
		return servertest.Key(p.removed), sets["all"]
	}
	panic(kind)
}

func (e *authzEnv) call(t *testing.T, op opCase, cred servertest.Credential, id string, header ...string) *servertest.Response {
	t.Helper()
	path := op.path
	if !strings.HasPrefix(path, "/v1/") {
		path = "/api/v1" + path
	}
	path = strings.NewReplacer("{item}", id, "{vault}", e.vault, "{bystander}", e.bystander, "{companion}", e.companion[id], "{self}", e.selfOf(cred)).Replace(path)
	var body any
	if op.body != nil {
		body = op.body(e, id)
	}
	return e.s.Do(t, cred, op.method, path, body, header...)
}

// selfOf finds the member a credential acts as, for {self} paths.
func (e *authzEnv) selfOf(cred servertest.Credential) string {
	ctx := context.Background()
	var p *latchkey.Principal
	var err error
	if cred.APIKey != "" {
		p, err = e.s.Service.AuthenticateAPIKey(ctx, cred.APIKey)
	} else {
		p, err = e.s.Service.AuthenticateToken(ctx, cred.Token)
	}
	if err != nil {
		return e.bystander // an expired or removed key: its path does not matter
	}
	return p.UserID
}

func rankName(r latchkey.Rank) string {
	if r == latchkey.RankNone {
		return "none"
	}
	return string(latchkey.ItemRoleFor(latchkey.ItemAccount, r))
}
