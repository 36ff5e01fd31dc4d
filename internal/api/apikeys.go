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
	now := time.Now()
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.APIKey, int, error) {
		return h.svc.ListAPIKeys(r.Context(), pg)
	}, func(k *latchkey.APIKey) resource { return apiKeyResource(k, now) })
}

func (h *handler) getAPIKey(w http.ResponseWriter, r *http.Request) {
	k, err := h.svc.GetAPIKey(r.Context(), r.PathValue("id"))
	one(h, w, r, k, err, func(k *latchkey.APIKey) resource { return apiKeyResource(k, time.Now()) })
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
	write(h, w, r, []string{"api_key", "api_keys"}, "", http.StatusCreated, func(in *apiKeyInput) (resource, error) {
		k, err := h.svc.CreateAPIKey(r.Context(), "", in.core())
		if err != nil {
			return resource{}, err
		}
		res := apiKeyResource(k.Key, time.Now())
		attr := res.Attributes.(apiKeyAttributes)
		attr.Key, attr.SecretID = &k.Secret, str(k.SecretID)
		res.Attributes = attr
		w.Header().Set("Cache-Control", "no-store")
		return res, nil
	})
}

func (h *handler) updateAPIKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"api_key", "api_keys"}, id, http.StatusOK, func(in *apiKeyInput) (resource, error) {
		k, err := h.svc.UpdateAPIKey(r.Context(), id, in.core())
		return wrapResource(k, err, func(k *latchkey.APIKey) resource { return apiKeyResource(k, time.Now()) })
	})
}

func (h *handler) deleteAPIKey(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteAPIKey(r.Context(), r.PathValue("id")))
}
