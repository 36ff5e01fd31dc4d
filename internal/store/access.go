package store

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// Effective roles. item_access holds, for every user and every item they
// can reach, the highest rank over every path:
//
//	a grant to the user on the item;
//	a grant to a team the user is in, on the item;
//	a grant (to the user, or a team of theirs) on a collection that holds
//	the item, directly or in a sub-collection at any depth;
//	for collections themselves, a grant on the collection or any ancestor.
//
// It is rebuilt for a set of items (when grants on them, their collections
// or collection membership change) or for a set of users (when their teams
// change), always inside the transaction making the change, after
// lockAccess. access_counts moves by the difference, so totals stay exact.

// accessArm is one path to an item: the query and the columns naming its
// item and its user, so a rebuild can restrict it either way.
type accessArm struct{ sql, itemCol, userCol string }

// accessArms returns the paths joined in the order that suits the rebuild:
// starting from the items when rebuilding items (or everything), from the
// user's grants and teams when rebuilding users. SQLite keeps the order of
// a CROSS JOIN as written; without statistics it would otherwise pick,
// say, every grant times every collection item. PostgreSQL reads CROSS JOIN
// as a plain inner join and plans as it likes.
func accessArms(byUser bool) []accessArm {
	direct := accessArm{`SELECT g.workspace_id AS workspace_id, g.member_id AS user_id, g.item_type AS item_type, g.item_id AS item_id, g.rank AS rank
	FROM item_grants g
	WHERE g.workspace_id = ? AND g.member_type = 'user' AND g.item_type <> 'collection'`, "g.item_id", "g.member_id"}
	if !byUser {
		return []accessArm{direct,
			{`SELECT g.workspace_id, m.user_id, g.item_type, g.item_id, g.rank
	FROM item_grants g CROSS JOIN team_members m
	WHERE m.workspace_id = g.workspace_id AND m.team_id = g.member_id
	AND g.workspace_id = ? AND g.member_type = 'team' AND g.item_type <> 'collection'`, "g.item_id", "m.user_id"},
			{`SELECT ci.workspace_id, g.member_id, ci.item_type, ci.item_id, g.rank
	FROM collection_items ci CROSS JOIN collection_closure cc CROSS JOIN item_grants g
	WHERE cc.workspace_id = ci.workspace_id AND cc.descendant_id = ci.collection_id
	AND g.workspace_id = cc.workspace_id AND g.item_id = cc.ancestor_id AND g.member_type = 'user'
	AND ci.workspace_id = ?`, "ci.item_id", "g.member_id"},
			{`SELECT ci.workspace_id, m.user_id, ci.item_type, ci.item_id, g.rank
	FROM collection_items ci CROSS JOIN collection_closure cc CROSS JOIN item_grants g CROSS JOIN team_members m
	WHERE cc.workspace_id = ci.workspace_id AND cc.descendant_id = ci.collection_id
	AND g.workspace_id = cc.workspace_id AND g.item_id = cc.ancestor_id AND g.member_type = 'team'
	AND m.workspace_id = g.workspace_id AND m.team_id = g.member_id
	AND ci.workspace_id = ?`, "ci.item_id", "m.user_id"},
			{`SELECT cc.workspace_id, g.member_id, 'collection', cc.descendant_id, g.rank
	FROM collection_closure cc CROSS JOIN item_grants g
	WHERE g.workspace_id = cc.workspace_id AND g.item_id = cc.ancestor_id AND g.member_type = 'user'
	AND cc.workspace_id = ?`, "cc.descendant_id", "g.member_id"},
			{`SELECT cc.workspace_id, m.user_id, 'collection', cc.descendant_id, g.rank
	FROM collection_closure cc CROSS JOIN item_grants g CROSS JOIN team_members m
	WHERE g.workspace_id = cc.workspace_id AND g.item_id = cc.ancestor_id AND g.member_type = 'team'
	AND m.workspace_id = g.workspace_id AND m.team_id = g.member_id
	AND cc.workspace_id = ?`, "cc.descendant_id", "m.user_id"},
		}
	}
	return []accessArm{direct,
		{`SELECT g.workspace_id, m.user_id, g.item_type, g.item_id, g.rank
	FROM team_members m CROSS JOIN item_grants g
	WHERE g.workspace_id = m.workspace_id AND g.member_type = 'team' AND g.member_id = m.team_id
	AND m.workspace_id = ? AND g.item_type <> 'collection'`, "g.item_id", "m.user_id"},
		{`SELECT ci.workspace_id, g.member_id, ci.item_type, ci.item_id, g.rank
	FROM item_grants g CROSS JOIN collection_closure cc CROSS JOIN collection_items ci
	WHERE g.member_type = 'user' AND g.item_type = 'collection'
	AND cc.workspace_id = g.workspace_id AND cc.ancestor_id = g.item_id
	AND ci.workspace_id = cc.workspace_id AND ci.collection_id = cc.descendant_id
	AND g.workspace_id = ?`, "ci.item_id", "g.member_id"},
		{`SELECT ci.workspace_id, m.user_id, ci.item_type, ci.item_id, g.rank
	FROM team_members m CROSS JOIN item_grants g CROSS JOIN collection_closure cc CROSS JOIN collection_items ci
	WHERE g.workspace_id = m.workspace_id AND g.member_type = 'team' AND g.member_id = m.team_id AND g.item_type = 'collection'
	AND cc.workspace_id = g.workspace_id AND cc.ancestor_id = g.item_id
	AND ci.workspace_id = cc.workspace_id AND ci.collection_id = cc.descendant_id
	AND m.workspace_id = ?`, "ci.item_id", "m.user_id"},
		{`SELECT cc.workspace_id, g.member_id, 'collection', cc.descendant_id, g.rank
	FROM item_grants g CROSS JOIN collection_closure cc
	WHERE g.member_type = 'user' AND g.item_type = 'collection'
	AND cc.workspace_id = g.workspace_id AND cc.ancestor_id = g.item_id
	AND g.workspace_id = ?`, "cc.descendant_id", "g.member_id"},
		{`SELECT cc.workspace_id, m.user_id, 'collection', cc.descendant_id, g.rank
	FROM team_members m CROSS JOIN item_grants g CROSS JOIN collection_closure cc
	WHERE g.workspace_id = m.workspace_id AND g.member_type = 'team' AND g.member_id = m.team_id AND g.item_type = 'collection'
	AND cc.workspace_id = g.workspace_id AND cc.ancestor_id = g.item_id
	AND m.workspace_id = ?`, "cc.descendant_id", "m.user_id"},
	}
}

// deriveAccess builds the INSERT that rebuilds item_access for the rows
// whose item (or, byUser, whose user) is one of values.
func deriveAccess(workspaceID string, byUser bool, values []string) (string, []any) {
	in := " IN (" + placeholders(len(values)) + ")"
	return derive(workspaceID, accessArms(byUser), func(arm accessArm) (string, []any) {
		col := arm.itemCol
		if byUser {
			col = arm.userCol
		}
		args := make([]any, len(values))
		for i, v := range values {
			args[i] = v
		}
		return col + in, args
	})
}

// derivePair is deriveAccess for one user's role on one item.
func derivePair(workspaceID, userID, itemID string) (string, []any) {
	return derive(workspaceID, accessArms(false), func(arm accessArm) (string, []any) {
		return arm.itemCol + " = ? AND " + arm.userCol + " = ?", []any{itemID, userID}
	})
}

// derive joins the arms, each narrowed by the condition restrict gives it,
// into one INSERT of the highest rank per user and item. Every arm takes
// the workspace, then restrict's arguments.
func derive(workspaceID string, arms []accessArm, restrict func(accessArm) (string, []any)) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(`INSERT INTO item_access (workspace_id, user_id, item_type, item_id, rank)
SELECT workspace_id, user_id, item_type, item_id, MAX(rank) FROM (`)
	for i, arm := range arms {
		if i > 0 {
			b.WriteString("\nUNION ALL\n")
		}
		cond, condArgs := restrict(arm)
		b.WriteString(arm.sql + " AND " + cond)
		args = append(append(args, workspaceID), condArgs...)
	}
	b.WriteString(`) paths
GROUP BY workspace_id, user_id, item_type, item_id`)
	return b.String(), args
}

// refreshPair rebuilds one user's effective role on one item: all that a
// change of that user's own grant on an account or secret can move. A
// rebuild of the whole item would cost as much as it has members, which
// an integration inviting its thousandth person would pay each time.
func (tx *Tx) refreshPair(ctx context.Context, workspaceID, userID, itemID string) error {
	q, qargs := derivePair(workspaceID, userID, itemID)
	return tx.rebuild(ctx, workspaceID, ` WHERE workspace_id = ? AND user_id = ? AND item_id = ?`,
		[]any{workspaceID, userID, itemID}, q, qargs)
}

// chunk bounds the values in one IN list.
const chunk = 400

// refreshItems rebuilds every user's effective role on the given items.
func (tx *Tx) refreshItems(ctx context.Context, workspaceID string, itemIDs []string) error {
	for len(itemIDs) > 0 {
		n := min(len(itemIDs), chunk)
		if err := tx.refresh(ctx, workspaceID, false, itemIDs[:n]); err != nil {
			return err
		}
		itemIDs = itemIDs[n:]
	}
	return nil
}

// refreshUsers rebuilds the given users' effective roles on every item.
func (tx *Tx) refreshUsers(ctx context.Context, workspaceID string, userIDs []string) error {
	for len(userIDs) > 0 {
		n := min(len(userIDs), chunk)
		if err := tx.refresh(ctx, workspaceID, true, userIDs[:n]); err != nil {
			return err
		}
		userIDs = userIDs[n:]
	}
	return nil
}

type countKey struct{ user, itemType string }
type countVal struct{ total, owned int64 }

func (tx *Tx) refresh(ctx context.Context, workspaceID string, byUser bool, values []string) error {
	col := "item_id"
	if byUser {
		col = "user_id"
	}
	args := []any{workspaceID}
	for _, v := range values {
		args = append(args, v)
	}
	q, qargs := deriveAccess(workspaceID, byUser, values)
	return tx.rebuild(ctx, workspaceID, ` WHERE workspace_id = ? AND `+col+` IN (`+placeholders(len(values))+`)`, args, q, qargs)
}

// rebuild replaces the item_access rows matching where with what derive
// inserts, and moves access_counts by the difference.
func (tx *Tx) rebuild(ctx context.Context, workspaceID, where string, args []any, derive string, deriveArgs []any) error {
	before, err := tx.accessCounts(ctx, where, args)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM item_access`+where, args...); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, derive, deriveArgs...); err != nil {
		return err
	}
	after, err := tx.accessCounts(ctx, where, args)
	if err != nil {
		return err
	}
	return tx.applyCountDeltas(ctx, workspaceID, before, after)
}

// accessCounts sums the item_access rows matching where, by user and type.
func (tx *Tx) accessCounts(ctx context.Context, where string, args []any) (map[countKey]countVal, error) {
	rows, err := tx.query(ctx, `SELECT user_id, item_type, COUNT(*), SUM(CASE WHEN rank >= 3 THEN 1 ELSE 0 END) FROM item_access`+
		where+` GROUP BY user_id, item_type`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[countKey]countVal{}
	for rows.Next() {
		var k countKey
		var v countVal
		if err := rows.Scan(&k.user, &k.itemType, &v.total, &v.owned); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// applyCountDeltas moves access_counts by after − before for every user and
// type that had or has rows, bumping their version.
func (tx *Tx) applyCountDeltas(ctx context.Context, workspaceID string, before, after map[countKey]countVal) error {
	keys := map[countKey]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range keys {
		dt, do := after[k].total-before[k].total, after[k].owned-before[k].owned
		if _, err := tx.exec(ctx, `INSERT INTO access_counts (workspace_id, user_id, item_type, total, owned, version)
			VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (workspace_id, user_id, item_type) DO UPDATE SET
				total = access_counts.total + excluded.total,
				owned = access_counts.owned + excluded.owned,
				version = access_counts.version + 1`,
			workspaceID, k.user, k.itemType, dt, do); err != nil {
			return err
		}
	}
	return nil
}

// VisibleCount returns how many items of a type a user may see (with
// minRank owner: owns) and the version of that count, in one row.
func (tx *Tx) VisibleCount(ctx context.Context, workspaceID, userID string, itemType latchkey.ItemType, minRank latchkey.Rank) (total int, version int64, err error) {
	col := "total"
	if minRank >= latchkey.RankOwner {
		col = "owned"
	}
	err = tx.queryRow(ctx, `SELECT `+col+`, version FROM access_counts WHERE workspace_id = ? AND user_id = ? AND item_type = ?`,
		workspaceID, nullableID(userID), string(itemType)).Scan(&total, &version)
	if err != nil && latchkey.IsCode(tx.db.translate(err), latchkey.ENotFound) {
		return 0, 0, nil
	}
	return total, version, tx.db.translate(err)
}
