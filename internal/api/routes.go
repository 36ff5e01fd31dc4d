package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// LegacyPrefix is where the vendor's older Read API and internal web API
// answer, beside Prefix.
const LegacyPrefix = "/v1"

// routes is every operation. A test checks this table against the OpenAPI
// document both ways.
var routes = []route{
	{method: "GET", path: "/openapi.json", public: true, undocumented: true, serve: m((*handler).openAPI)},

	{method: "GET", path: "/accounts", serve: m((*handler).listAccounts)},
	{method: "POST", path: "/accounts", serve: m((*handler).createAccount)},
	{method: "GET", path: "/accounts/{id}", serve: m((*handler).getAccount)},
	{method: "PATCH", path: "/accounts/{id}", serve: m((*handler).updateAccount)},
	{method: "DELETE", path: "/accounts/{id}", serve: m((*handler).deleteAccount)},
	{method: "GET", path: "/accounts/{id}/secrets", serve: m((*handler).accountSecrets)},
	{method: "GET", path: "/accounts/{id}/totp", serve: m((*handler).accountTOTP)},
	{method: "POST", path: "/accounts/{id}/jobs", serve: m((*handler).startAccountJob)},
	{method: "GET", path: "/accounts/{id}/users", serve: members(accountMembers, "users", memberList)},
	{method: "POST", path: "/accounts/{id}/users", serve: members(accountMembers, "users", memberShare)},
	{method: "DELETE", path: "/accounts/{id}/users/{memberId}", serve: members(accountMembers, "users", memberRemove)},
	{method: "GET", path: "/accounts/{id}/teams", serve: members(accountMembers, "teams", memberList)},
	{method: "POST", path: "/accounts/{id}/teams", serve: members(accountMembers, "teams", memberShare)},
	{method: "DELETE", path: "/accounts/{id}/teams/{memberId}", serve: members(accountMembers, "teams", memberRemove)},

	{method: "GET", path: "/secrets", serve: m((*handler).listSecrets)},
	{method: "POST", path: "/secrets", serve: m((*handler).createSecret)},
	{method: "GET", path: "/secrets/{id}", serve: m((*handler).getSecret)},
	{method: "PATCH", path: "/secrets/{id}", serve: m((*handler).updateSecret)},
	{method: "DELETE", path: "/secrets/{id}", serve: m((*handler).deleteSecret)},
	{method: "GET", path: "/secrets/{id}/members/{memberType}", serve: members(secretMembers, "", memberList)},
	{method: "POST", path: "/secrets/{id}/members/{memberType}", serve: members(secretMembers, "", memberShare)},
	{method: "DELETE", path: "/secrets/{id}/members/{memberType}/{memberId}", serve: members(secretMembers, "", memberRemove)},

	{method: "GET", path: "/collections", serve: m((*handler).listCollections)},
	{method: "POST", path: "/collections", serve: m((*handler).createCollection)},
	{method: "GET", path: "/collections/{id}", serve: m((*handler).getCollection)},
	{method: "PATCH", path: "/collections/{id}", serve: m((*handler).updateCollection)},
	{method: "DELETE", path: "/collections/{id}", serve: m((*handler).deleteCollection)},
	{method: "GET", path: "/collections/{id}/collections", serve: m((*handler).listSubcollections)},
	{method: "GET", path: "/collections/{id}/accounts", serve: m((*handler).listCollectionAccounts)},
	{method: "POST", path: "/collections/{id}/accounts", serve: func(h *handler) http.HandlerFunc { return h.addToCollection("accounts", latchkey.ItemAccount) }},
	{method: "DELETE", path: "/collections/{id}/accounts/{itemId}", serve: func(h *handler) http.HandlerFunc { return h.removeFromCollection(latchkey.ItemAccount) }},
	{method: "GET", path: "/collections/{id}/secrets", serve: m((*handler).listCollectionSecrets)},
	{method: "POST", path: "/collections/{id}/secrets", serve: func(h *handler) http.HandlerFunc { return h.addToCollection("secrets", latchkey.ItemSecret) }},
	{method: "DELETE", path: "/collections/{id}/secrets/{itemId}", serve: func(h *handler) http.HandlerFunc { return h.removeFromCollection(latchkey.ItemSecret) }},
	{method: "GET", path: "/collections/{id}/users", serve: members(collectionMembers, "users", memberList)},
	{method: "POST", path: "/collections/{id}/users", serve: members(collectionMembers, "users", memberShare)},
	{method: "DELETE", path: "/collections/{id}/users/{memberId}", serve: members(collectionMembers, "users", memberRemove)},
	{method: "GET", path: "/collections/{id}/teams", serve: members(collectionMembers, "teams", memberList)},
	{method: "POST", path: "/collections/{id}/teams", serve: members(collectionMembers, "teams", memberShare)},
	{method: "DELETE", path: "/collections/{id}/teams/{memberId}", serve: members(collectionMembers, "teams", memberRemove)},

	{method: "GET", path: "/users", serve: m((*handler).listUsers)},
	{method: "POST", path: "/users", serve: m((*handler).createUser)},
	{method: "GET", path: "/users/{id}", serve: m((*handler).getUser)},
	{method: "PUT", path: "/users/{id}", serve: m((*handler).replaceUser)},
	{method: "PATCH", path: "/users/{id}", serve: m((*handler).updateUser)},
	{method: "DELETE", path: "/users/{id}", serve: m((*handler).deleteUser)},

	{method: "GET", path: "/teams", serve: m((*handler).listTeams)},
	{method: "POST", path: "/teams", serve: m((*handler).createTeam)},
	{method: "GET", path: "/teams/{id}", serve: m((*handler).getTeam)},
	{method: "PATCH", path: "/teams/{id}", serve: m((*handler).updateTeam)},
	{method: "DELETE", path: "/teams/{id}", serve: m((*handler).deleteTeam)},
	{method: "POST", path: "/teams/{id}/members", serve: m((*handler).addTeamMembers)},
	{method: "GET", path: "/teams/{id}/members", serve: m((*handler).listTeamMembers)},
	{method: "DELETE", path: "/teams/{id}/members/{userId}", serve: m((*handler).removeTeamMember)},

	{method: "GET", path: "/vaults", serve: m((*handler).listVaults)},
	{method: "POST", path: "/vaults", serve: m((*handler).createVault)},
	{method: "GET", path: "/vaults/{id}", serve: m((*handler).getVault)},
	{method: "PATCH", path: "/vaults/{id}", serve: m((*handler).updateVault)},

	{method: "GET", path: "/integrations", serve: m((*handler).listIntegrations)},
	{method: "POST", path: "/integrations", serve: m((*handler).createIntegration)},
	{method: "GET", path: "/integrations/{id}", serve: m((*handler).getIntegration)},
	{method: "POST", path: "/integrations/{id}/sync", serve: m((*handler).syncIntegration)},
	{method: "GET", path: "/integrations/{id}/entitlements", serve: m((*handler).listEntitlements)},
	{method: "GET", path: "/integrations/{id}/users", serve: m((*handler).listIntegrationUsers)},
	{method: "GET", path: "/integrations/{id}/user", serve: m((*handler).listIntegrationUsers)},
	{method: "POST", path: "/integrations/{id}/users", serve: m((*handler).inviteIntegrationUsers)},
	{method: "GET", path: "/integrations/{id}/users/{userId}", serve: m((*handler).getIntegrationUser)},
	{method: "PATCH", path: "/integrations/{id}/users/{userId}", serve: m((*handler).replaceEntitlements)},
	{method: "PATCH", path: "/integrations/{id}/users/{userId}/entitlements", serve: m((*handler).changeEntitlements)},
	{method: "DELETE", path: "/integrations/{id}/users/{userId}", serve: m((*handler).removeIntegrationUser)},

	{method: "GET", path: "/jobs", serve: m((*handler).listJobs)},
	{method: "GET", path: "/jobs/{id}", serve: m((*handler).getJob)},
	{method: "GET", path: "/jobs/{id}/screenshot", serve: m((*handler).jobScreenshot)},
	{method: "POST", path: "/jobs/{id}/retry", serve: m((*handler).retryJob)},

	{method: "GET", path: "/activities", serve: m((*handler).listActivities)},

	{method: "GET", path: "/api-keys", serve: m((*handler).listAPIKeys)},
	{method: "POST", path: "/api-keys", serve: m((*handler).createAPIKey)},
	{method: "GET", path: "/api-keys/{id}", serve: m((*handler).getAPIKey)},
	{method: "PATCH", path: "/api-keys/{id}", serve: m((*handler).updateAPIKey)},
	{method: "DELETE", path: "/api-keys/{id}", serve: m((*handler).deleteAPIKey)},

	{method: "GET", path: "/me", serve: m((*handler).me)},
	{method: "POST", path: "/auth/token", serve: m((*handler).refreshToken)},
	{method: "DELETE", path: "/auth/token", serve: m((*handler).revokeToken)},

	// The legacy Read API, under /api/v1 and under /v1, and the vendor's
	// internal web API that bulk scripts call.
	{method: "GET", path: "/admin/users", serve: m((*handler).legacyUsers)},
	{method: "GET", path: "/users/{id}/accounts", serve: m((*handler).legacyUserAccounts)},
	{prefix: LegacyPrefix, method: "GET", path: "/admin/users", serve: m((*handler).legacyUsers)},
	{prefix: LegacyPrefix, method: "GET", path: "/users/{id}/accounts", serve: m((*handler).legacyUserAccounts)},
	{prefix: LegacyPrefix, method: "GET", path: "/accounts", serve: m((*handler).legacyAccounts)},
	{prefix: LegacyPrefix, method: "GET", path: "/accounts/{id}", serve: m((*handler).legacyAccount)},
	{prefix: LegacyPrefix, method: "POST", path: "/accounts/share", serve: m((*handler).webShareAccount)},
	{prefix: LegacyPrefix, method: "DELETE", path: "/accounts/{id}", serve: m((*handler).webDeleteAccount)},
}

type (
	handlerMaker func(*handler) http.HandlerFunc
	memberAction int
)

const (
	memberList memberAction = iota
	memberShare
	memberRemove
)

// m makes a handler maker of a method.
func m(f func(*handler, http.ResponseWriter, *http.Request)) handlerMaker {
	return func(h *handler) http.HandlerFunc { return func(w http.ResponseWriter, r *http.Request) { f(h, w, r) } }
}

// members makes the handler of one action on an item's members.
func members(ops memberOps, kind string, action memberAction) handlerMaker {
	return func(h *handler) http.HandlerFunc {
		l, s, r := ops.handlers(h, kind)
		return [...]http.HandlerFunc{l, s, r}[action]
	}
}

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(h.openapi)
}
