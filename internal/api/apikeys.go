package api

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type apiKeyAttributes struct {
	CreatedAt  *timestamp `json:"createdAt"`
	ExpiresAt  *timestamp `json:"expiresAt"`
	Hint       string     `json:"hint"`
	Key        *string    `json:"key,omitempty"`
	LastUsedAt *timestamp `json:"lastUsedAt"`
	Name       string     `json:"name"`
	RemovedAt  *timestamp `json:"removedAt"`
	Scopes     []string   `json:"scopes"`
	SecretID   *string    `json:"secretId,omitempty"`
	Status     string     `json:"status"`
	UpdatedAt  *timestamp `json:"updatedAt"`
	UserID     string     `json:"userId"`
}

func apiKeyResource(k *latchkey.APIKey, now time.Time) resource {
	return resource{ID: k.ID, Type: "api_key", Attributes: apiKeyAttributes{
		CreatedAt: ts(k.CreatedAt), ExpiresAt: tsPtr(k.ExpiresAt), Hint: k.Hint, LastUsedAt: tsPtr(k.LastUsedAt), Name: k.Name,
		RemovedAt: tsPtr(k.RemovedAt), Scopes: k.Scopes.Strings(), Status: string(k.Status(now)), UpdatedAt: ts(k.UpdatedAt), UserID: k.UserID,
	}}
}

func (h *handler) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r, 25)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	keys, total, err := h.svc.ListAPIKeys(r.Context(), pg)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := time.Now()
	data := make([]resource, len(keys))
	for i, k := range keys {
		data[i] = apiKeyResource(k, now)
	}
	writeJSON(w, http.StatusOK, newList(r, pg, total, data))
}

func (h *handler) getAPIKey(w http.ResponseWriter, r *http.Request) {
	k, err := h.svc.GetAPIKey(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, single{Data: apiKeyResource(k, time.Now())})
}

type apiKeyInput struct {
	Name       *string    `json:"name"`
	Expiration *string    `json:"expiration"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	Scopes     []string   `json:"scopes"`
	VaultID    *string    `json:"vaultId"`
}

func (in *apiKeyInput) core() core.APIKeyInput {
	out := core.APIKeyInput{Name: in.Name, Scopes: in.Scopes, VaultID: in.VaultID, Expiry: core.Expiry{At: in.ExpiresAt}}
	if in.Expiration != nil {
		out.Expiry.Preset = *in.Expiration
	}
	return out
}

func (h *handler) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var body in[apiKeyInput]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	attrs, err := attributes(body, []string{"api_key", "api_keys"}, "")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	in := attrs.core()
	if in.Scopes == nil {
		in.Scopes = []string{}
	}
	k, err := h.svc.CreateAPIKey(r.Context(), "", in)
	if err != nil {
		h.writeError(w, r, inBody(err))
		return
	}
	res := apiKeyResource(k.Key, time.Now())
	attr := res.Attributes.(apiKeyAttributes)
	attr.Key, attr.SecretID = &k.Secret, str(k.SecretID)
	res.Attributes = attr
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, single{Data: res})
}

func (h *handler) updateAPIKey(w http.ResponseWriter, r *http.Request) {
	var body in[apiKeyInput]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	attrs, err := attributes(body, []string{"api_key", "api_keys"}, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	in := attrs.core()
	k, err := h.svc.UpdateAPIKey(r.Context(), r.PathValue("id"), in)
	if err != nil {
		h.writeError(w, r, inBody(err))
		return
	}
	writeJSON(w, http.StatusOK, single{Data: apiKeyResource(k, time.Now())})
}

func (h *handler) deleteAPIKey(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteAPIKey(r.Context(), r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	noContent(w)
}
