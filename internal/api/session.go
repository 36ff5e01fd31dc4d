package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// userAttributes are the vendor's user attributes.
type userAttributes struct {
	CreatedAt *timestamp `json:"createdAt"`
	Email     string     `json:"email"`
	FirstName string     `json:"firstName"`
	IsGuest   bool       `json:"isGuest"`
	LastName  string     `json:"lastName"`
	MFAStatus any        `json:"mfaStatus"`
	Role      string     `json:"role"`
	Status    string     `json:"status"`
	UpdatedAt *timestamp `json:"updatedAt"`
}

func userResource(u *latchkey.User) resource {
	return resource{ID: u.ID, Type: "user", Attributes: userAttributes{
		CreatedAt: ts(u.CreatedAt), Email: u.Email, FirstName: u.FirstName, IsGuest: u.IsGuest, LastName: u.LastName,
		Role: string(u.Role), Status: string(u.Status), UpdatedAt: ts(u.UpdatedAt),
	}}
}

type sessionMeta struct {
	Credential credentialMeta `json:"credential"`
	Workspace  workspaceMeta  `json:"workspace"`
}

type credentialMeta struct {
	ExpiresAt *timestamp `json:"expiresAt"`
	ID        string     `json:"id"`
	Type      string     `json:"type"`
}

type workspaceMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.Me(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res := userResource(s.User)
	res.Meta = sessionMeta{
		Credential: credentialMeta{ID: s.Principal.CredentialID, Type: string(s.Principal.Kind), ExpiresAt: tsPtr(s.ExpiresAt)},
		Workspace:  workspaceMeta{ID: s.Workspace.ID, Name: s.Workspace.Name},
	}
	writeJSON(w, http.StatusOK, single{Data: res})
}

type tokenAttributes struct {
	CreatedAt *timestamp `json:"createdAt"`
	ExpiresAt *timestamp `json:"expiresAt"`
	Token     string     `json:"token"`
}

func (h *handler) refreshToken(w http.ResponseWriter, r *http.Request) {
	secret, t, err := h.svc.RefreshToken(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, single{Data: resource{ID: t.ID, Type: "token", Attributes: tokenAttributes{
		CreatedAt: ts(t.CreatedAt), ExpiresAt: ts(t.ExpiresAt), Token: secret,
	}}})
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.RevokeToken(r.Context()))
}
