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
	// A page by number skips up to anchorEvery-1 index entries: at 32, a
	// random page of a 100,000-item list skips 16 on average instead of
	// 50,000, for 3,125 anchors (about 200 KB) kept.
	anchorEvery = 32
	// maxAnchors bounds the ids kept over all lists, about 64 bytes each;
	// the least recently used lists go first.
	maxAnchors = 1 << 17
)

type anchored struct {
	key     string
	version int64
	anchors
}

// anchors are one list's: ids[k] is the id at position k*every.
type anchors struct {
	ids   []string
	every int
}

// anchorStride is how far apart a list of total items keeps anchors:
// anchorEvery, or wider for a list so long that a quarter of maxAnchors
// would not hold them.
func anchorStride(total int) int {
	return max(anchorEvery, (total+maxAnchors/4-1)/(maxAnchors/4))
}

type anchorCache struct {
	mu    sync.Mutex
	order *list.List // most recent first
	m     map[string]*list.Element
	kept  int // anchors over all lists
	// building holds the scans under way, so that requests arriving
	// together for a list without anchors wait for one scan instead of
	// each running its own.
	building map[string]*anchorBuild
}

type anchorBuild struct {
	version int64
	done    chan struct{}
	anchors
	err error
}

func newAnchorCache() *anchorCache {
	return &anchorCache{order: list.New(), m: map[string]*list.Element{}, building: map[string]*anchorBuild{}}
}

// load returns the anchors of key at version, running build when they are
// not kept and no other caller is building them already. A build that
// failed (its request was cancelled, say) is not the waiters' failure:
// they try again themselves.
func (c *anchorCache) load(ctx context.Context, key string, version int64, build func() (anchors, error)) (anchors, error) {
	for {
		if a, ok := c.get(key, version); ok {
			return a, nil
		}
		c.mu.Lock()
		b, ok := c.building[key]
		if !ok || b.version != version {
			break // with c.mu held: this caller builds
		}
		c.mu.Unlock()
		select {
		case <-b.done:
			if b.err == nil {
				return b.anchors, nil
			}
		case <-ctx.Done():
			return anchors{}, ctx.Err()
		}
	}
	b := &anchorBuild{version: version, done: make(chan struct{})}
	c.building[key] = b
	c.mu.Unlock()

	b.anchors, b.err = build()
	if b.err == nil {
		c.put(key, version, b.anchors)
	}
	c.mu.Lock()
	if c.building[key] == b {
		delete(c.building, key)
	}
	c.mu.Unlock()
	close(b.done)
	return b.anchors, b.err
}

func (c *anchorCache) get(key string, version int64) (anchors, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return anchors{}, false
	}
	a := e.Value.(*anchored)
	if a.version != version {
		return anchors{}, false
	}
	c.order.MoveToFront(e)
	return a.anchors, true
}

func (c *anchorCache) put(key string, version int64, a anchors) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.kept -= len(e.Value.(*anchored).ids)
		e.Value = &anchored{key, version, a}
		c.order.MoveToFront(e)
	} else {
		c.m[key] = c.order.PushFront(&anchored{key, version, a})
	}
	c.kept += len(a.ids)
	for c.kept > maxAnchors {
		last := c.order.Back()
		old := last.Value.(*anchored)
		c.order.Remove(last)
		delete(c.m, old.key)
		c.kept -= len(old.ids)
	}
}

// seek positions a list query. Given the list's ordered id column, its
// FROM … WHERE text and arguments, its length and the offset wanted, it
// returns an extra condition (and argument) starting at the nearest anchor
// and the offset left to skip from there. key and version identify the
// list; with version 0 (unknown) nothing is cached and the offset is used
// as is.
func (tx *Tx) seek(ctx context.Context, key string, version int64, idCol, from string, args []any, total, offset int) (cond string, condArgs []any, skip int, err error) {
	if offset < anchorEvery || version == 0 {
		return "", nil, offset, nil
	}
	a, err := tx.db.anchors.load(ctx, key, version, func() (anchors, error) {
		a := anchors{every: anchorStride(total)}
		rows, err := tx.query(ctx, `SELECT `+idCol+` `+from+` ORDER BY `+idCol, args...)
		if err != nil {
			return a, err
		}
		defer rows.Close()
		for i := 0; rows.Next(); i++ {
			var id string
			if err := rows.Scan(&id); err != nil {
				return a, err
			}
			if i%a.every == 0 {
				a.ids = append(a.ids, id)
			}
		}
		return a, rows.Err()
	})
	if err != nil {
		return "", nil, 0, err
	}
	k := min(offset/a.every, len(a.ids)-1)
	if k <= 0 {
		return "", nil, offset, nil
	}
	return ` AND ` + idCol + ` >= ?`, []any{a.ids[k]}, offset - k*a.every, nil
}
