package store

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/latchkeyhq/latchkey"
)

// translate turns driver errors the caller can act on into latchkey errors:
// a missing row is ENotFound and a unique or foreign-key violation is
// EConflict. Anything else passes through as an internal error. Messages
// never carry SQL or values.
func (db *DB) translate(err error) error {
	if err == nil {
		return nil
	}
	var le *latchkey.Error
	if errors.As(err, &le) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &latchkey.Error{Code: latchkey.ENotFound, Message: "Resource not found.", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &latchkey.Error{Code: latchkey.EConflict, Message: "A resource with the same unique value already exists.", Err: uniqueViolation{pgErr.ConstraintName, err}}
		case "23503":
			return &latchkey.Error{Code: latchkey.EConflict, Message: "The resource refers to something that does not exist, or is still referred to.", Err: err}
		}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &latchkey.Error{Code: latchkey.EConflict, Message: "A resource with the same unique value already exists.", Err: uniqueViolation{"", err}}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &latchkey.Error{Code: latchkey.EConflict, Message: "The resource refers to something that does not exist, or is still referred to.", Err: err}
		}
	}
	return err
}

// uniqueViolation marks a duplicate, so callers can turn it into a message
// that names the field.
type uniqueViolation struct {
	constraint string
	err        error
}

func (u uniqueViolation) Error() string {
	return "unique violation " + u.constraint + ": " + u.err.Error()
}
func (u uniqueViolation) Unwrap() error { return u.err }

// IsDuplicate reports whether err is a unique-constraint violation.
func IsDuplicate(err error) bool {
	var u uniqueViolation
	return errors.As(err, &u)
}

// retryable reports whether a transaction failed only because it raced
// another one and may succeed if run again.
func (db *DB) retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}
