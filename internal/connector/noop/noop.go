// Package noop is a connector that reaches no application: every operation
// succeeds at once, and the seats Latchkey records are the only state. It
// serves trials of the product and the load harness, which measures the
// job engine without an application's latency.
package noop

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// Connector is the no-op connector.
type Connector struct{}

// Entitlements offers the three roles of a small application.
func (Connector) Entitlements(context.Context) ([]latchkey.Entitlement, error) {
	return []latchkey.Entitlement{
		{Key: "ADMIN", Group: latchkey.EntitlementPrimary, Label: "Admin", Value: "ADMIN"},
		{Key: "MEMBER", Group: latchkey.EntitlementPrimary, Label: "Member", Value: "MEMBER"},
		{Key: "BILLING", Group: latchkey.EntitlementSecondary, Label: "Billing", Value: "BILLING"},
	}, nil
}

// Users returns nobody: a sync keeps no seat the application does not
// report, so syncing a no-op integration empties it.
func (Connector) Users(context.Context) ([]connector.User, error) { return nil, nil }

// Invite succeeds.
func (Connector) Invite(_ context.Context, in connector.Invite) (connector.User, error) {
	return connector.User{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Entitlements: in.Entitlements}, nil
}

// SetEntitlements succeeds.
func (Connector) SetEntitlements(context.Context, string, []string) error { return nil }

// Remove succeeds.
func (Connector) Remove(context.Context, string) error { return nil }
