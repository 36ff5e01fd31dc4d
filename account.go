package latchkey

import "time"

// AccountStatus is whether an account is in use.
type AccountStatus string

const (
	AccountEnabled  AccountStatus = "enabled"
	AccountDisabled AccountStatus = "disabled"
)

// MFATypes the vendor's account object may list.
var MFATypes = []string{"rsa_secur_id_token", "otp", "email", "voip", "non-voip"}

// Account is a stored login to an application. Its password and TOTP seed
// live sealed in account secrets, never on this struct.
type Account struct {
	ID            string
	WorkspaceID   string
	WorkspaceName string
	VaultID       string

	Application string // provider id: "twitter", "mailchimp", "unmanaged", …
	Label       string
	Username    string
	Email       string
	Phone       string
	URL         string
	Domain      string
	AvatarURL   string
	BusinessID  string
	Status      AccountStatus
	Meta        map[string]any

	PasswordVisible   bool // collaborators may reveal the password
	AutofillMFA       bool
	CerbyManagedEmail bool
	CerbyManagedPhone bool
	HasBackupCode     bool
	HasPasskey        bool
	HasPassword       bool
	HasTOTP           bool
	MFATypes          []string // "otp" is present exactly when HasTOTP

	CreatedAt          time.Time
	CreatedBy          string
	CreatedByEmail     string
	UpdatedAt          time.Time
	UpdatedBy          string
	LastLoginAt        *time.Time
	LastLoginBy        string // the name of who last signed in or read the password
	LastPasswordChange *time.Time
	RotatedAt          *time.Time
	RotatedBy          string // "manual_rotation" or "automated_rotation"
	RotatedByID        string
	SyncedAt           *time.Time

	// Rank is the principal's effective role on the account, when the
	// account was read on behalf of one.
	Rank Rank
}

// MFAEnabled reports whether any MFA method is managed for the account.
func (a *Account) MFAEnabled() bool { return len(a.MFATypes) > 0 }

// AccountFilter narrows an account list.
type AccountFilter struct {
	Applications []string
	Statuses     []AccountStatus
	Search       string   // in the label or the username (legacy API)
	IDs          []string // legacy API
	Sort         AccountSort
	Page         Page
}

// AccountSort orders an account list; the default is creation order.
type AccountSort string

const (
	SortCreated      AccountSort = ""
	SortNewest       AccountSort = "newest"
	SortAlphaAsc     AccountSort = "alpha_asc"
	SortAlphaDesc    AccountSort = "alpha_desc"
	SortRecentlyUsed AccountSort = "recently_used"
)

// SecretType of an account secret. Only passwords are served by the public
// API; TOTP seeds are read through the TOTP endpoint.
type SecretType string

const (
	SecretPassword SecretType = "password"
	SecretTOTP     SecretType = "totp"
	// SecretPendingPassword is a rotation's new password, kept sealed from
	// before the application is asked to take it until the rotation is
	// recorded, so that a rotation cut short never loses the password the
	// application may already hold. The API never serves it.
	SecretPendingPassword SecretType = "pending_password"
)

// AccountSecret is one version of an account's password or TOTP seed.
// Value is only filled on the reads meant to return it.
type AccountSecret struct {
	ID          string
	WorkspaceID string
	AccountID   string
	VaultID     string
	Type        SecretType
	Version     int
	Value       string
	CreatedAt   time.Time
	CreatedBy   string
}

// TOTPCode is the current one-time code of an account.
type TOTPCode struct {
	AccountID string
	Code      string
	Digits    int
	Period    int
	Algorithm string
	ExpiresAt time.Time
	ValidFor  time.Duration // from the moment the code was made until ExpiresAt
}
