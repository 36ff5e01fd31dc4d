package authz

import "github.com/latchkeyhq/latchkey"

// The operations of the public API and our extensions. Scopes follow the
// vendor's documentation where it has them; "Read items" stands in for any
// item read because Scope.Has says so.
var (
	ListAccounts        = Operation{Name: "accounts.list", Scopes: s(latchkey.ScopeReadAccounts)}
	GetAccount          = Operation{Name: "accounts.get", Scopes: s(latchkey.ScopeReadAccounts)}
	ReadAccountSecrets  = Operation{Name: "accounts.secrets.read", Scopes: s(latchkey.ScopeReadAccounts)}
	ReadAccountTOTP     = Operation{Name: "accounts.totp.read", Scopes: s(latchkey.ScopeReadAccounts)}
	CreateAccount       = Operation{Name: "accounts.create", Scopes: s(latchkey.ScopeWriteAccounts), CreatesItem: true}
	UpdateAccount       = Operation{Name: "accounts.update", Scopes: s(latchkey.ScopeWriteAccounts)}
	DeleteAccount       = Operation{Name: "accounts.delete", Scopes: s(latchkey.ScopeWriteAccounts)}
	ListAccountMembers  = Operation{Name: "accounts.members.list", Scopes: s(latchkey.ScopeReadAccounts)}
	ShareAccount        = Operation{Name: "accounts.members.add", Scopes: s(latchkey.ScopeWriteAccounts)}
	RemoveAccountMember = Operation{Name: "accounts.members.remove", Scopes: s(latchkey.ScopeWriteAccounts)}

	ListSecrets        = Operation{Name: "secrets.list", Scopes: s(latchkey.ScopeReadSecrets)}
	GetSecret          = Operation{Name: "secrets.get", Scopes: s(latchkey.ScopeReadSecrets)}
	CreateSecret       = Operation{Name: "secrets.create", Scopes: s(latchkey.ScopeReadSecrets, latchkey.ScopeWriteSecrets), CreatesItem: true}
	UpdateSecret       = Operation{Name: "secrets.update", Scopes: s(latchkey.ScopeWriteSecrets)}
	DeleteSecret       = Operation{Name: "secrets.delete", Scopes: s(latchkey.ScopeWriteSecrets)}
	ListSecretMembers  = Operation{Name: "secrets.members.list", Scopes: s(latchkey.ScopeReadSecrets)}
	ShareSecret        = Operation{Name: "secrets.members.add", Scopes: s(latchkey.ScopeWriteSecrets)}
	RemoveSecretMember = Operation{Name: "secrets.members.remove", Scopes: s(latchkey.ScopeWriteSecrets)}

	ListUsers  = Operation{Name: "users.list", Scopes: s(latchkey.ScopeReadUsers), Admin: true}
	GetUser    = Operation{Name: "users.get", Scopes: s(latchkey.ScopeReadUsers), Admin: true}
	CreateUser = Operation{Name: "users.create", Scopes: s(latchkey.ScopeWriteUsers), Admin: true}
	UpdateUser = Operation{Name: "users.update", Scopes: s(latchkey.ScopeWriteUsers), Admin: true}
	DeleteUser = Operation{Name: "users.delete", Scopes: s(latchkey.ScopeWriteUsers), Admin: true}
	// The legacy Read API's account list of one user: an admin reads
	// anyone's, a member only their own.
	UserAccounts = Operation{Name: "users.accounts", Scopes: s(latchkey.ScopeReadAccounts)}

	// Teams are read with "Read users" as the vendor documents, or our
	// "Read teams".
	ListTeams        = Operation{Name: "teams.list", AnyScope: s(latchkey.ScopeReadUsers, latchkey.ScopeReadTeams), Admin: true}
	GetTeam          = Operation{Name: "teams.get", AnyScope: s(latchkey.ScopeReadUsers, latchkey.ScopeReadTeams), Admin: true}
	CreateTeam       = Operation{Name: "teams.create", Scopes: s(latchkey.ScopeWriteTeams), MembersOnly: true}
	UpdateTeam       = Operation{Name: "teams.update", Scopes: s(latchkey.ScopeWriteTeams)}
	DeleteTeam       = Operation{Name: "teams.delete", Scopes: s(latchkey.ScopeDeleteTeams)}
	AddTeamMembers   = Operation{Name: "teams.members.add", Scopes: s(latchkey.ScopeWriteTeams)}
	ListTeamMembers  = Operation{Name: "teams.members.list", AnyScope: s(latchkey.ScopeReadUsers, latchkey.ScopeReadTeams)}
	RemoveTeamMember = Operation{Name: "teams.members.remove", Scopes: s(latchkey.ScopeWriteTeams)}

	ListCollections        = Operation{Name: "collections.list", Scopes: s(latchkey.ScopeReadItems)}
	GetCollection          = Operation{Name: "collections.get", Scopes: s(latchkey.ScopeReadItems)}
	CreateCollection       = Operation{Name: "collections.create", Scopes: s(latchkey.ScopeWriteCollections), CreatesItem: true}
	UpdateCollection       = Operation{Name: "collections.update", Scopes: s(latchkey.ScopeWriteCollections)}
	DeleteCollection       = Operation{Name: "collections.delete", Scopes: s(latchkey.ScopeWriteCollections)}
	ListCollectionContents = Operation{Name: "collections.contents.list", Scopes: s(latchkey.ScopeReadItems)}
	ChangeCollectionItems  = Operation{Name: "collections.items.change", Scopes: s(latchkey.ScopeWriteCollections)}
	ShareCollection        = Operation{Name: "collections.members.add", Scopes: s(latchkey.ScopeWriteCollections)}
	RemoveCollectionMember = Operation{Name: "collections.members.remove", Scopes: s(latchkey.ScopeWriteCollections)}

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

	// Integrations are accounts: reading one needs Owner on it like any
	// account; changing who holds a seat needs the integration's Owner.
	ListIntegrations     = Operation{Name: "integrations.list", Scopes: s(latchkey.ScopeReadIntegrations)}
	GetIntegration       = Operation{Name: "integrations.get", Scopes: s(latchkey.ScopeReadIntegrations)}
	ListIntegrationUsers = Operation{Name: "integrations.users.list", Scopes: s(latchkey.ScopeReadUsers, latchkey.ScopeReadIntegrations)}
	GetIntegrationUser   = Operation{Name: "integrations.users.get", Scopes: s(latchkey.ScopeReadUsers, latchkey.ScopeReadIntegrations)}
	// The vendor documents Write integrations for the catalogue, its draft
	// Read integrations: either will do.
	ListEntitlements       = Operation{Name: "integrations.entitlements.list", AnyScope: s(latchkey.ScopeReadIntegrations, latchkey.ScopeWriteIntegrations)}
	CreateIntegration      = Operation{Name: "integrations.create", Scopes: s(latchkey.ScopeWriteIntegrations), CreatesItem: true}
	SyncIntegration        = Operation{Name: "integrations.sync", Scopes: s(latchkey.ScopeWriteIntegrations)}
	InviteIntegrationUsers = Operation{Name: "integrations.users.invite", Scopes: s(latchkey.ScopeWriteIntegrations, latchkey.ScopeReadAutomations)}
	UpdateIntegrationUser  = Operation{Name: "integrations.users.update", Scopes: s(latchkey.ScopeWriteIntegrations, latchkey.ScopeWriteAutomations)}
	RemoveIntegrationUser  = Operation{Name: "integrations.users.remove", Scopes: s(latchkey.ScopeWriteIntegrations, latchkey.ScopeWriteAutomations)}

	// Jobs: admins see every job of the workspace; anyone else the jobs
	// they started.
	GetJob   = Operation{Name: "jobs.get", Scopes: s(latchkey.ScopeReadAutomations)}
	ListJobs = Operation{Name: "jobs.list", Scopes: s(latchkey.ScopeReadAutomations)}
	RetryJob = Operation{Name: "jobs.retry", Scopes: s(latchkey.ScopeWriteAutomations)}
	// Account automation (rotate the password, MFA): the account's Owner.
	StartAccountJob = Operation{Name: "accounts.jobs.create", Scopes: s(latchkey.ScopeWriteAutomations)}

	Me           = Operation{Name: "me", BearerOnly: true}
	RefreshToken = Operation{Name: "token.refresh", BearerOnly: true}
	RevokeToken  = Operation{Name: "token.revoke", BearerOnly: true}
)

func s(scopes ...latchkey.Scope) []latchkey.Scope { return scopes }
