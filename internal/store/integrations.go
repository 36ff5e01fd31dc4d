package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// connectorSettings is the part of a connector's configuration that is not
// secret, kept as JSON. The secrets travel sealed, in sealed_config.
type connectorSettings struct {
	Recipe  json.RawMessage `json:"recipe,omitempty"`
	Timeout time.Duration   `json:"timeoutNs,omitempty"`
	Seats   int             `json:"seats,omitempty"`
	Options map[string]any  `json:"options,omitempty"`
}

func settingsOf(c latchkey.ConnectorConfig) (string, error) {
	b, err := json.Marshal(connectorSettings{Recipe: c.Recipe, Timeout: c.Timeout, Seats: c.Seats, Options: c.Options})
	return string(b), err
}

// CreateIntegration connects the account in.Account (already created in
// this transaction) through its connector. sealed holds the connector's
// secrets, sealed by core.
func (tx *Tx) CreateIntegration(ctx context.Context, in *latchkey.Integration, sealed []byte) error {
	settings, err := settingsOf(in.Connector)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO integrations (workspace_id, account_id, connector, url, config, sealed_config, synced_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.WorkspaceID, in.ID, string(in.Connector.Kind), in.Connector.URL, settings, sealed, nullMicros(in.SyncedAt),
		micros(in.CreatedAt), micros(in.UpdatedAt))
	return tx.db.translate(err)
}

// MarkIntegrationSynced records when the application's users were last
// imported.
func (tx *Tx) MarkIntegrationSynced(ctx context.Context, workspaceID, id string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE integrations SET synced_at = ?, updated_at = ? WHERE workspace_id = ? AND account_id = ?`,
		micros(at), micros(at), workspaceID, id)
	return err
}

// Integration reads one integration as userID sees it (Rank set from their
// effective role; "" for the operator and the system) and its sealed
// connector secrets. An account that is not an integration is not found.
func (tx *Tx) Integration(ctx context.Context, workspaceID, id, userID string) (*latchkey.Integration, []byte, error) {
	var (
		in       latchkey.Integration
		rank     latchkey.Rank
		kind     string
		settings string
		sealed   []byte
		synced   nullTime
	)
	a, err := scanAccount(tx.queryRow(ctx, `SELECT `+accountColumns+`, COALESCE(x.rank, 0), i.connector, i.url, i.config, i.sealed_config, i.synced_at
		FROM integrations i
		JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'account' AND x.item_id = a.id
		WHERE i.workspace_id = ? AND i.account_id = ?`, nullableID(userID), workspaceID, id),
		&rank, &kind, &in.Connector.URL, &settings, &sealed, &synced)
	if err != nil {
		return nil, nil, tx.db.translate(err)
	}
	a.Rank = rank
	in.Account = *a
	in.Connector.Kind = latchkey.ConnectorKind(kind)
	in.SyncedAt = synced.ptr()
	var s connectorSettings
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		return nil, nil, err
	}
	in.Connector.Recipe, in.Connector.Timeout, in.Connector.Seats, in.Connector.Options = s.Recipe, s.Timeout, s.Seats, s.Options
	return &in, sealed, nil
}

// ListIntegrations pages through the integrations vis allows, in creation
// order, optionally of some applications only.
func (tx *Tx) ListIntegrations(ctx context.Context, workspaceID string, vis Visibility, applications []string, page latchkey.Page) ([]*latchkey.Integration, int, error) {
	from := `FROM integrations i JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id
		WHERE i.workspace_id = ?`
	args := []any{workspaceID}
	if !vis.All {
		from = `FROM item_access x
			JOIN integrations i ON i.workspace_id = x.workspace_id AND i.account_id = x.item_id
			JOIN accounts a ON a.workspace_id = i.workspace_id AND a.id = i.account_id
			WHERE x.workspace_id = ? AND x.user_id = ? AND x.item_type = 'account' AND x.rank >= ?`
		args = append(args, vis.UserID, int(vis.MinRank))
	}
	if len(applications) > 0 {
		from += ` AND a.application IN (` + placeholders(len(applications)) + `)`
		for _, app := range applications {
			args = append(args, app)
		}
	}
	return listPage(ctx, tx, from, args, "a.id", `SELECT `+accountColumns+`, `+rankColumn(vis)+`, i.connector, i.url, i.synced_at `, page, -1, "", 0,
		func(row interface{ Scan(...any) error }) (*latchkey.Integration, error) {
			var (
				in     latchkey.Integration
				rank   latchkey.Rank
				kind   string
				synced nullTime
			)
			a, err := scanAccount(row, &rank, &kind, &in.Connector.URL, &synced)
			if err != nil {
				return nil, err
			}
			a.Rank = rank
			in.Account = *a
			in.Connector.Kind = latchkey.ConnectorKind(kind)
			in.SyncedAt = synced.ptr()
			return &in, nil
		})
}

// ReplaceEntitlements sets the entitlements an integration offers.
func (tx *Tx) ReplaceEntitlements(ctx context.Context, workspaceID, integrationID string, ents []latchkey.Entitlement) error {
	if _, err := tx.exec(ctx, `DELETE FROM integration_entitlements WHERE workspace_id = ? AND integration_id = ?`, workspaceID, integrationID); err != nil {
		return err
	}
	for i, e := range ents {
		_, err := tx.exec(ctx, `INSERT INTO integration_entitlements (workspace_id, integration_id, key, grp, label, value, position)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, workspaceID, integrationID, e.Key, string(e.Group), e.Label, e.Value, i)
		if err != nil {
			return tx.db.translate(err)
		}
	}
	return nil
}

// Entitlements lists what an integration offers, in the application's order.
func (tx *Tx) Entitlements(ctx context.Context, workspaceID, integrationID string) ([]latchkey.Entitlement, error) {
	rows, err := tx.query(ctx, `SELECT key, grp, label, value FROM integration_entitlements
		WHERE workspace_id = ? AND integration_id = ? ORDER BY position`, workspaceID, integrationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []latchkey.Entitlement
	for rows.Next() {
		var e latchkey.Entitlement
		if err := rows.Scan(&e.Key, &e.Group, &e.Label, &e.Value); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
