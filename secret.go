package latchkey

import "time"

// SecretCategory is the kind of a secret item.
type SecretCategory string

const (
	SecretText            SecretCategory = "text"
	SecretWiFiPassword    SecretCategory = "wifi_password"
	SecretSSHKey          SecretCategory = "ssh_key"
	SecretDatabase        SecretCategory = "database"
	SecretServer          SecretCategory = "server"
	SecretSoftwareLicense SecretCategory = "software_license"
	SecretCustom          SecretCategory = "custom"
)

// SecretCategories lists every category.
var SecretCategories = []SecretCategory{SecretText, SecretWiFiPassword, SecretSSHKey, SecretDatabase, SecretServer, SecretSoftwareLicense, SecretCustom}

// SecretStatus is whether a secret is in use.
type SecretStatus string

const (
	SecretActive   SecretStatus = "active"
	SecretDisabled SecretStatus = "disabled"
)

// MaxSecretBody bounds a secret's body, as the vendor's notes field does.
const MaxSecretBody = 45000

// Secret is a sealed note, key or licence. Body is only filled on reads
// meant to return it.
type Secret struct {
	ID                        string
	WorkspaceID               string
	WorkspaceName             string
	VaultID                   string
	Title                     string
	Category                  SecretCategory
	RequiresIdentityChallenge bool
	Status                    SecretStatus
	EventName                 string // latest event: create, update, restore_version, delete
	ExpiresAt                 *time.Time
	Version                   int
	VersionID                 string
	CreatedAt                 time.Time
	CreatedBy                 string
	UpdatedAt                 time.Time
	UpdatedBy                 string

	Body *string

	// Rank is the principal's effective role on the secret.
	Rank Rank
}

// MemberType names who an item is shared with.
type MemberType string

const (
	MemberUser MemberType = "user"
	MemberTeam MemberType = "team"
)

// Grant is an item role held by a user or a team.
type Grant struct {
	WorkspaceID string
	ItemType    ItemType
	ItemID      string
	MemberType  MemberType
	MemberID    string
	Rank        Rank
	CreatedAt   time.Time
	CreatedBy   string
}
