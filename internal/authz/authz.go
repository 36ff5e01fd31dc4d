// Package authz is Latchkey's access policy, free of I/O: which scopes and
// workspace roles each operation needs, and what an item role allows. Core
// asks it; front ends never do.
package authz

import (
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// Operation is one thing a principal can ask core to do.
type Operation struct {
	Name string
	// Scopes must all be held by an API key; AnyScope needs one of them.
	Scopes   []latchkey.Scope
	AnyScope []latchkey.Scope
	// BearerOnly operations refuse API keys: a key cannot manage keys or
	// sessions.
	BearerOnly bool
	// Admin operations need a workspace Owner, Super Admin or Admin.
	Admin bool
	// Creates an item of its own: not for login-only members or guest users.
	CreatesItem bool
	// Members only: not for login-only members or guests of either kind.
	MembersOnly bool
}

// Authorize applies the credential and workspace-role gates of op. Item
// roles are checked afterwards, once the item is read.
//
// The order follows the vendor: anything wrong with the credential itself,
// a missing scope included, is 401; a role that does not allow the operation
// is 403.
func (op Operation) Authorize(p *latchkey.Principal) error {
	if p == nil {
		return latchkey.Errorf(latchkey.EUnauthorized, "User is not authorized to perform the request.")
	}
	if p.IsPrivileged() {
		return nil
	}
	if p.Kind == latchkey.CredentialAPIKey {
		if op.BearerOnly {
			return latchkey.Errorf(latchkey.EUnauthorized, "This operation needs a bearer token; API keys cannot use it.")
		}
		var missing []string
		for _, s := range op.Scopes {
			if !p.Scopes.Has(s) {
				missing = append(missing, s.String())
			}
		}
		if len(op.AnyScope) > 0 {
			held := false
			for _, s := range op.AnyScope {
				held = held || p.Scopes.Has(s)
			}
			if !held {
				var names []string
				for _, s := range op.AnyScope {
					names = append(names, s.String())
				}
				missing = append(missing, "one of "+strings.Join(names, ", "))
			}
		}
		if len(missing) > 0 {
			return latchkey.Errorf(latchkey.EUnauthorized, "The API key lacks the scope this operation needs: %s.", strings.Join(missing, "; "))
		}
	}
	if op.Admin && !p.Role.IsAdmin() {
		return latchkey.Errorf(latchkey.EForbidden, "Only workspace Owners, Super Admins and Admins may do this.")
	}
	if op.CreatesItem && !p.Role.CanCreateItems() {
		return latchkey.Errorf(latchkey.EForbidden, "Your workspace role cannot add items.")
	}
	if op.MembersOnly && (p.Role.IsGuest() || p.Role == latchkey.RoleLoginOnly) {
		return latchkey.Errorf(latchkey.EForbidden, "Guests and login-only members cannot do this.")
	}
	return nil
}

// VisibleRank is the least item role that lets p see an item. API keys see
// only what their user owns, as the vendor's API does; bearer tokens see
// every item their user holds any role on.
func VisibleRank(p *latchkey.Principal) latchkey.Rank {
	if p.OwnerOnly() {
		return latchkey.RankOwner
	}
	return latchkey.RankCollaborator
}

// CanSee reports whether p may know an item it holds rank on exists.
// Everything else answers 404.
func CanSee(p *latchkey.Principal, rank latchkey.Rank) bool {
	return p.IsPrivileged() || (rank != latchkey.RankNone && rank >= VisibleRank(p))
}

// CanManage reports whether p may change, share or delete an item it sees.
// Only owners may.
func CanManage(p *latchkey.Principal, rank latchkey.Rank) bool {
	return p.IsPrivileged() || rank >= latchkey.RankOwner
}

// CanRevealAccount reports whether p may read an account's password or TOTP
// code. Owners and managers may; collaborators only when the owner made the
// password visible to them; login-only members never.
func CanRevealAccount(p *latchkey.Principal, rank latchkey.Rank, passwordVisible bool) bool {
	if p.IsPrivileged() {
		return true
	}
	if !p.Role.CanRevealSecrets() {
		return false
	}
	return rank >= latchkey.RankManager || (rank >= latchkey.RankCollaborator && passwordVisible)
}

// CanRevealSecret reports whether p may read a secret's body: any role on
// the secret does, except for login-only members.
func CanRevealSecret(p *latchkey.Principal, rank latchkey.Rank) bool {
	return p.IsPrivileged() || (p.Role.CanRevealSecrets() && rank >= latchkey.RankCollaborator)
}

// CanShareWith reports whether a member may receive rank on an item: guests
// can only be collaborators.
func CanShareWith(memberRole latchkey.Role, rank latchkey.Rank) bool {
	return !memberRole.IsGuest() || rank <= latchkey.RankCollaborator
}
