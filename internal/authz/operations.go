package authz

import "github.com/latchkeyhq/latchkey"

// The operations of the public API and our extensions. Scopes follow the
// vendor's documentation where it has them; "Read items" stands in for any
// item read because Scope.Has says so.
var (
	ListAccounts       = Operation{Name: "accounts.list", Scopes: s(latchkey.ScopeReadAccounts)}
	GetAccount         = Operation{Name: "accounts.get", Scopes: s(latchkey.ScopeReadAccounts)}
	ReadAccountSecrets = Operation{Name: "accounts.secrets.read", Scopes: s(latchkey.ScopeReadAccounts)}
	ReadAccountTOTP    = Operation{Name: "accounts.totp.read", Scopes: s(latchkey.ScopeReadAccounts)}
	CreateAccount      = Operation{Name: "accounts.create", Scopes: s(latchkey.ScopeWriteAccounts), CreatesItem: true}
	UpdateAccount      = Operation{Name: "accounts.update", Scopes: s(latchkey.ScopeWriteAccounts)}
	DeleteAccount      = Operation{Name: "accounts.delete", Scopes: s(latchkey.ScopeWriteAccounts)}
	ShareAccount       = Operation{Name: "accounts.members.add", Scopes: s(latchkey.ScopeWriteAccounts)}

	ListSecrets        = Operation{Name: "secrets.list", Scopes: s(latchkey.ScopeReadSecrets)}
	GetSecret          = Operation{Name: "secrets.get", Scopes: s(latchkey.ScopeReadSecrets)}
	CreateSecret       = Operation{Name: "secrets.create", Scopes: s(latchkey.ScopeReadSecrets, latchkey.ScopeWriteSecrets), CreatesItem: true}
	UpdateSecret       = Operation{Name: "secrets.update", Scopes: s(latchkey.ScopeWriteSecrets)}
	DeleteSecret       = Operation{Name: "secrets.delete", Scopes: s(latchkey.ScopeWriteSecrets)}
	ListSecretMembers  = Operation{Name: "secrets.members.list", Scopes: s(latchkey.ScopeReadSecrets)}
	ShareSecret        = Operation{Name: "secrets.members.add", Scopes: s(latchkey.ScopeWriteSecrets)}
	RemoveSecretMember = Operation{Name: "secrets.members.remove", Scopes: s(latchkey.ScopeWriteSecrets)}

	ListVaults  = Operation{Name: "vaults.list", Scopes: s(latchkey.ScopeReadVaults), Admin: true}
	GetVault    = Operation{Name: "vaults.get", BearerOnly: true, Admin: true}
	CreateVault = Operation{Name: "vaults.create", BearerOnly: true, Admin: true}
	UpdateVault = Operation{Name: "vaults.update", BearerOnly: true, Admin: true}

	ListActivities = Operation{Name: "activities.list", Scopes: s(latchkey.ScopeReadActivities)}

	ListAPIKeys  = Operation{Name: "apikeys.list", BearerOnly: true}
	GetAPIKey    = Operation{Name: "apikeys.get", BearerOnly: true}
	CreateAPIKey = Operation{Name: "apikeys.create", BearerOnly: true, Admin: true}
	UpdateAPIKey = Operation{Name: "apikeys.update", BearerOnly: true}
	DeleteAPIKey = Operation{Name: "apikeys.delete", BearerOnly: true}

	Me           = Operation{Name: "me", BearerOnly: true}
	RefreshToken = Operation{Name: "token.refresh", BearerOnly: true}
	RevokeToken  = Operation{Name: "token.revoke", BearerOnly: true}
)

func s(scopes ...latchkey.Scope) []latchkey.Scope { return scopes }
