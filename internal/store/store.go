// Package store keeps Latchkey's state in SQLite (the default) or PostgreSQL.
// It is the only package that writes SQL. Both dialects run the same query
// text, written with ? placeholders and rebound for PostgreSQL; where a
// dialect needs its own words (row locks), a method on Tx supplies them.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/latchkeyhq/latchkey"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config says where the data lives.
type Config struct {
	DataDir     string // SQLite: the database file is DataDir/latchkey.db
	DatabaseURL string // postgres://… selects PostgreSQL
	Logger      *slog.Logger
}

// DB is an open store.
type DB struct {
	dialect Dialect
	write   *sql.DB // SQLite: the one writer connection; PostgreSQL: the pool
	read    *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: the pool
	closers []func() error
	log     *slog.Logger
	path    string // SQLite file, for the operator's messages

	rebound sync.Map // query text → PostgreSQL text

	// SQLite re-parses a statement's SQL on every call unless it stays
	// prepared, and parsing dominates a point read. PostgreSQL needs no
	// cache of ours: pgx keeps prepared statements per connection.
	readStmts, writeStmts *stmtCache

	anchors *anchorCache
	batch   batcher
	pgx     *pgxpool.Pool // PostgreSQL only
}

// Open connects to the store Config names. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if strings.HasPrefix(cfg.DatabaseURL, "postgres://") || strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		return openPostgres(ctx, cfg.DatabaseURL, log)
	}
	if cfg.DatabaseURL != "" {
		return nil, fmt.Errorf("database URL must start with postgres:// or postgresql://")
	}
	return openSQLite(ctx, cfg.DataDir, log)
}

// Dialect returns the engine in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// Path returns the SQLite file, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// Close releases every connection.
func (db *DB) Close() error {
	var errs []error
	for i := len(db.closers) - 1; i >= 0; i-- {
		errs = append(errs, db.closers[i]())
	}
	return errors.Join(errs...)
}

// Ping checks that the store answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	return db.write.PingContext(ctx)
}

// Stats reports the pools for metrics.
func (db *DB) Stats() (write, read sql.DBStats) { return db.write.Stats(), db.read.Stats() }

type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs the store's methods either inside a write transaction (Update) or
// over the read pool (View).
type Tx struct {
	db    *DB
	q     queryer
	sqlTx *sql.Tx // set in a write transaction
	write bool
	// afterCommit runs once the transaction has committed: cache
	// invalidations that must not happen for a rolled-back change.
	afterCommit []func()
	// toPrepare are statements the transaction ran unprepared; they are
	// prepared once it ends and the writer connection is free again.
	toPrepare []string
}

// View runs fn over the read pool. Each statement sees committed data; fn
// must not write.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	return fn(&Tx{db: db, q: db.read})
}

// Update runs fn in one write transaction and commits it if fn returns nil.
// A transaction that lost a serialization race or a deadlock is run again
// from the start, so fn must not have side effects outside the transaction
// other than through AfterCommit.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = db.update(ctx, fn)
		if err == nil || !db.retryable(err) || ctx.Err() != nil {
			return err
		}
		db.log.DebugContext(ctx, "retrying transaction", "attempt", i+1, "err", err)
		select {
		case <-time.After(time.Duration(i+1) * 5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return latchkey.Wrap(err, latchkey.EConflict, "The resource was changed by another request at the same time; try again.")
}

func (db *DB) update(ctx context.Context, fn func(*Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.translate(err)
	}
	tx := &Tx{db: db, q: sqlTx, sqlTx: sqlTx, write: true}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return db.translate(err)
	}
	for _, f := range tx.afterCommit {
		f()
	}
	for _, q := range tx.toPrepare {
		db.writeStmts.get(ctx, q)
	}
	return nil
}

// AfterCommit schedules f to run after the transaction commits. In a View it
// runs at once.
func (tx *Tx) AfterCommit(f func()) {
	if !tx.write {
		f()
		return
	}
	tx.afterCommit = append(tx.afterCommit, f)
}

// Dialect returns the engine the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// forUpdate is the suffix that locks the rows a read-modify-write selects.
// SQLite needs none: its one writer connection already serializes writes.
func (tx *Tx) forUpdate() string {
	if tx.write && tx.db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, text := tx.prepared(ctx, query)
	res, err := q.ExecContext(ctx, text, args...)
	return res, tx.db.translate(err)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, text := tx.prepared(ctx, query)
	rows, err := q.QueryContext(ctx, text, args...)
	return rows, tx.db.translate(err)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q, text := tx.prepared(ctx, query)
	return q.QueryRowContext(ctx, text, args...)
}

// prepared returns what to run query on: a cached prepared statement where
// there is one, else the connection or transaction itself with the query
// text in the dialect's placeholders.
func (tx *Tx) prepared(ctx context.Context, query string) (queryer, string) {
	cache := tx.db.readStmts
	if tx.write {
		cache = tx.db.writeStmts
	}
	if cache == nil {
		return tx.q, tx.db.bind(query)
	}
	if tx.sqlTx == nil {
		if st := cache.get(ctx, query); st != nil {
			return stmtQueryer{st}, ""
		}
		return tx.q, query
	}
	// Preparing needs a connection, and the transaction holds the only
	// writer: a statement not prepared yet runs as text this once.
	st := cache.peek(query)
	if st == nil {
		tx.toPrepare = append(tx.toPrepare, query)
		return tx.q, query
	}
	// The statement is prepared on the one writer connection, and
	// database/sql reuses it inside the transaction.
	return stmtQueryer{tx.sqlTx.StmtContext(ctx, st)}, ""
}

// count runs a COUNT query.
func (tx *Tx) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	if err := tx.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, tx.db.translate(err)
	}
	return n, nil
}

// bind rewrites ? placeholders as $1, $2, … for PostgreSQL. Our queries are
// constants, so each text is rewritten once and remembered.
func (db *DB) bind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	q := rebind(query)
	db.rebound.Store(query, q)
	return q
}

func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
