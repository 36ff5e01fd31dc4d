package latchkey

import "strings"

// Role is a workspace role. The wire strings are the vendor's.
type Role string

const (
	RoleOwner      Role = "workspace_owner"
	RoleSuperAdmin Role = "workspace_super_admin"
	RoleAdmin      Role = "workspace_admin"
	RoleUser       Role = "workspace_user"
	RoleLoginOnly  Role = "workspace_login_only"
	RoleGuestUser  Role = "workspace_guest_user"
	RoleGuestAdmin Role = "workspace_guest_admin"
)

// Roles lists every workspace role, most powerful first.
var Roles = []Role{RoleOwner, RoleSuperAdmin, RoleAdmin, RoleUser, RoleLoginOnly, RoleGuestUser, RoleGuestAdmin}

// ParseRole accepts the wire string or its short form ("owner", "super_admin", …).
func ParseRole(s string) (Role, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "workspace_") {
		s = "workspace_" + s
	}
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// IsAdmin reports whether the role administers the workspace: reads users,
// teams, vaults and jobs, and may hold API keys.
func (r Role) IsAdmin() bool {
	return r == RoleOwner || r == RoleSuperAdmin || r == RoleAdmin
}

// IsGuest reports whether the role belongs to a guest, who can only be a
// collaborator on shared items.
func (r Role) IsGuest() bool { return r == RoleGuestUser || r == RoleGuestAdmin }

// CanCreateItems reports whether the role may add accounts, secrets and
// collections of its own.
func (r Role) CanCreateItems() bool {
	switch r {
	case RoleOwner, RoleSuperAdmin, RoleAdmin, RoleUser, RoleGuestAdmin:
		return true
	}
	return false
}

// CanRevealSecrets reports whether the role may ever read a stored password,
// TOTP code or secret body. Login-only members sign in to shared accounts
// through the product but never see what they sign in with.
func (r Role) CanRevealSecrets() bool { return r != RoleLoginOnly }

// Rank is an item role's strength; a principal's effective role on an item is
// the highest rank of every path (direct, team, collection) that reaches it.
type Rank int

const (
	RankNone         Rank = 0
	RankCollaborator Rank = 1
	RankManager      Rank = 2
	RankOwner        Rank = 3
)

// ItemType names the kinds of items that carry item roles.
type ItemType string

const (
	ItemAccount    ItemType = "account"
	ItemSecret     ItemType = "secret"
	ItemCollection ItemType = "collection"
)

// ItemRole is a role on one item, as the wire spells it.
type ItemRole string

const (
	AccountOwner           ItemRole = "account_owner"
	AccountManager         ItemRole = "account_manager"
	AccountCollaborator    ItemRole = "account_collaborator"
	SecretOwner            ItemRole = "secret_owner"
	SecretCollaborator     ItemRole = "secret_collaborator"
	CollectionOwner        ItemRole = "collection_owner"
	CollectionCollaborator ItemRole = "collection_collaborator"
)

// ItemRoleFor spells a rank for an item type; RankNone spells "".
func ItemRoleFor(t ItemType, r Rank) ItemRole {
	switch t {
	case ItemAccount:
		switch r {
		case RankOwner:
			return AccountOwner
		case RankManager:
			return AccountManager
		case RankCollaborator:
			return AccountCollaborator
		}
	case ItemSecret:
		switch {
		case r >= RankOwner:
			return SecretOwner
		case r >= RankCollaborator:
			return SecretCollaborator
		}
	case ItemCollection:
		switch {
		case r >= RankOwner:
			return CollectionOwner
		case r >= RankCollaborator:
			return CollectionCollaborator
		}
	}
	return ""
}

// ParseItemRole reads an item role for an item type. Besides the wire strings
// it accepts the legacy secure_secret_* spellings and the bare
// owner/manager/collaborator the vendor's web API uses.
func ParseItemRole(t ItemType, s string) (Rank, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "secure_")
	s = strings.TrimPrefix(s, string(t)+"_")
	switch s {
	case "owner":
		return RankOwner, true
	case "manager":
		if t == ItemAccount {
			return RankManager, true
		}
	case "collaborator":
		return RankCollaborator, true
	}
	return RankNone, false
}
