package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

// lockAccess serializes the changes to effective roles within a
// workspace. On PostgreSQL, two transactions under READ COMMITTED could
// otherwise each rebuild item_access from a snapshot missing the other's
// change — a membership removed while a team grant is added would leave the
// removed member with access. It is taken before any grant or membership
// changes, and held until commit. SQLite's one writer serializes already.
func (tx *Tx) lockAccess(ctx context.Context, workspaceID string) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 7011))`, workspaceID)
	return err
}

// Grant gives a user or team a role on an item (or changes it) and refreshes
// the effective roles it affects.
func (tx *Tx) Grant(ctx context.Context, g *latchkey.Grant) error {
	if err := tx.lockAccess(ctx, g.WorkspaceID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO item_grants (workspace_id, item_id, member_type, member_id, item_type, rank, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, item_id, member_type, member_id) DO UPDATE SET rank = excluded.rank`,
		g.WorkspaceID, g.ItemID, string(g.MemberType), g.MemberID, string(g.ItemType), int(g.Rank), micros(g.CreatedAt), g.CreatedBy); err != nil {
		return err
	}
	return tx.refreshItemAccess(ctx, g.WorkspaceID, g.ItemID)
}

// Revoke removes a member's grant on an item.
func (tx *Tx) Revoke(ctx context.Context, workspaceID, itemID string, memberType latchkey.MemberType, memberID string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM item_grants WHERE workspace_id = ? AND item_id = ? AND member_type = ? AND member_id = ?`,
		workspaceID, itemID, string(memberType), memberID)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return tx.refreshItemAccess(ctx, workspaceID, itemID)
}

// ForgetItem removes every grant and effective role on an item being deleted.
func (tx *Tx) ForgetItem(ctx context.Context, workspaceID, itemID string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM item_grants WHERE workspace_id = ? AND item_id = ?`, workspaceID, itemID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM item_access WHERE workspace_id = ? AND item_id = ?`, workspaceID, itemID)
	return err
}

// ItemGrant returns one member's direct grant on an item.
func (tx *Tx) ItemGrant(ctx context.Context, workspaceID, itemID string, memberType latchkey.MemberType, memberID string) (*latchkey.Grant, error) {
	g := latchkey.Grant{WorkspaceID: workspaceID, ItemID: itemID, MemberType: memberType, MemberID: memberID}
	var created int64
	err := tx.queryRow(ctx, `SELECT item_type, rank, created_at, created_by FROM item_grants
		WHERE workspace_id = ? AND item_id = ? AND member_type = ? AND member_id = ?`,
		workspaceID, itemID, string(memberType), memberID).Scan(&g.ItemType, &g.Rank, &created, &g.CreatedBy)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	g.CreatedAt = fromMicros(created)
	return &g, nil
}

// ItemGrants lists the direct grants of one member type on an item, oldest first.
func (tx *Tx) ItemGrants(ctx context.Context, workspaceID, itemID string, memberType latchkey.MemberType, page latchkey.Page) ([]*latchkey.Grant, int, error) {
	total, err := tx.count(ctx, `SELECT COUNT(*) FROM item_grants WHERE workspace_id = ? AND item_id = ? AND member_type = ?`,
		workspaceID, itemID, string(memberType))
	if err != nil || total <= page.Offset() {
		return nil, total, err
	}
	rows, err := tx.query(ctx, `SELECT member_id, item_type, rank, created_at, created_by FROM item_grants
		WHERE workspace_id = ? AND item_id = ? AND member_type = ?
		ORDER BY created_at, member_id LIMIT ? OFFSET ?`,
		workspaceID, itemID, string(memberType), page.Size, page.Offset())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*latchkey.Grant
	for rows.Next() {
		g := latchkey.Grant{WorkspaceID: workspaceID, ItemID: itemID, MemberType: memberType}
		var created int64
		if err := rows.Scan(&g.MemberID, &g.ItemType, &g.Rank, &created, &g.CreatedBy); err != nil {
			return nil, 0, err
		}
		g.CreatedAt = fromMicros(created)
		out = append(out, &g)
	}
	return out, total, rows.Err()
}

// CountOwners counts the grants holding the owner rank on an item, so the
// last owner is never removed.
func (tx *Tx) CountOwners(ctx context.Context, workspaceID, itemID string) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM item_grants WHERE workspace_id = ? AND item_id = ? AND rank >= ?`,
		workspaceID, itemID, int(latchkey.RankOwner))
}

// AccessRank returns a user's effective role on an item; RankNone when none.
func (tx *Tx) AccessRank(ctx context.Context, workspaceID, userID string, itemType latchkey.ItemType, itemID string) (latchkey.Rank, error) {
	var r latchkey.Rank
	err := tx.queryRow(ctx, `SELECT rank FROM item_access WHERE workspace_id = ? AND user_id = ? AND item_type = ? AND item_id = ?`,
		workspaceID, userID, string(itemType), itemID).Scan(&r)
	if err != nil {
		if latchkey.IsCode(tx.db.translate(err), latchkey.ENotFound) {
			return latchkey.RankNone, nil
		}
		return 0, err
	}
	return r, nil
}

// effectiveAccess derives effective roles from grants: directly to a user,
// or to a team the user is in. The highest rank wins. The caller adds the
// WHERE conditions for the grant rows ({{g}}) it is recomputing.
const effectiveAccess = `
INSERT INTO item_access (workspace_id, user_id, item_type, item_id, rank)
SELECT workspace_id, user_id, item_type, item_id, MAX(rank) FROM (
	SELECT g.workspace_id, g.member_id AS user_id, g.item_type, g.item_id, g.rank
	FROM item_grants g
	WHERE g.member_type = 'user' AND %s
	UNION ALL
	SELECT g.workspace_id, m.user_id, g.item_type, g.item_id, g.rank
	FROM item_grants g
	JOIN team_members m ON m.workspace_id = g.workspace_id AND m.team_id = g.member_id
	WHERE g.member_type = 'team' AND %s
) paths
GROUP BY workspace_id, user_id, item_type, item_id`

// refreshItemAccess recomputes every user's effective role on one item.
func (tx *Tx) refreshItemAccess(ctx context.Context, workspaceID, itemID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM item_access WHERE workspace_id = ? AND item_id = ?`, workspaceID, itemID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, sprintf2(effectiveAccess,
		`g.workspace_id = ? AND g.item_id = ?`,
		`g.workspace_id = ? AND g.item_id = ?`), workspaceID, itemID, workspaceID, itemID)
	return err
}

// refreshUserAccess recomputes one user's effective role on every item,
// after the user joined or left a team.
func (tx *Tx) refreshUserAccess(ctx context.Context, workspaceID, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM item_access WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, sprintf2(effectiveAccess,
		`g.workspace_id = ? AND g.member_id = ?`,
		`g.workspace_id = ? AND m.user_id = ?`), workspaceID, userID, workspaceID, userID)
	return err
}
