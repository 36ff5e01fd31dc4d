package store

import (
	"container/list"
	"context"
	"sync"
)

// A list is paged by number (an offset) or by cursor (after an id). Walking
// by cursor costs an index seek at any depth. Jumping to page 4000 by
// number would cost a scan of everything before it, so for the lists that
// matter the store remembers anchors: every anchorEvery-th id of the list.
// An offset then starts from the nearest anchor and skips fewer than
// anchorEvery entries. Anchors are built by one scan and kept while the
// list's version — moved by every change to the list, in the store, so
// every replica agrees — stays the same.

const (
	anchorEvery = 256
	maxAnchored = 2048 // lists whose anchors are kept
)

type anchored struct {
	key     string
	version int64
	ids     []string // ids[k] is the id at position k*anchorEvery
}

type anchorCache struct {
	mu    sync.Mutex
	order *list.List // most recent first
	m     map[string]*list.Element
}

func newAnchorCache() *anchorCache {
	return &anchorCache{order: list.New(), m: map[string]*list.Element{}}
}

func (c *anchorCache) get(key string, version int64) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	a := e.Value.(*anchored)
	if a.version != version {
		return nil, false
	}
	c.order.MoveToFront(e)
	return a.ids, true
}

func (c *anchorCache) put(key string, version int64, ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.Value = &anchored{key, version, ids}
		c.order.MoveToFront(e)
		return
	}
	c.m[key] = c.order.PushFront(&anchored{key, version, ids})
	for c.order.Len() > maxAnchored {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.m, last.Value.(*anchored).key)
	}
}

// seek positions a list query. Given the list's ordered id column, its
// FROM … WHERE text and arguments, and the offset wanted, it returns an
// extra condition (and argument) starting at the nearest anchor and the
// offset left to skip from there. key and version identify the list; with
// version 0 (unknown) nothing is cached and the offset is used as is.
func (tx *Tx) seek(ctx context.Context, key string, version int64, idCol, from string, args []any, offset int) (cond string, condArgs []any, skip int, err error) {
	if offset < anchorEvery || version == 0 {
		return "", nil, offset, nil
	}
	ids, ok := tx.db.anchors.get(key, version)
	if !ok {
		rows, err := tx.query(ctx, `SELECT `+idCol+` `+from+` ORDER BY `+idCol, args...)
		if err != nil {
			return "", nil, 0, err
		}
		defer rows.Close()
		for i := 0; rows.Next(); i++ {
			var id string
			if err := rows.Scan(&id); err != nil {
				return "", nil, 0, err
			}
			if i%anchorEvery == 0 {
				ids = append(ids, id)
			}
		}
		if err := rows.Err(); err != nil {
			return "", nil, 0, err
		}
		tx.db.anchors.put(key, version, ids)
	}
	k := offset / anchorEvery
	if k >= len(ids) {
		k = len(ids) - 1
	}
	if k <= 0 {
		return "", nil, offset, nil
	}
	return ` AND ` + idCol + ` >= ?`, []any{ids[k]}, offset - k*anchorEvery, nil
}
