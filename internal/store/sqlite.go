package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SQLiteFile is the database file's name inside the data directory.
const SQLiteFile = "latchkey.db"

// openSQLite opens one writer connection and a small pool of read-only ones
// over the same WAL-mode file: SQLite serializes writers anyway, and one
// writer connection turns lock contention inside the process into queueing.
func openSQLite(ctx context.Context, dataDir string, log *slog.Logger) (*DB, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("no data directory given")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dataDir, SQLiteFile)
	dsn := func(readOnly bool) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(1)")
		// Readers keep a small page cache of their own: the operating
		// system's page cache already holds the file for all of them, and
		// measured under load a reader's 16 MiB cost 20 MiB of resident
		// memory each for no more requests per second (docs/performance.md).
		// The writer keeps more, for the index pages every write walks.
		if readOnly {
			q.Add("_pragma", "cache_size(-4096)")
			q.Add("_pragma", "query_only(1)")
		} else {
			q.Add("_pragma", "cache_size(-16384)")
			q.Set("_txlock", "immediate")
		}
		return "file:" + path + "?" + q.Encode()
	}

	write, err := sql.Open("sqlite", dsn(false))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Stores analyzed by an older build carry samples; see dropSampleStats.
	if err := dropSampleStats(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The file may hold secrets, sealed or not: keep it to its owner.
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			_ = os.Chmod(f, 0o600)
		}
	}

	read, err := sql.Open("sqlite", dsn(true))
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)

	db := &DB{
		dialect:    SQLite,
		write:      write,
		read:       read,
		log:        log,
		path:       path,
		readStmts:  newStmtCache(read),
		writeStmts: newStmtCache(write),
		anchors:    newAnchorCache(),
	}
	db.closers = []func() error{write.Close, read.Close, db.readStmts.close, db.writeStmts.close}
	return db, nil
}

// dropSampleStats keeps ANALYZE's per-index row estimates (sqlite_stat1)
// and drops its value samples (sqlite_stat4). With samples present, SQLite
// re-plans every prepared statement whose plan could depend on a bound
// value, each time it is bound: under load that recompilation cost more
// than the queries themselves, and our indexes leave the planner no
// choice the samples would improve.
func dropSampleStats(ctx context.Context, conn *sql.DB) error {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat4'`).Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return fmt.Errorf("drop sample statistics: %w", err)
	}
	// Reload the statistics this connection already holds.
	_, err = conn.ExecContext(ctx, `ANALYZE sqlite_schema`)
	return err
}
