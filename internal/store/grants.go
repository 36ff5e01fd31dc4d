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

// lockPair is lockAccess for a change that moves one user's role on one
// item only (their own grant on an account or secret): it shares the
// workspace lock with other such changes, so they run side by side, and
// excludes the changes that rebuild whole items or users, which take it
// alone. Two changes of the same pair still take turns.
func (tx *Tx) lockPair(ctx context.Context, workspaceID, userID, itemID string) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 7011)), pg_advisory_xact_lock(hashtextextended(?, 7012))`,
		workspaceID, workspaceID+"/"+userID+"/"+itemID)
	return err
}

// pairOnly reports whether a grant of this member on this item moves no
// role but the member's own on the item.
func pairOnly(memberType latchkey.MemberType, itemType latchkey.ItemType) bool {
	return memberType == latchkey.MemberUser && itemType != latchkey.ItemCollection
}

// lockFor takes the lock a change of one member's grant on one item needs.
func (tx *Tx) lockFor(ctx context.Context, workspaceID string, memberType latchkey.MemberType, memberID string, itemType latchkey.ItemType, itemID string) error {
	if pairOnly(memberType, itemType) {
		return tx.lockPair(ctx, workspaceID, memberID, itemID)
	}
	return tx.lockAccess(ctx, workspaceID)
}

// Grant gives a user or team a role on an item (or changes it) and refreshes
// the effective roles it affects.
func (tx *Tx) Grant(ctx context.Context, g *latchkey.Grant) error {
	if err := tx.lockFor(ctx, g.WorkspaceID, g.MemberType, g.MemberID, g.ItemType, g.ItemID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO item_grants (workspace_id, item_id, member_type, member_id, item_type, rank, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, item_id, member_type, member_id) DO UPDATE SET rank = excluded.rank`,
		g.WorkspaceID, g.ItemID, string(g.MemberType), g.MemberID, string(g.ItemType), int(g.Rank), micros(g.CreatedAt), g.CreatedBy); err != nil {
		return err
	}
	if pairOnly(g.MemberType, g.ItemType) {
		return tx.refreshPair(ctx, g.WorkspaceID, g.MemberID, g.ItemID)
	}
	return tx.refreshGranted(ctx, g.WorkspaceID, g.ItemType, g.ItemID)
}

// GrantMany gives one member the same rank on many items at once and
// rebuilds them in chunks: for reassigning what a departing member owned.
func (tx *Tx) GrantMany(ctx context.Context, workspaceID string, items []ItemRef, memberType latchkey.MemberType, memberID string, rank latchkey.Rank, at int64, by string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	var collections, others []string
	for _, it := range items {
		if _, err := tx.exec(ctx, `INSERT INTO item_grants (workspace_id, item_id, member_type, member_id, item_type, rank, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, item_id, member_type, member_id) DO UPDATE SET rank = excluded.rank`,
			workspaceID, it.ID, string(memberType), memberID, string(it.Type), int(rank), at, by); err != nil {
			return err
		}
		if it.Type == latchkey.ItemCollection {
			collections = append(collections, it.ID)
		} else {
			others = append(others, it.ID)
		}
	}
	for _, c := range collections {
		if err := tx.refreshGranted(ctx, workspaceID, latchkey.ItemCollection, c); err != nil {
			return err
		}
	}
	return tx.refreshItems(ctx, workspaceID, others)
}

// Revoke removes a member's grant on an item.
func (tx *Tx) Revoke(ctx context.Context, workspaceID, itemID string, memberType latchkey.MemberType, memberID string) error {
	// An item's type never changes, so it can be read before locking.
	var itemType latchkey.ItemType
	if err := tx.queryRow(ctx, `SELECT item_type FROM item_grants WHERE workspace_id = ? AND item_id = ? AND member_type = ? AND member_id = ?`,
		workspaceID, itemID, string(memberType), memberID).Scan(&itemType); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.lockFor(ctx, workspaceID, memberType, memberID, itemType, itemID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM item_grants WHERE workspace_id = ? AND item_id = ? AND member_type = ? AND member_id = ?`,
		workspaceID, itemID, string(memberType), memberID); err != nil {
		return err
	}
	if pairOnly(memberType, itemType) {
		return tx.refreshPair(ctx, workspaceID, memberID, itemID)
	}
	return tx.refreshGranted(ctx, workspaceID, itemType, itemID)
}

// ForgetItem removes every grant on an account or secret being deleted, its
// place in collections, and every effective role on it.
func (tx *Tx) ForgetItem(ctx context.Context, workspaceID, itemID string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM item_grants WHERE workspace_id = ? AND item_id = ?`,
		`DELETE FROM collection_items WHERE workspace_id = ? AND item_id = ?`,
	} {
		if _, err := tx.exec(ctx, q, workspaceID, itemID); err != nil {
			return err
		}
	}
	// With no grants and no collections left, the rebuild leaves no rows.
	return tx.refreshItems(ctx, workspaceID, []string{itemID})
}

// refreshGranted rebuilds what a grant on an item reaches: the item, or for
// a collection everything under it.
func (tx *Tx) refreshGranted(ctx context.Context, workspaceID string, itemType latchkey.ItemType, itemID string) error {
	if itemType != latchkey.ItemCollection {
		return tx.refreshItems(ctx, workspaceID, []string{itemID})
	}
	ids, err := tx.subtreeItems(ctx, workspaceID, itemID)
	if err != nil {
		return err
	}
	return tx.refreshItems(ctx, workspaceID, ids)
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

// ItemGrants lists the direct grants of one member type on an item, by member.
func (tx *Tx) ItemGrants(ctx context.Context, workspaceID, itemID string, memberType latchkey.MemberType, page latchkey.Page) ([]*latchkey.Grant, int, error) {
	return listPage(ctx, tx, `FROM item_grants g WHERE g.workspace_id = ? AND g.item_id = ? AND g.member_type = ?`,
		[]any{workspaceID, itemID, string(memberType)}, "g.member_id", `SELECT g.member_id, g.item_type, g.rank, g.created_at, g.created_by `,
		page, -1, "", 0, func(row interface{ Scan(...any) error }) (*latchkey.Grant, error) {
			g := latchkey.Grant{WorkspaceID: workspaceID, ItemID: itemID, MemberType: memberType}
			var created int64
			if err := row.Scan(&g.MemberID, &g.ItemType, &g.Rank, &created, &g.CreatedBy); err != nil {
				return nil, err
			}
			g.CreatedAt = fromMicros(created)
			return &g, nil
		})
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
