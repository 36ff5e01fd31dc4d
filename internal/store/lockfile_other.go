//go:build !unix

package store

// lockFile is a no-op where flock is missing; SQLite's own locking still
// keeps two migrating processes from corrupting the file, and the loser
// fails loudly instead of waiting.
func lockFile(string) (func(), error) { return func() {}, nil }
