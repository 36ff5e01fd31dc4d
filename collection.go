package latchkey

import "time"

// CollectionStatus is whether a collection is in use.
type CollectionStatus string

const (
	CollectionEnabled  CollectionStatus = "enabled"
	CollectionDisabled CollectionStatus = "disabled"
)

// Collection groups accounts, secrets and sub-collections. A role on a
// collection is a role on everything under it, at any depth.
type Collection struct {
	ID          string
	WorkspaceID string
	ParentID    string // "" at the top
	Name        string
	Status      CollectionStatus
	Meta        map[string]any
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
	UpdatedBy   string

	// Rank is the principal's effective role on the collection.
	Rank Rank
}

// UserFilter narrows the user list.
type UserFilter struct {
	Text     string // in the name or the email
	Statuses []UserStatus
	IsGuest  *bool
	IDs      []string
	Page     Page
}
