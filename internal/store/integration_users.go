package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// Seat is one person's row in an integration's application, as Latchkey
// last saw or set it. UserID is the matching workspace user, "" when none
// matched.
type Seat struct {
	IntegrationID string
	Email         string
	UserID        string
	FirstName     string
	LastName      string
	Role          string // the Latchkey role asked for at invitation
	Entitlements  []string
	Fields        map[string]any
}

func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// PutSeat records a seat, replacing any row for the same email.
func (tx *Tx) PutSeat(ctx context.Context, workspaceID string, s Seat, at int64) error {
	ents, err := json.Marshal(nonNil(s.Entitlements))
	if err != nil {
		return err
	}
	fields := "{}"
	if len(s.Fields) > 0 {
		b, err := json.Marshal(s.Fields)
		if err != nil {
			return err
		}
		fields = string(b)
	}
	_, err = tx.exec(ctx, `INSERT INTO integration_users (workspace_id, integration_id, email_key, email, user_id, first_name, last_name, role, entitlements, fields, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, integration_id, email_key) DO UPDATE SET email = excluded.email, user_id = excluded.user_id,
			first_name = excluded.first_name, last_name = excluded.last_name, role = excluded.role,
			entitlements = excluded.entitlements, fields = excluded.fields, updated_at = excluded.updated_at`,
		workspaceID, s.IntegrationID, emailKey(s.Email), s.Email, nullableID(s.UserID), s.FirstName, s.LastName, s.Role,
		string(ents), fields, at)
	return tx.db.translate(err)
}

// SetSeatEntitlements changes the entitlements of a seat.
func (tx *Tx) SetSeatEntitlements(ctx context.Context, workspaceID, integrationID, email string, ents []string, at int64) error {
	b, err := json.Marshal(nonNil(ents))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE integration_users SET entitlements = ?, updated_at = ?
		WHERE workspace_id = ? AND integration_id = ? AND email_key = ?`, string(b), at, workspaceID, integrationID, emailKey(email))
	return err
}

// DeleteSeat forgets a seat; a seat already gone is no error.
func (tx *Tx) DeleteSeat(ctx context.Context, workspaceID, integrationID, email string) error {
	_, err := tx.exec(ctx, `DELETE FROM integration_users WHERE workspace_id = ? AND integration_id = ? AND email_key = ?`,
		workspaceID, integrationID, emailKey(email))
	return err
}

// DeleteSeats forgets every seat of an integration, before a sync writes
// what the application holds now.
func (tx *Tx) DeleteSeats(ctx context.Context, workspaceID, integrationID string) error {
	_, err := tx.exec(ctx, `DELETE FROM integration_users WHERE workspace_id = ? AND integration_id = ?`, workspaceID, integrationID)
	return err
}

// SeatByEmail reads one seat; not found when the application has no such
// person as far as Latchkey knows.
func (tx *Tx) SeatByEmail(ctx context.Context, workspaceID, integrationID, email string) (*Seat, error) {
	var (
		s            Seat
		userID       *string
		ents, fields string
	)
	err := tx.queryRow(ctx, `SELECT integration_id, email, user_id, first_name, last_name, role, entitlements, fields
		FROM integration_users WHERE workspace_id = ? AND integration_id = ? AND email_key = ?`,
		workspaceID, integrationID, emailKey(email)).Scan(&s.IntegrationID, &s.Email, &userID, &s.FirstName, &s.LastName, &s.Role, &ents, &fields)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	if userID != nil {
		s.UserID = *userID
	}
	if err := json.Unmarshal([]byte(ents), &s.Entitlements); err != nil {
		return nil, err
	}
	return &s, json.Unmarshal([]byte(fields), &s.Fields)
}

// SeatCount is how many seats an integration's application holds.
func (tx *Tx) SeatCount(ctx context.Context, workspaceID, integrationID string) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM integration_users WHERE workspace_id = ? AND integration_id = ?`, workspaceID, integrationID)
}

// IntegrationsOfUser lists the integrations where a workspace user holds a
// seat, for deprovisioning.
func (tx *Tx) IntegrationsOfUser(ctx context.Context, workspaceID, userID string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT integration_id FROM integration_users WHERE workspace_id = ? AND user_id = ? ORDER BY integration_id`,
		workspaceID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const integrationUserSelect = `SELECT s.integration_id, s.user_id, s.email, s.first_name, s.last_name, u.is_guest, u.status,
	COALESCE(x.rank, 0), s.entitlements, s.fields, s.updated_at `

func integrationUserFrom() string {
	return `FROM integration_users s
		JOIN users u ON u.workspace_id = s.workspace_id AND u.id = s.user_id
		LEFT JOIN item_access x ON x.workspace_id = s.workspace_id AND x.user_id = s.user_id AND x.item_type = 'account' AND x.item_id = s.integration_id
		WHERE s.workspace_id = ? AND s.integration_id = ? AND s.user_id IS NOT NULL`
}

// ListIntegrationUsers pages through the workspace users holding a seat in
// an integration, ordered by user id. Entitlement keys are resolved to the
// integration's entitlements with one more query, not one per user.
func (tx *Tx) ListIntegrationUsers(ctx context.Context, workspaceID, integrationID string, page latchkey.Page) ([]*latchkey.IntegrationUser, int, error) {
	users, total, err := listPage(ctx, tx, integrationUserFrom(), []any{workspaceID, integrationID}, "s.user_id", integrationUserSelect, page, -1, "", 0, scanIntegrationUser)
	if err != nil {
		return nil, 0, err
	}
	if err := tx.resolveEntitlements(ctx, workspaceID, integrationID, users); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// IntegrationUser reads one workspace user's seat in an integration.
func (tx *Tx) IntegrationUser(ctx context.Context, workspaceID, integrationID, userID string) (*latchkey.IntegrationUser, error) {
	u, err := scanIntegrationUser(tx.queryRow(ctx, integrationUserSelect+integrationUserFrom()+` AND s.user_id = ?`, workspaceID, integrationID, userID))
	if err != nil {
		return nil, tx.db.translate(err)
	}
	return u, tx.resolveEntitlements(ctx, workspaceID, integrationID, []*latchkey.IntegrationUser{u})
}

func scanIntegrationUser(row interface{ Scan(...any) error }) (*latchkey.IntegrationUser, error) {
	var (
		u            latchkey.IntegrationUser
		rank         latchkey.Rank
		ents, fields string
		updated      int64
	)
	if err := row.Scan(&u.IntegrationID, &u.UserID, &u.Email, &u.FirstName, &u.LastName, &u.IsGuest, &u.Status,
		&rank, &ents, &fields, &updated); err != nil {
		return nil, err
	}
	u.Role = "collaborator"
	if rank >= latchkey.RankOwner {
		u.Role = "owner"
	}
	var keys []string
	if err := json.Unmarshal([]byte(ents), &keys); err != nil {
		return nil, err
	}
	for _, k := range keys {
		u.Entitlements = append(u.Entitlements, latchkey.Entitlement{Key: k, Value: k, Group: latchkey.EntitlementPrimary})
	}
	if fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &u.DynamicFields); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = fromMicros(updated)
	return &u, nil
}

// resolveEntitlements fills each user's entitlements from the catalogue;
// a key the catalogue lacks keeps the bare key.
func (tx *Tx) resolveEntitlements(ctx context.Context, workspaceID, integrationID string, users []*latchkey.IntegrationUser) error {
	if len(users) == 0 {
		return nil
	}
	catalogue, err := tx.Entitlements(ctx, workspaceID, integrationID)
	if err != nil {
		return err
	}
	byKey := make(map[string]latchkey.Entitlement, len(catalogue))
	for _, e := range catalogue {
		byKey[e.Key] = e
	}
	for _, u := range users {
		for i, e := range u.Entitlements {
			if full, ok := byKey[e.Key]; ok {
				u.Entitlements[i] = full
			}
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
