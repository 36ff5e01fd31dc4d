package latchkey

import (
	"context"
	"time"
)

// CredentialKind says how a principal authenticated.
type CredentialKind string

const (
	CredentialAPIKey   CredentialKind = "api_key"  // X-API-Key; scopes apply, owner-only visibility
	CredentialBearer   CredentialKind = "bearer"   // Authorization: Bearer; roles alone decide
	CredentialOperator CredentialKind = "operator" // latchkey admin, straight to the store
	CredentialSystem   CredentialKind = "system"   // the server itself (demo seeding, jobs)
)

// Principal is who a request acts as. Authentication resolves the credential
// once; everything below reads the principal from the context.
type Principal struct {
	WorkspaceID   string
	WorkspaceName string
	UserID        string // empty for the operator and the system
	UserName      string // "First Last", for activity records
	UserEmail     string
	Role          Role
	Kind          CredentialKind
	CredentialID  string     // API key or token id
	ExpiresAt     *time.Time // when the credential ends; nil: never
	Scopes        ScopeSet   // API keys only
	ClientAddr    string     // the caller's address, for activity records
}

// OwnerOnly reports whether the principal sees only items it owns, which is
// the vendor's rule for API keys.
func (p *Principal) OwnerOnly() bool { return p.Kind == CredentialAPIKey }

// IsPrivileged reports whether the principal is the operator or the server
// itself, which bypass item roles but still stay inside one workspace.
func (p *Principal) IsPrivileged() bool {
	return p.Kind == CredentialOperator || p.Kind == CredentialSystem
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
