package latchkey

import "time"

// APIKeyStatus is the state the key table shows.
type APIKeyStatus string

const (
	APIKeyActive  APIKeyStatus = "active"
	APIKeyExpired APIKeyStatus = "expired"
	APIKeyRemoved APIKeyStatus = "removed"
)

// APIKey is a long-lived, scoped credential acting as the user who created
// it. Only a digest of the key is stored; the plaintext is shown once.
type APIKey struct {
	ID          string
	WorkspaceID string
	UserID      string
	Name        string
	Hint        string // the first characters of the key, to recognise it
	Scopes      ScopeSet
	ExpiresAt   *time.Time // nil: never
	Removed     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	LastUsedAt  *time.Time
	RemovedAt   *time.Time
}

// Status derives the key's state at now.
func (k *APIKey) Status(now time.Time) APIKeyStatus {
	switch {
	case k.Removed:
		return APIKeyRemoved
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return APIKeyExpired
	}
	return APIKeyActive
}

// KeyExpirations are the presets the key wizard offers.
var KeyExpirations = map[string]time.Duration{
	"1h":  time.Hour,
	"12h": 12 * time.Hour,
	"1d":  24 * time.Hour,
	"5d":  5 * 24 * time.Hour,
	"1y":  365 * 24 * time.Hour,
}

// Token is a short-lived bearer token. Like keys, only its digest is stored.
type Token struct {
	ID          string
	WorkspaceID string
	UserID      string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}
