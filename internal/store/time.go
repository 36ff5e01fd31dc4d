package store

import (
	"database/sql"
	"time"
)

// Times are stored as microseconds since the Unix epoch in both dialects.

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores a missing time as NULL.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// nullTime is the scan target of a nullable time column.
type nullTime struct{ sql.NullInt64 }

func (n nullTime) ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}
