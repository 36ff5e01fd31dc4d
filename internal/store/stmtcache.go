package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxStatements bounds the cache: list filters build a query text per
// number of values, and a client choosing those numbers must not grow it
// without limit. Past the bound, queries run unprepared.
const maxStatements = 512

// stmtCache keeps one prepared statement per query text for a pool;
// database/sql prepares it lazily on each connection that runs it.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// peek returns the statement for query if it is prepared already.
func (c *stmtCache) peek(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// get returns the statement for query, preparing it if need be, or nil when
// it cannot be cached.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStatements
	c.mu.RUnlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// Prepared without holding the lock: preparing waits for a connection,
	// and a transaction holding the writer connection may be looking up
	// another statement meanwhile. Prepared without the caller's context, so
	// a cancelled request cannot leave a broken statement behind.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		// The query runs unprepared and reports its own error.
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if existing, ok := c.m[query]; ok {
		st.Close()
		return existing
	}
	if len(c.m) >= maxStatements {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m = map[string]*sql.Stmt{}
	return errors.Join(errs...)
}

// stmtQueryer runs a prepared statement through the queryer interface; the
// query text is ignored since the statement carries it.
type stmtQueryer struct{ st *sql.Stmt }

func (s stmtQueryer) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

func (s stmtQueryer) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtQueryer) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
}
