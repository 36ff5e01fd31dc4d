package latchkey

import (
	"math/bits"
	"strings"
)

// Scope is one permission an API key can hold. Bearer tokens hold none:
// their workspace and item roles decide alone.
type Scope uint32

const (
	ScopeReadActivities Scope = 1 << iota
	ScopeReadItems
	ScopeReadAccounts
	ScopeReadSecrets
	ScopeReadUsers
	ScopeReadIntegrations
	ScopeWriteIntegrations
	ScopeReadAutomations
	ScopeWriteAutomations
	ScopeReadVaults
	ScopeReadTeams
	ScopeWriteAccounts
	ScopeWriteSecrets
	ScopeWriteUsers
	ScopeWriteCollections
	ScopeWriteTeams
	ScopeDeleteTeams
	scopeEnd
)

// scopeInfo is the identifier and the display name the key wizard shows.
// The first nine identifiers are the vendor's; the rest are ours because the
// vendor publishes display names only.
var scopeInfo = map[Scope][2]string{
	ScopeReadActivities:    {"read:activities", "Read activities"},
	ScopeReadItems:         {"read:items", "Read items"},
	ScopeReadAccounts:      {"read:items:accounts", "Read accounts"},
	ScopeReadSecrets:       {"read:items:secrets", "Read secrets"},
	ScopeReadUsers:         {"read:users", "Read users"},
	ScopeReadIntegrations:  {"read:integrations", "Read integrations"},
	ScopeWriteIntegrations: {"write:integrations", "Write integrations"},
	ScopeReadAutomations:   {"read:automations", "Read automated jobs"},
	ScopeWriteAutomations:  {"write:automations", "Write automated jobs"},
	ScopeReadVaults:        {"read:vaults", "Read vaults"},
	ScopeReadTeams:         {"read:teams", "Read teams"},
	ScopeWriteAccounts:     {"write:items:accounts", "Write accounts"},
	ScopeWriteSecrets:      {"write:items:secrets", "Write secrets"},
	ScopeWriteUsers:        {"write:users", "Write users"},
	ScopeWriteCollections:  {"write:items:collections", "Write collections"},
	ScopeWriteTeams:        {"write:teams", "Write teams"},
	ScopeDeleteTeams:       {"delete:teams", "Delete teams"},
}

// AllScopes lists every scope in the order the key wizard shows them.
var AllScopes = func() []Scope {
	var all []Scope
	for s := Scope(1); s < scopeEnd; s <<= 1 {
		all = append(all, s)
	}
	return all
}()

// ReadScopes are the scopes whose identifiers begin with "read:".
var ReadScopes = func() ScopeSet {
	var set ScopeSet
	for _, s := range AllScopes {
		if strings.HasPrefix(s.String(), "read:") {
			set |= ScopeSet(s)
		}
	}
	return set
}()

// String returns the scope identifier, e.g. "read:items:accounts".
func (s Scope) String() string { return scopeInfo[s][0] }

// DisplayName returns the scope as the key wizard shows it, e.g. "Read accounts".
func (s Scope) DisplayName() string { return scopeInfo[s][1] }

// ParseScope accepts an identifier or a display name, in any case.
func ParseScope(v string) (Scope, bool) {
	v = strings.TrimSpace(v)
	for s, info := range scopeInfo {
		if strings.EqualFold(v, info[0]) || strings.EqualFold(v, info[1]) {
			return s, true
		}
	}
	return 0, false
}

// ScopeSet is a set of scopes held by one API key.
type ScopeSet uint32

// NewScopeSet returns the set of the given scopes.
func NewScopeSet(scopes ...Scope) ScopeSet {
	var set ScopeSet
	for _, s := range scopes {
		set |= ScopeSet(s)
	}
	return set
}

// Has reports whether the set grants s. "Read items" grants every item read.
func (set ScopeSet) Has(s Scope) bool {
	if set&ScopeSet(s) != 0 {
		return true
	}
	return (s == ScopeReadAccounts || s == ScopeReadSecrets) && set&ScopeSet(ScopeReadItems) != 0
}

// Scopes lists the members of the set in wizard order.
func (set ScopeSet) Scopes() []Scope {
	out := make([]Scope, 0, bits.OnesCount32(uint32(set)))
	for _, s := range AllScopes {
		if set&ScopeSet(s) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// Strings lists the identifiers of the set in wizard order.
func (set ScopeSet) Strings() []string {
	out := make([]string, 0, bits.OnesCount32(uint32(set)))
	for _, s := range set.Scopes() {
		out = append(out, s.String())
	}
	return out
}

// String joins the identifiers with commas; ParseScopeSet reads it back.
func (set ScopeSet) String() string { return strings.Join(set.Strings(), ",") }

// ParseScopeSet reads a comma-separated list of identifiers or display names.
// It returns the first entry it does not know as bad.
func ParseScopeSet(list string) (set ScopeSet, bad string, ok bool) {
	for _, v := range strings.Split(list, ",") {
		if strings.TrimSpace(v) == "" {
			continue
		}
		s, ok := ParseScope(v)
		if !ok {
			return 0, strings.TrimSpace(v), false
		}
		set |= ScopeSet(s)
	}
	return set, "", true
}
