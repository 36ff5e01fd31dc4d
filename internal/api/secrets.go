package api

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type secretAttributes struct {
	Body                      *secretBody `json:"body,omitempty"`
	Category                  string      `json:"category"`
	CreatedAt                 *timestamp  `json:"createdAt"`
	CreatedBy                 *string     `json:"createdBy"`
	EventName                 string      `json:"eventName"`
	ExpiresAt                 *timestamp  `json:"expiresAt"`
	RequiresIdentityChallenge bool        `json:"requiresIdentityChallenge"`
	Status                    string      `json:"status"`
	Title                     string      `json:"title"`
	UpdatedAt                 *timestamp  `json:"updatedAt"`
	UpdatedBy                 *string     `json:"updatedBy"`
	VaultID                   string      `json:"vaultId"`
	Version                   int         `json:"version"`
	VersionID                 string      `json:"versionId"`
	WorkspaceID               string      `json:"workspaceId"`
	WorkspaceName             string      `json:"workspaceName"`
}

func secretResource(s *latchkey.Secret) resource {
	a := secretAttributes{Category: string(s.Category), CreatedAt: ts(s.CreatedAt), CreatedBy: str(s.CreatedBy),
		EventName: s.EventName, ExpiresAt: tsPtr(s.ExpiresAt), RequiresIdentityChallenge: s.RequiresIdentityChallenge,
		Status: string(s.Status), Title: s.Title, UpdatedAt: ts(s.UpdatedAt), UpdatedBy: str(s.UpdatedBy), VaultID: s.VaultID,
		Version: s.Version, VersionID: s.VersionID, WorkspaceID: s.WorkspaceID, WorkspaceName: s.WorkspaceName}
	if s.Body != nil {
		a.Body = &secretBody{Type: "plaintext", Value: *s.Body}
	}
	return resource{ID: s.ID, Type: "secret", Attributes: a}
}

func (h *handler) listSecrets(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Secret, int, error) {
		return h.svc.ListSecrets(r.Context(), pg)
	}, secretResource)
}

func (h *handler) getSecret(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.GetSecret(r.Context(), r.PathValue("id"))
	one(h, w, r, s, err, secretResource)
}

// secretInput is the body of POST and PATCH /secrets.
type secretInput struct {
	VaultID                   *string             `json:"vaultId"`
	Title                     *string             `json:"title"`
	RequiresIdentityChallenge *bool               `json:"requiresIdentityChallenge"`
	Body                      *secretBody         `json:"body"`
	Category                  *string             `json:"category"`
	ExpiresAt                 optional[time.Time] `json:"expiresAt"`
	Status                    *string             `json:"status"`
}

// checkBody refuses a body of a type other than plaintext, the only one
// there is.
func (in *secretInput) checkBody() error {
	if in.Body != nil && in.Body.Type != "plaintext" {
		return latchkey.Invalid([]any{"data", "attributes", "body", "type"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'plaintext'")
	}
	return nil
}

func (in *secretInput) core() core.SecretInput {
	out := core.SecretInput{VaultID: in.VaultID, Title: in.Title, RequiresIdentityChallenge: in.RequiresIdentityChallenge}
	if in.Body != nil {
		out.Body = &in.Body.Value
	}
	if in.Category != nil {
		c := latchkey.SecretCategory(*in.Category)
		out.Category = &c
	}
	if in.Status != nil {
		st := latchkey.SecretStatus(*in.Status)
		out.Status = &st
	}
	if in.ExpiresAt.Set {
		if in.ExpiresAt.Null {
			out.ClearExpiry = true
		} else {
			out.ExpiresAt = &in.ExpiresAt.Value
		}
	}
	return out
}

func (h *handler) createSecret(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"secret", "secrets"}, "", http.StatusCreated, func(in *secretInput) (resource, error) {
		if err := in.checkBody(); err != nil {
			return resource{}, err
		}
		s, err := h.svc.CreateSecret(r.Context(), in.core())
		return wrapResource(s, err, secretResource)
	})
}

func (h *handler) updateSecret(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"secret", "secrets"}, id, http.StatusOK, func(in *secretInput) (resource, error) {
		if err := in.checkBody(); err != nil {
			return resource{}, err
		}
		s, err := h.svc.UpdateSecret(r.Context(), id, in.core())
		return wrapResource(s, err, secretResource)
	})
}

func (h *handler) deleteSecret(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteSecret(r.Context(), r.PathValue("id")))
}

// memberTypeOf reads a member type as paths spell it: users or teams.
func memberTypeOf(kind string) (latchkey.MemberType, error) {
	switch kind {
	case "users":
		return latchkey.MemberUser, nil
	case "teams":
		return latchkey.MemberTeam, nil
	}
	return "", latchkey.Invalid([]any{"memberType"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'users', 'teams'")
}

type memberAttributes struct {
	Role string `json:"role"`
}

func memberResource(m core.Member) resource {
	return resource{ID: m.ID, Type: string(m.Type), Attributes: memberAttributes{Role: string(m.Role)}}
}

type shareInput struct {
	Role    *string `json:"role"`
	Message *string `json:"message"`
}
