package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type vaultAttributes struct {
	CreatedAt     *timestamp `json:"createdAt"`
	CreatedBy     *string    `json:"createdBy"`
	CreatedByType string     `json:"createdByType"`
	IsDefault     bool       `json:"isDefault"`
	Name          string     `json:"name"`
	Scheme        string     `json:"scheme"`
	State         string     `json:"state"`
	UpdatedAt     *timestamp `json:"updatedAt"`
	WorkspaceID   string     `json:"workspaceId"`
}

func vaultResource(v *latchkey.Vault) resource {
	return resource{ID: v.ID, Type: "vault", Attributes: vaultAttributes{
		CreatedAt: ts(v.CreatedAt), CreatedBy: str(v.CreatedBy), CreatedByType: v.CreatedByType, IsDefault: v.IsDefault,
		Name: v.Name, Scheme: string(v.Scheme), State: string(v.State), UpdatedAt: ts(v.UpdatedAt), WorkspaceID: v.WorkspaceID,
	}}
}

func (h *handler) listVaults(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Vault, int, error) {
		return h.svc.ListVaults(r.Context(), pg)
	}, vaultResource)
}

func (h *handler) getVault(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.GetVault(r.Context(), r.PathValue("id"))
	one(h, w, r, v, err, vaultResource)
}

type vaultInput struct {
	Name   *string `json:"name"`
	Scheme *string `json:"scheme"`
	State  *string `json:"state"`
}

func (in *vaultInput) core() core.VaultInput {
	out := core.VaultInput{Name: in.Name}
	if in.Scheme != nil {
		s := latchkey.VaultScheme(*in.Scheme)
		out.Scheme = &s
	}
	if in.State != nil {
		s := latchkey.VaultState(*in.State)
		out.State = &s
	}
	return out
}

func (h *handler) createVault(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"vault", "vaults"}, "", http.StatusCreated, func(in *vaultInput) (resource, error) {
		v, err := h.svc.CreateVault(r.Context(), in.core())
		return wrapResource(v, err, vaultResource)
	})
}

func (h *handler) updateVault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"vault", "vaults"}, id, http.StatusOK, func(in *vaultInput) (resource, error) {
		v, err := h.svc.UpdateVault(r.Context(), id, in.core())
		return wrapResource(v, err, vaultResource)
	})
}
