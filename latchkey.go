// Package latchkey holds the domain of the Latchkey server: the resources it
// stores (workspaces, users, teams, vaults, accounts, secrets, API keys,
// tokens, activities), the roles and scopes that govern access to them, the
// principal a request acts as, and the one error type every layer speaks.
//
// The package imports nothing else of ours. Persistence lives in
// internal/store, rules in internal/core and internal/authz, and the wire
// formats in the front ends (internal/api, later internal/web and
// internal/scim).
package latchkey

import "time"

// Page selects one page of a list. Number is 1-based. After, when set, is
// the id the previous page ended with: the page starts after it whatever
// was added or removed before it meanwhile, which makes a walk through
// links.next see every item exactly once.
type Page struct {
	Number int
	Size   int
	After  string
	// From, with Number 0, is an offset of any size: the legacy API's
	// startIndex need not fall on a page boundary.
	From int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int {
	if p.Number == 0 {
		return p.From
	}
	return (p.Number - 1) * p.Size
}

// MaxPageSize bounds every list; the vendor's API reports it as meta.page.maxSize.
const MaxPageSize = 100

// Clock returns the current time. Core takes one so tests can move time.
type Clock func() time.Time

// Truncate rounds t to the microsecond precision the stores keep, in UTC,
// so a value read back equals the value written.
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
