package store

import (
	"context"
	"encoding/json"

	"github.com/latchkeyhq/latchkey"
)

const collectionColumns = `a.workspace_id, a.id, a.parent_id, a.name, a.status, a.meta, a.created_at, a.created_by, a.updated_at, a.updated_by`

func scanCollection(row interface{ Scan(...any) error }, extra ...any) (*latchkey.Collection, error) {
	var (
		c                latchkey.Collection
		parent           *string
		meta             string
		created, updated int64
	)
	if err := row.Scan(append([]any{&c.WorkspaceID, &c.ID, &parent, &c.Name, &c.Status, &meta, &created, &c.CreatedBy, &updated, &c.UpdatedBy}, extra...)...); err != nil {
		return nil, err
	}
	if parent != nil {
		c.ParentID = *parent
	}
	if meta != "" && meta != "{}" {
		if err := json.Unmarshal([]byte(meta), &c.Meta); err != nil {
			return nil, err
		}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

func collectionMeta(c *latchkey.Collection) (string, error) {
	if len(c.Meta) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c.Meta)
	return string(b), err
}

func duplicateCollection(err error, name string) error {
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A collection named %q already exists in the same place.", name)
	}
	return err
}

// CreateCollection inserts c under its parent (if any) and links it into
// the closure.
func (tx *Tx) CreateCollection(ctx context.Context, c *latchkey.Collection) error {
	meta, err := collectionMeta(c)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO collections (workspace_id, id, parent_id, parent_key, name, name_key, status, meta, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.WorkspaceID, c.ID, nullableID(c.ParentID), c.ParentID, c.Name, nameKey(c.Name), string(c.Status), meta,
		micros(c.CreatedAt), c.CreatedBy, micros(c.UpdatedAt), c.UpdatedBy)
	if err := duplicateCollection(err, c.Name); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO collection_closure (workspace_id, ancestor_id, descendant_id, depth) VALUES (?, ?, ?, 0)`,
		c.WorkspaceID, c.ID, c.ID); err != nil {
		return err
	}
	if c.ParentID != "" {
		if _, err := tx.exec(ctx, `INSERT INTO collection_closure (workspace_id, ancestor_id, descendant_id, depth)
			SELECT workspace_id, ancestor_id, ?, depth + 1 FROM collection_closure WHERE workspace_id = ? AND descendant_id = ?`,
			c.ID, c.WorkspaceID, c.ParentID); err != nil {
			return err
		}
	}
	return tx.bump(ctx, c.WorkspaceID, countCollections, 1)
}

// UpdateCollection writes c's name, status and meta.
func (tx *Tx) UpdateCollection(ctx context.Context, c *latchkey.Collection) error {
	meta, err := collectionMeta(c)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE collections SET name = ?, name_key = ?, status = ?, meta = ?, updated_at = ?, updated_by = ?
		WHERE workspace_id = ? AND id = ?`,
		c.Name, nameKey(c.Name), string(c.Status), meta, micros(c.UpdatedAt), c.UpdatedBy, c.WorkspaceID, c.ID)
	return mustAffect(res, duplicateCollection(err, c.Name))
}

// IsWithin reports whether descendant is ancestor or lies under it.
func (tx *Tx) IsWithin(ctx context.Context, workspaceID, ancestor, descendant string) (bool, error) {
	n, err := tx.count(ctx, `SELECT COUNT(*) FROM collection_closure WHERE workspace_id = ? AND ancestor_id = ? AND descendant_id = ?`,
		workspaceID, ancestor, descendant)
	return n > 0, err
}

// MoveCollection puts c (already read) under parent ("" for the top),
// carrying its subtree, and rebuilds what the move changes. The caller has
// checked that parent is not inside c.
func (tx *Tx) MoveCollection(ctx context.Context, c *latchkey.Collection, parent string) error {
	if err := tx.lockAccess(ctx, c.WorkspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE collections SET parent_id = ?, parent_key = ?, updated_at = ?, updated_by = ? WHERE workspace_id = ? AND id = ?`,
		nullableID(parent), parent, micros(c.UpdatedAt), c.UpdatedBy, c.WorkspaceID, c.ID)
	if err := mustAffect(res, duplicateCollection(err, c.Name)); err != nil {
		return err
	}
	// Cut the subtree loose from its old ancestors…
	if _, err := tx.exec(ctx, `DELETE FROM collection_closure WHERE workspace_id = ?
		AND descendant_id IN (SELECT descendant_id FROM collection_closure WHERE workspace_id = ? AND ancestor_id = ?)
		AND ancestor_id NOT IN (SELECT descendant_id FROM collection_closure WHERE workspace_id = ? AND ancestor_id = ?)`,
		c.WorkspaceID, c.WorkspaceID, c.ID, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	// …and tie it to the new ones.
	if parent != "" {
		if _, err := tx.exec(ctx, `INSERT INTO collection_closure (workspace_id, ancestor_id, descendant_id, depth)
			SELECT a.workspace_id, a.ancestor_id, s.descendant_id, a.depth + s.depth + 1
			FROM collection_closure a, collection_closure s
			WHERE a.workspace_id = ? AND a.descendant_id = ? AND s.workspace_id = ? AND s.ancestor_id = ?`,
			c.WorkspaceID, parent, c.WorkspaceID, c.ID); err != nil {
			return err
		}
	}
	c.ParentID = parent
	ids, err := tx.subtreeItems(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	return tx.refreshItems(ctx, c.WorkspaceID, ids)
}

// DeleteCollection removes a collection and everything under it. The
// accounts and secrets it held stay; they leave the collections, and every
// role that came through them ends.
func (tx *Tx) DeleteCollection(ctx context.Context, workspaceID, id string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	affected, err := tx.subtreeItems(ctx, workspaceID, id)
	if err != nil {
		return err
	}
	sub, err := tx.strings(ctx, `SELECT descendant_id FROM collection_closure WHERE workspace_id = ? AND ancestor_id = ?`, workspaceID, id)
	if err != nil {
		return err
	}
	for len(sub) > 0 {
		n := min(len(sub), chunk)
		in := placeholders(n)
		args := []any{workspaceID}
		for _, s := range sub[:n] {
			args = append(args, s)
		}
		for _, q := range []string{
			`DELETE FROM collection_items WHERE workspace_id = ? AND collection_id IN (` + in + `)`,
			`DELETE FROM item_grants WHERE workspace_id = ? AND item_id IN (` + in + `)`,
			`DELETE FROM collection_closure WHERE workspace_id = ? AND descendant_id IN (` + in + `)`,
			`DELETE FROM collections WHERE workspace_id = ? AND id IN (` + in + `)`,
		} {
			if _, err := tx.exec(ctx, q, args...); err != nil {
				return err
			}
		}
		if err := tx.bump(ctx, workspaceID, countCollections, -n); err != nil {
			return err
		}
		sub = sub[n:]
	}
	return tx.refreshItems(ctx, workspaceID, affected)
}

// subtreeItems lists the collections under (and including) id and every
// account and secret in them: what a role on id reaches.
func (tx *Tx) subtreeItems(ctx context.Context, workspaceID, id string) ([]string, error) {
	return tx.strings(ctx, `SELECT descendant_id FROM collection_closure WHERE workspace_id = ? AND ancestor_id = ?
		UNION
		SELECT ci.item_id FROM collection_items ci
		JOIN collection_closure cc ON cc.workspace_id = ci.workspace_id AND cc.descendant_id = ci.collection_id
		WHERE cc.workspace_id = ? AND cc.ancestor_id = ?`, workspaceID, id, workspaceID, id)
}

// strings runs a query of one text column.
func (tx *Tx) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Collection reads a collection with userID's effective role on it.
func (tx *Tx) Collection(ctx context.Context, workspaceID, id, userID string) (*latchkey.Collection, error) {
	var rank latchkey.Rank
	c, err := scanCollection(tx.queryRow(ctx, `SELECT `+collectionColumns+`, COALESCE(x.rank, 0)
		FROM collections a
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'collection' AND x.item_id = a.id
		WHERE a.workspace_id = ? AND a.id = ?`+tx.forUpdateOf("a"), nullableID(userID), workspaceID, id), &rank)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	c.Rank = rank
	return c, nil
}

// ListCollections pages through the collections vis allows; with parent
// set, only its direct children (which anyone seeing the parent sees).
func (tx *Tx) ListCollections(ctx context.Context, workspaceID string, vis Visibility, parent string, page latchkey.Page) ([]*latchkey.Collection, int, error) {
	var (
		from string
		args []any
		rank = rankColumn(vis)
	)
	if parent != "" {
		from = `FROM collections a LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'collection' AND x.item_id = a.id
			WHERE a.workspace_id = ? AND a.parent_key = ?`
		args = []any{nullableID(vis.UserID), workspaceID, parent}
		rank = "COALESCE(x.rank, 0)"
	} else {
		from, args = visibleItems("collections", latchkey.ItemCollection, workspaceID, vis)
	}
	return listPage(ctx, tx, from, args, "a.id", `SELECT `+collectionColumns+`, `+rank+` `, page, -1, "", 0,
		func(row interface{ Scan(...any) error }) (*latchkey.Collection, error) {
			var r latchkey.Rank
			c, err := scanCollection(row, &r)
			if err == nil {
				c.Rank = r
			}
			return c, err
		})
}

// AddToCollection puts an account or secret in a collection; everyone the
// collection is shared with reaches it at once.
func (tx *Tx) AddToCollection(ctx context.Context, workspaceID, collectionID string, itemType latchkey.ItemType, itemID, by string, at int64) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO collection_items (workspace_id, collection_id, item_id, item_type, added_at, added_by)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, collection_id, item_id) DO NOTHING`,
		workspaceID, collectionID, itemID, string(itemType), at, by); err != nil {
		return err
	}
	return tx.refreshItems(ctx, workspaceID, []string{itemID})
}

// RemoveFromCollection takes an item out of a collection; what came through
// the collection ends at once.
func (tx *Tx) RemoveFromCollection(ctx context.Context, workspaceID, collectionID string, itemType latchkey.ItemType, itemID string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM collection_items WHERE workspace_id = ? AND collection_id = ? AND item_id = ? AND item_type = ?`,
		workspaceID, collectionID, itemID, string(itemType))
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return tx.refreshItems(ctx, workspaceID, []string{itemID})
}

// CollectionAccounts pages through the accounts directly in a collection.
func (tx *Tx) CollectionAccounts(ctx context.Context, workspaceID, collectionID, userID string, page latchkey.Page) ([]*latchkey.Account, int, error) {
	from := `FROM collection_items ci JOIN accounts a ON a.workspace_id = ci.workspace_id AND a.id = ci.item_id
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'account' AND x.item_id = a.id
		WHERE ci.workspace_id = ? AND ci.collection_id = ? AND ci.item_type = 'account'`
	return listPage(ctx, tx, from, []any{nullableID(userID), workspaceID, collectionID}, "a.id",
		`SELECT `+accountColumns+`, COALESCE(x.rank, 0) `, page, -1, "", 0,
		func(row interface{ Scan(...any) error }) (*latchkey.Account, error) {
			var r latchkey.Rank
			a, err := scanAccount(row, &r)
			if err == nil {
				a.Rank = r
			}
			return a, err
		})
}

// CollectionSecrets pages through the secrets directly in a collection.
func (tx *Tx) CollectionSecrets(ctx context.Context, workspaceID, collectionID, userID string, page latchkey.Page) ([]*latchkey.Secret, int, error) {
	from := `FROM collection_items ci JOIN secrets a ON a.workspace_id = ci.workspace_id AND a.id = ci.item_id
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'secret' AND x.item_id = a.id
		WHERE ci.workspace_id = ? AND ci.collection_id = ? AND ci.item_type = 'secret'`
	return listPage(ctx, tx, from, []any{nullableID(userID), workspaceID, collectionID}, "a.id",
		`SELECT `+secretColumns+`, COALESCE(x.rank, 0) `, page, -1, "", 0,
		func(row interface{ Scan(...any) error }) (*latchkey.Secret, error) {
			var r latchkey.Rank
			s, err := scanSecret(row, &r)
			if err == nil {
				s.Rank = r
			}
			return s, err
		})
}
