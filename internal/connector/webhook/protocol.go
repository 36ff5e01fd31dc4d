package webhook

// The wire format, as docs/connectors/webhook.md describes it. Field names
// are the protocol: renaming one breaks every application.

// Operations.
const (
	opEntitlementsList     = "entitlements.list"
	opUsersList            = "users.list"
	opUsersInvite          = "users.invite"
	opUsersSetEntitlements = "users.set_entitlements"
	opUsersRemove          = "users.remove"
)

// request is the body of every call.
type request struct {
	Operation string `json:"operation"`
	ID        string `json:"id"`
	Data      any    `json:"data"`
}

// listData is the data of entitlements.list (always empty) and users.list
// (the cursor of the page wanted, absent for the first).
type listData struct {
	Cursor string `json:"cursor,omitempty"`
}

type inviteData struct {
	Email        string   `json:"email"`
	FirstName    string   `json:"firstName"`
	LastName     string   `json:"lastName"`
	Entitlements []string `json:"entitlements"` // never null: [] is "none"
}

type setEntitlementsData struct {
	Email        string   `json:"email"`
	Entitlements []string `json:"entitlements"` // never null: [] removes all
}

type removeData struct {
	Email string `json:"email"`
}

// The answers. Pointers tell an absent member from an empty one, so that
// an answer meant for another operation (or a proxy's "{}") is caught
// instead of read as "no users".

type wireEntitlement struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Group string `json:"group"` // "primary" (the default) or "secondary"
}

type entitlementsAnswer struct {
	Entitlements *[]wireEntitlement `json:"entitlements"`
}

type wireUser struct {
	Email        string         `json:"email"`
	FirstName    string         `json:"firstName"`
	LastName     string         `json:"lastName"`
	Entitlements []string       `json:"entitlements"`
	Fields       map[string]any `json:"fields"`
}

type usersAnswer struct {
	Users *[]wireUser `json:"users"`
	Next  string      `json:"next"` // absent or "" on the last page
}

type inviteAnswer struct {
	User *wireUser `json:"user"`
}

// errorAnswer is the body of a non-2xx answer.
type errorAnswer struct {
	Error *wireError `json:"error"`
}

type wireError struct {
	Type        string `json:"type"`
	Message     string `json:"message"`
	Entitlement string `json:"entitlement"` // UnknownEntitlement: which one, when the application says
}
