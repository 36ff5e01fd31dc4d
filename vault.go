package latchkey

import "time"

// VaultScheme says who holds the keys of a vault. Latchkey's vaults are
// sealed by the server's key-encryption key, which the operator brings; the
// vendor calls that arrangement kms_byo.
type VaultScheme string

const (
	VaultKMSBYO             VaultScheme = "kms_byo"
	VaultLocalEncryptionKey VaultScheme = "local_encryption_key"
	VaultAKV                VaultScheme = "akv"
)

// VaultState says whether a vault accepts new items. Items in a disabled
// vault stay readable.
type VaultState string

const (
	VaultEnabled  VaultState = "enabled"
	VaultDisabled VaultState = "disabled"
)

// Vault holds accounts and secrets.
type Vault struct {
	ID            string
	WorkspaceID   string
	Name          string
	Scheme        VaultScheme
	State         VaultState
	IsDefault     bool   // the workspace's first vault, used when a request names none
	CreatedBy     string // user id, or "" when the system created it
	CreatedByType string // "user" or "system"
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
