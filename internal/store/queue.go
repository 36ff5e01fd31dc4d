package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The job queue (internal/jobs, on River) keeps its own tables in this
// database and must insert into them inside the store's transactions, so
// that a job is queued exactly when the change that caused it commits.
// These are the only handles the store gives out; River's SQL is River's,
// ours stays here (docs/decisions/0010-job-queue.md).

// QueueHandles returns what the job queue runs on: on SQLite the one
// writer connection (SQLite has one writer; a second would only wait on
// the first), on PostgreSQL the pool and the pgx pool under it for
// LISTEN/NOTIFY.
func (db *DB) QueueHandles() (sqlite bool, conn *sql.DB, listener *pgxpool.Pool) {
	return db.dialect == SQLite, db.write, db.pgx
}

// SQLTx is the transaction under an Update, for the job queue's inserts.
// It is nil in a View.
func (tx *Tx) SQLTx() *sql.Tx { return tx.sqlTx }

// WithMigrationLock runs fn while no other process migrates this store:
// the job queue's migrations run under it, after the store's own.
func (db *DB) WithMigrationLock(ctx context.Context, fn func(context.Context) error) error {
	if db.dialect == SQLite {
		unlock, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		defer unlock()
		return fn(ctx)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// An arbitrary key of ours, distinct from goose's.
	const key = 0x6c61746368 // "latch"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("lock for migration: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return fn(ctx)
}
