package latchkey

import "time"

// Activity is one recorded event: who did what to which resource, when.
// Details never hold a secret; they name what changed, not its value.
type Activity struct {
	ID             string
	WorkspaceID    string
	CreatedAt      time.Time
	ActorID        string // user id; empty for the operator or the system
	ActorName      string
	ActorType      string // "user", "operator" or "system"
	CredentialKind CredentialKind
	CredentialID   string
	Action         string // e.g. "account.password.read"
	ResourceType   string // e.g. "account"
	ResourceID     string
	ClientAddr     string
	Details        map[string]string
}

// ActivityFilter narrows the activity list, which is always newest first.
type ActivityFilter struct {
	Actions      []string
	ActorID      string
	ResourceType string
	ResourceID   string
	Since, Until *time.Time
	OnlyActorID  string // set by core for members who may only see their own events
	Page         Page
}
