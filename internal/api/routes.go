package api

import "net/http"

// routes is every operation under /api/v1. A test checks this table against
// the OpenAPI document both ways.
var routes = []route{
	{method: "GET", path: "/openapi.json", public: true, undocumented: true, serve: (*handler).openAPI},

	{method: "GET", path: "/accounts", serve: (*handler).listAccounts},
	{method: "POST", path: "/accounts", serve: (*handler).createAccount},
	{method: "GET", path: "/accounts/{id}", serve: (*handler).getAccount},
	{method: "PATCH", path: "/accounts/{id}", serve: (*handler).updateAccount},
	{method: "DELETE", path: "/accounts/{id}", serve: (*handler).deleteAccount},
	{method: "GET", path: "/accounts/{id}/secrets", serve: (*handler).accountSecrets},
	{method: "GET", path: "/accounts/{id}/totp", serve: (*handler).accountTOTP},

	{method: "GET", path: "/secrets", serve: (*handler).listSecrets},
	{method: "POST", path: "/secrets", serve: (*handler).createSecret},
	{method: "GET", path: "/secrets/{id}", serve: (*handler).getSecret},
	{method: "PATCH", path: "/secrets/{id}", serve: (*handler).updateSecret},
	{method: "DELETE", path: "/secrets/{id}", serve: (*handler).deleteSecret},
	{method: "GET", path: "/secrets/{id}/members/{memberType}", serve: (*handler).listSecretMembers},
	{method: "POST", path: "/secrets/{id}/members/{memberType}", serve: (*handler).shareSecret},
	{method: "DELETE", path: "/secrets/{id}/members/{memberType}/{memberId}", serve: (*handler).removeSecretMember},

	{method: "GET", path: "/vaults", serve: (*handler).listVaults},
	{method: "POST", path: "/vaults", serve: (*handler).createVault},
	{method: "GET", path: "/vaults/{id}", serve: (*handler).getVault},
	{method: "PATCH", path: "/vaults/{id}", serve: (*handler).updateVault},

	{method: "GET", path: "/activities", serve: (*handler).listActivities},

	{method: "GET", path: "/api-keys", serve: (*handler).listAPIKeys},
	{method: "POST", path: "/api-keys", serve: (*handler).createAPIKey},
	{method: "GET", path: "/api-keys/{id}", serve: (*handler).getAPIKey},
	{method: "PATCH", path: "/api-keys/{id}", serve: (*handler).updateAPIKey},
	{method: "DELETE", path: "/api-keys/{id}", serve: (*handler).deleteAPIKey},

	{method: "GET", path: "/me", serve: (*handler).me},
	{method: "POST", path: "/auth/token", serve: (*handler).refreshToken},
	{method: "DELETE", path: "/auth/token", serve: (*handler).revokeToken},
}

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(h.openapi)
}
