package latchkey

import (
	"encoding/json"
	"time"
)

// ConnectorKind names how Latchkey reaches an integration's application.
type ConnectorKind string

const (
	ConnectorSCIM    ConnectorKind = "scim"    // a SCIM 2.0 service provider
	ConnectorWebhook ConnectorKind = "webhook" // signed JSON calls to the application's small admin API
	ConnectorBrowser ConnectorKind = "browser" // headless Chromium following a recipe on the admin web page
	ConnectorNoop    ConnectorKind = "noop"    // keeps users in Latchkey only; for trials and load tests
)

// ConnectorKinds lists the kinds an integration may use.
var ConnectorKinds = []ConnectorKind{ConnectorSCIM, ConnectorWebhook, ConnectorBrowser, ConnectorNoop}

// Integration is an account connected to its application through a
// connector, so that Latchkey manages the application's users (its seats).
// It shares the account's id: the account holds the admin login (username,
// password, TOTP seed) and the sharing; the integration adds the connector.
type Integration struct {
	Account   // Application is the provider, e.g. "acme_tenant"
	Connector ConnectorConfig
	SyncedAt  *time.Time
}

// ConnectorConfig says where and how to reach the application. Token and
// SigningSecret are secrets: sealed at rest, never returned by the API,
// never logged.
type ConnectorConfig struct {
	Kind          ConnectorKind
	URL           string          // SCIM base URL, webhook endpoint, or the web app's base URL
	Token         string          // SCIM bearer token
	SigningSecret string          // webhook HMAC key
	Recipe        json.RawMessage // browser connector: its recipe, parsed by the connector
	Timeout       time.Duration   // per operation; 0 means the default
	Seats         int             // noop connector: seat plan size, 0 for unlimited
	Options       map[string]any  // connector-specific, non-secret
}

// EntitlementGroup says whether an entitlement is a main role or an extra.
type EntitlementGroup string

const (
	EntitlementPrimary   EntitlementGroup = "primary"
	EntitlementSecondary EntitlementGroup = "secondary"
)

// Entitlement is a role or permission a user may hold in an application.
// Its Key is also its id on the wire ("MEMBER", "VIEWER_LIMITED").
type Entitlement struct {
	Key   string
	Group EntitlementGroup
	Label string
	Value string
}

// IntegrationUser is a workspace user holding a seat in an integration's
// application, as last seen or set by Latchkey.
type IntegrationUser struct {
	IntegrationID string
	UserID        string // the workspace user; the wire id
	Email         string
	FirstName     string
	LastName      string
	IsGuest       bool
	Role          string // the Latchkey role on the integration: "owner" or "collaborator"
	Status        UserStatus
	Entitlements  []Entitlement
	DynamicFields map[string]any
	UpdatedAt     time.Time
}
