package core

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// IntegrationInput connects an application: the account part (label,
// application, the admin login a browser connector signs in with) and the
// connector.
type IntegrationInput struct {
	Account   AccountInput
	Connector latchkey.ConnectorConfig
}

// connectorSecrets is what CreateIntegration seals: never stored plain,
// never returned.
type connectorSecrets struct {
	Token         string `json:"token,omitempty"`
	SigningSecret string `json:"signingSecret,omitempty"`
}

const maxRecipeBytes = 64 << 10

func (in *IntegrationInput) checkConnector() error {
	c := &in.Connector
	loc := func(f string) []any { return []any{"data", "attributes", "connector", f} }
	if !slices.Contains(latchkey.ConnectorKinds, c.Kind) {
		return latchkey.Invalid(loc("kind"), "type_error.enum", "The connector kind is one of scim, webhook, browser or noop.")
	}
	if c.Kind != latchkey.ConnectorNoop {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return latchkey.Invalid(loc("url"), "value_error.url", "The connector needs the application's absolute http or https URL, without credentials in it.")
		}
	}
	switch c.Kind {
	case latchkey.ConnectorSCIM:
		if c.Token == "" {
			return latchkey.Invalid(loc("token"), "value_error.missing", "A SCIM connector needs the service provider's bearer token.")
		}
	case latchkey.ConnectorWebhook:
		if len(c.SigningSecret) < 16 {
			return latchkey.Invalid(loc("signingSecret"), "value_error", "A webhook connector needs a signing secret of at least 16 characters.")
		}
	case latchkey.ConnectorBrowser:
		if len(c.Recipe) == 0 || !json.Valid(c.Recipe) || c.Recipe[0] != '{' {
			return latchkey.Invalid(loc("recipe"), "value_error", "A browser connector needs its recipe, a JSON object.")
		}
		if len(c.Recipe) > maxRecipeBytes {
			return latchkey.Invalid(loc("recipe"), "value_error", "A recipe is at most 64 KiB.")
		}
	}
	if c.Timeout < 0 || c.Timeout > 10*time.Minute {
		return latchkey.Invalid(loc("timeoutSeconds"), "value_error", "A connector timeout is at most 10 minutes; 0 takes the default of 60 seconds.")
	}
	if c.Seats < 0 {
		return latchkey.Invalid(loc("seats"), "value_error", "Seats cannot be negative.")
	}
	return nil
}

// CreateIntegration connects an application: it creates the integration's
// account, owned by the caller, and keeps the connector with it.
func (s *Service) CreateIntegration(ctx context.Context, in IntegrationInput) (*latchkey.Integration, error) {
	p, err := authorize(ctx, authz.CreateIntegration)
	if err != nil {
		return nil, err
	}
	if in.Account.Application == nil {
		return nil, latchkey.Invalid([]any{"data", "attributes", "application"}, "value_error.missing", "field required")
	}
	if in.Account.Label == nil {
		return nil, latchkey.Invalid([]any{"data", "attributes", "label"}, "value_error.missing", "field required")
	}
	if err := in.checkConnector(); err != nil {
		return nil, err
	}
	now := s.clock()
	a := &latchkey.Account{WorkspaceID: p.WorkspaceID, WorkspaceName: p.WorkspaceName, Status: latchkey.AccountEnabled,
		CreatedAt: now, CreatedBy: p.UserID, CreatedByEmail: p.UserEmail, UpdatedAt: now, UpdatedBy: p.UserID, Rank: latchkey.RankOwner}
	if _, err := in.Account.apply(a); err != nil {
		return nil, err
	}
	seed, err := in.Account.parseSecrets()
	if err != nil {
		return nil, err
	}
	owner := p.UserID
	if p.IsPrivileged() {
		owner = in.Account.OwnerID
	}
	secrets, err := json.Marshal(connectorSecrets{Token: in.Connector.Token, SigningSecret: in.Connector.SigningSecret})
	if err != nil {
		return nil, err
	}
	ig := &latchkey.Integration{Connector: in.Connector}
	ig.Connector.Token, ig.Connector.SigningSecret = "", ""
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := s.insertAccount(ctx, tx, p, a, in.Account, seed, owner, now); err != nil {
			return err
		}
		ig.Account = *a
		sealed, err := s.seal(ctx, tx, p.WorkspaceID, "integrations", a.ID, "connector", secrets)
		if err != nil {
			return err
		}
		if err := tx.CreateIntegration(ctx, ig, sealed); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "integration.created", "account", a.ID,
			map[string]string{"application": a.Application, "connector": string(in.Connector.Kind)})
	})
	if err != nil {
		return nil, err
	}
	return ig, nil
}

// visibleIntegration reads an integration the principal may see; an
// ordinary account, or one they may not see, is not found.
func (s *Service) visibleIntegration(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Integration, []byte, error) {
	if !validID(id) {
		return nil, nil, notFound()
	}
	ig, sealed, err := tx.Integration(ctx, p.WorkspaceID, id, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !authz.CanSee(p, ig.Rank) {
		return nil, nil, notFound()
	}
	return ig, sealed, nil
}

// ownedIntegration is visibleIntegration for the operations only an
// integration's Owner may start.
func (s *Service) ownedIntegration(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Integration, error) {
	ig, _, err := s.visibleIntegration(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.IsPrivileged() && ig.Rank < latchkey.RankOwner {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the integration's Owners may change who holds a seat in it.")
	}
	return ig, nil
}

// ListIntegrations pages through the integrations the caller may see.
func (s *Service) ListIntegrations(ctx context.Context, applications []string, page latchkey.Page) ([]*latchkey.Integration, int, error) {
	p, err := authorize(ctx, authz.ListIntegrations)
	if err != nil {
		return nil, 0, err
	}
	var (
		list  []*latchkey.Integration
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		list, total, err = tx.ListIntegrations(ctx, p.WorkspaceID, visibility(p), applications, page)
		return err
	})
	return list, total, err
}

// GetIntegration reads one integration.
func (s *Service) GetIntegration(ctx context.Context, id string) (*latchkey.Integration, error) {
	p, err := authorize(ctx, authz.GetIntegration)
	if err != nil {
		return nil, err
	}
	var ig *latchkey.Integration
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		ig, _, err = s.visibleIntegration(ctx, tx, p, id)
		return err
	})
	return ig, err
}

// IntegrationEntitlements lists what the integration's application offers,
// as last imported.
func (s *Service) IntegrationEntitlements(ctx context.Context, id string) ([]latchkey.Entitlement, error) {
	p, err := authorize(ctx, authz.ListEntitlements)
	if err != nil {
		return nil, err
	}
	var ents []latchkey.Entitlement
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if _, _, err := s.visibleIntegration(ctx, tx, p, id); err != nil {
			return err
		}
		ents, err = tx.Entitlements(ctx, p.WorkspaceID, id)
		return err
	})
	return ents, err
}

// IntegrationUsers pages through the workspace users holding a seat.
func (s *Service) IntegrationUsers(ctx context.Context, id string, page latchkey.Page) ([]*latchkey.IntegrationUser, int, error) {
	p, err := authorize(ctx, authz.ListIntegrationUsers)
	if err != nil {
		return nil, 0, err
	}
	var (
		list  []*latchkey.IntegrationUser
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if _, _, err := s.visibleIntegration(ctx, tx, p, id); err != nil {
			return err
		}
		list, total, err = tx.ListIntegrationUsers(ctx, p.WorkspaceID, id, page)
		return err
	})
	return list, total, err
}

// IntegrationUser reads one workspace user's seat.
func (s *Service) IntegrationUser(ctx context.Context, id, userID string) (*latchkey.IntegrationUser, error) {
	p, err := authorize(ctx, authz.GetIntegrationUser)
	if err != nil {
		return nil, err
	}
	var u *latchkey.IntegrationUser
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if _, _, err := s.visibleIntegration(ctx, tx, p, id); err != nil {
			return err
		}
		if !validID(userID) {
			return notFound()
		}
		u, err = tx.IntegrationUser(ctx, p.WorkspaceID, id, userID)
		return err
	})
	return u, err
}

// SyncIntegration queues the import of the application's users and
// entitlements.
func (s *Service) SyncIntegration(ctx context.Context, id string) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.SyncIntegration)
	if err != nil {
		return nil, err
	}
	return s.startIntegrationJob(ctx, p, id, latchkey.WorkflowGetBusiness, latchkey.TriggerManual, nil, nil)
}

// InviteInput is the vendor's invite_tenant_users body.
type InviteInput struct {
	Role         string // account_owner or account_collaborator
	Entitlements []string
	UserIDs      []string
}

// InviteIntegrationUsers queues the invitation of workspace users into the
// integration's application.
func (s *Service) InviteIntegrationUsers(ctx context.Context, id string, in InviteInput) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.InviteIntegrationUsers)
	if err != nil {
		return nil, err
	}
	attr := func(f string) []any { return []any{"data", "attributes", f} }
	if in.Role != "account_owner" && in.Role != "account_collaborator" {
		return nil, latchkey.Invalid(attr("role"), "type_error.enum", "value is not a valid enumeration member; permitted: 'account_owner', 'account_collaborator'")
	}
	if len(in.Entitlements) == 0 {
		return nil, latchkey.Invalid(attr("entitlements"), "too_short", "List should have at least 1 item after validation, not 0")
	}
	if len(in.UserIDs) == 0 {
		return nil, latchkey.Invalid(attr("userIds"), "too_short", "List should have at least 1 item after validation, not 0")
	}
	if len(in.UserIDs) > 100 {
		return nil, latchkey.Invalid(attr("userIds"), "too_long", "At most 100 users may be invited at once.")
	}
	users := dedupe(in.UserIDs)
	check := func(tx *store.Tx, ig *latchkey.Integration) error {
		if err := knownEntitlements(ctx, tx, ig, in.Entitlements, attr("entitlements")); err != nil {
			return err
		}
		for i, uid := range users {
			u, err := tx.User(ctx, p.WorkspaceID, uid)
			if !validID(uid) || latchkey.IsCode(err, latchkey.ENotFound) {
				return latchkey.Invalid(append(attr("userIds"), i), "value_error", "No user of this workspace has the id "+quote(uid)+".")
			}
			if err != nil {
				return err
			}
			if u.Status == latchkey.UserDisabled {
				return latchkey.Invalid(append(attr("userIds"), i), "value_error", "The user "+quote(uid)+" is disabled.")
			}
		}
		return nil
	}
	payload := map[string]any{"role": in.Role, "entitlements": dedupe(in.Entitlements), "userIds": users}
	return s.startIntegrationJob(ctx, p, id, latchkey.WorkflowProvideAccess, latchkey.TriggerManual, payload, check)
}

// UpdateIntegrationUser queues a change of a seat's entitlements: a
// replacement (replace set) or additions and removals.
func (s *Service) UpdateIntegrationUser(ctx context.Context, id, userID string, replace, add, remove []string) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.UpdateIntegrationUser)
	if err != nil {
		return nil, err
	}
	payload := map[string]any{"userId": userID}
	switch {
	case replace != nil:
		if len(replace) == 0 {
			return nil, latchkey.Invalid([]any{"data", "attributes", "entitlements"}, "too_short", "List should have at least 1 item after validation, not 0")
		}
		payload["entitlements"] = dedupe(replace)
	case len(add) == 0 && len(remove) == 0:
		return nil, latchkey.Invalid([]any{"data"}, "value_error", "Give entitlements to add, to remove, or both.")
	default:
		payload["add"], payload["remove"] = dedupe(add), dedupe(remove)
	}
	check := func(tx *store.Tx, ig *latchkey.Integration) error {
		if _, err := s.seatOf(ctx, tx, ig, userID); err != nil {
			return err
		}
		for _, c := range []struct {
			keys []string
			loc  []any
		}{
			{replace, []any{"data", "attributes", "entitlements"}},
			{add, []any{"data", "add", "entitlements"}},
			{remove, []any{"data", "remove", "entitlements"}},
		} {
			if err := knownEntitlements(ctx, tx, ig, c.keys, c.loc); err != nil {
				return err
			}
		}
		return nil
	}
	return s.startIntegrationJob(ctx, p, id, latchkey.WorkflowUpdateAccess, latchkey.TriggerManual, payload, check)
}

// RemoveIntegrationUser queues the removal of a user from the application.
func (s *Service) RemoveIntegrationUser(ctx context.Context, id, userID string) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.RemoveIntegrationUser)
	if err != nil {
		return nil, err
	}
	check := func(tx *store.Tx, ig *latchkey.Integration) error {
		_, err := s.seatOf(ctx, tx, ig, userID)
		return err
	}
	return s.startIntegrationJob(ctx, p, id, latchkey.WorkflowRevokeAccess, latchkey.TriggerManual, map[string]any{"userId": userID}, check)
}

// seatOf finds a workspace user's seat; a user without one is not found,
// as on GET /integrations/{id}/users/{userId}.
func (s *Service) seatOf(ctx context.Context, tx *store.Tx, ig *latchkey.Integration, userID string) (*latchkey.IntegrationUser, error) {
	if !validID(userID) {
		return nil, notFound()
	}
	return tx.IntegrationUser(ctx, ig.WorkspaceID, ig.ID, userID)
}

// knownEntitlements checks keys against the imported catalogue. Before the
// first import there is no catalogue to check against, and the
// application itself judges.
func knownEntitlements(ctx context.Context, tx *store.Tx, ig *latchkey.Integration, keys []string, loc []any) error {
	if len(keys) == 0 {
		return nil
	}
	catalogue, err := tx.Entitlements(ctx, ig.WorkspaceID, ig.ID)
	if err != nil || len(catalogue) == 0 {
		return err
	}
	for i, k := range keys {
		if !slices.ContainsFunc(catalogue, func(e latchkey.Entitlement) bool { return e.Key == k }) {
			return latchkey.Invalid(append(loc, i, "id"), "value_error", "The integration has no entitlement "+quote(k)+".")
		}
	}
	return nil
}

func dedupe(list []string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "'" + s + "'"
}
