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
	pg, err := page(r, 25)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	vaults, total, err := h.svc.ListVaults(r.Context(), pg)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	data := make([]resource, len(vaults))
	for i, v := range vaults {
		data[i] = vaultResource(v)
	}
	writeJSON(w, http.StatusOK, newList(r, pg, total, data))
}

func (h *handler) getVault(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.GetVault(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, single{Data: vaultResource(v)})
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
	var body in[vaultInput]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	attrs, err := attributes(body, []string{"vault", "vaults"}, "")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.svc.CreateVault(r.Context(), attrs.core())
	if err != nil {
		h.writeError(w, r, inBody(err))
		return
	}
	writeJSON(w, http.StatusCreated, single{Data: vaultResource(v)})
}

func (h *handler) updateVault(w http.ResponseWriter, r *http.Request) {
	var body in[vaultInput]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	attrs, err := attributes(body, []string{"vault", "vaults"}, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.svc.UpdateVault(r.Context(), r.PathValue("id"), attrs.core())
	if err != nil {
		h.writeError(w, r, inBody(err))
		return
	}
	writeJSON(w, http.StatusOK, single{Data: vaultResource(v)})
}
