package store

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// listPage runs one page of a list. from is "FROM … WHERE …" with args;
// rows come in idCol order. total is the list's size when the caller knows
// it cheaply (a counter), or -1 to count. A page with an After cursor
// starts after that id by an index seek; a page by number alone starts at
// its offset, from the nearest anchor when anchorKey and a non-zero version
// are given (see anchors.go).
func listPage[T any](ctx context.Context, tx *Tx, from string, args []any, idCol, selectPrefix string, page latchkey.Page,
	total int, anchorKey string, version int64, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	return listPageKeyed(ctx, tx, from, "", args, idCol, selectPrefix, page, total, anchorKey, version, scan)
}

// listPageKeyed is listPage for a list whose from joins the rows it shows
// to a table of their ids (item_access): keys is that table alone, "FROM …
// WHERE …" taking the same args and naming the same rows. A page by number
// skips its offset, and builds its anchors, in keys, so rows it passes over
// are never joined.
func listPageKeyed[T any](ctx context.Context, tx *Tx, from, keys string, args []any, idCol, selectPrefix string, page latchkey.Page,
	total int, anchorKey string, version int64, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	if total < 0 {
		n, err := tx.count(ctx, `SELECT COUNT(*) `+from, args...)
		if err != nil {
			return nil, 0, err
		}
		total = n
	}
	// A list in descending order ("a.id DESC") seeks the other way.
	col, desc := strings.CutSuffix(idCol, " DESC")
	after := " > ?"
	if desc {
		after = " < ?"
	}
	q := selectPrefix + from
	qargs := append([]any{}, args...)
	switch {
	case page.After != "":
		q += ` AND ` + col + after + ` ORDER BY ` + idCol + ` LIMIT ?`
		qargs = append(qargs, page.After, page.Size)
	default:
		if total <= page.Offset() {
			return nil, total, nil
		}
		if desc {
			version = 0 // anchors are kept for ascending lists only
		}
		scope := from
		if keys != "" {
			scope = keys
		}
		cond, condArgs, skip, err := tx.seek(ctx, anchorKey, version, idCol, scope, args, total, page.Offset())
		if err != nil {
			return nil, 0, err
		}
		if keys == "" {
			q += cond + ` ORDER BY ` + idCol + ` LIMIT ? OFFSET ?`
			qargs = append(append(qargs, condArgs...), page.Size, skip)
			break
		}
		// The inner alias shadows the outer one of the same name.
		q += ` AND ` + col + ` IN (SELECT ` + col + ` ` + keys + cond + ` ORDER BY ` + idCol + ` LIMIT ? OFFSET ?) ORDER BY ` + idCol
		qargs = append(append(append(qargs, args...), condArgs...), page.Size, skip)
	}
	rows, err := tx.query(ctx, q, qargs...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]T, 0, min(page.Size, max(total, 0)))
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}
