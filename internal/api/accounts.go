package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

// accountAttributes writes the vendor's account attributes,
// alphabetically as the vendor writes them, plus ours (username, vaultId).
// Unknown values are null, as the vendor leaves them. It writes itself
// (appendjson.go) straight from the account, since account lists are the
// hottest answers there are.
type accountAttributes struct{ a *latchkey.Account }

func accountResource(a *latchkey.Account) resource {
	return resource{ID: a.ID, Type: "account", Attributes: accountAttributes{a}}
}

func (h *handler) listAccounts(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Account, int, error) {
		f := latchkey.AccountFilter{Page: pg, Applications: commaList(r, "filter[application]")}
		for _, s := range commaList(r, "filter[status]") {
			f.Statuses = append(f.Statuses, latchkey.AccountStatus(s))
		}
		return h.svc.ListAccounts(r.Context(), f)
	}, accountResource)
}

func (h *handler) getAccount(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.GetAccount(r.Context(), r.PathValue("id"))
	one(h, w, r, a, err, accountResource)
}

// accountInput is the body of POST and PATCH /accounts.
type accountInput struct {
	VaultID         *string          `json:"vaultId"`
	Application     *string          `json:"application"`
	Label           *string          `json:"label"`
	Username        *string          `json:"username"`
	Email           *string          `json:"email"`
	Phone           *string          `json:"phone"`
	URL             *string          `json:"url"`
	Domain          *string          `json:"domain"`
	AvatarURL       *string          `json:"avatarUrl"`
	BusinessID      *string          `json:"businessId"`
	Status          *string          `json:"status"`
	Meta            map[string]any   `json:"meta"`
	PasswordVisible *bool            `json:"passwordVisible"`
	AutofillMFA     *bool            `json:"autofillMfa"`
	Password        optional[string] `json:"password"`
	TOTP            optional[string] `json:"totp"`
}

func (in *accountInput) core() core.AccountInput {
	out := core.AccountInput{VaultID: in.VaultID, Application: in.Application, Label: in.Label, Username: in.Username,
		Email: in.Email, Phone: in.Phone, URL: in.URL, Domain: in.Domain, AvatarURL: in.AvatarURL, BusinessID: in.BusinessID,
		Meta: in.Meta, PasswordVisible: in.PasswordVisible, AutofillMFA: in.AutofillMFA}
	if in.Status != nil {
		st := latchkey.AccountStatus(*in.Status)
		out.Status = &st
	}
	// null and "" both clear a password or seed.
	if in.Password.Set {
		out.Password = &in.Password.Value
	}
	if in.TOTP.Set {
		out.TOTP = &in.TOTP.Value
	}
	return out
}

func (h *handler) createAccount(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"account", "accounts"}, "", http.StatusCreated, func(in *accountInput) (resource, error) {
		a, err := h.svc.CreateAccount(r.Context(), in.core())
		return wrapResource(a, err, accountResource)
	})
}

func (h *handler) updateAccount(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"account", "accounts"}, id, http.StatusOK, func(in *accountInput) (resource, error) {
		a, err := h.svc.UpdateAccount(r.Context(), id, in.core())
		return wrapResource(a, err, accountResource)
	})
}

func (h *handler) deleteAccount(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteAccount(r.Context(), r.PathValue("id")))
}

type secretBody struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type accountSecretAttributes struct {
	Body       secretBody `json:"body"`
	CreatedAt  *timestamp `json:"createdAt"`
	SecretType string     `json:"secretType"`
	UpdatedAt  *timestamp `json:"updatedAt"`
	VaultID    string     `json:"vaultId"`
	Version    int        `json:"version"`
}

// accountSecrets serves an account's password. The vendor spells the
// filter filter[secretType] and its draft filter[type]; both work, and
// password is the only type there is to ask for.
func (h *handler) accountSecrets(w http.ResponseWriter, r *http.Request) {
	q := query(r)
	name := "filter[secretType]"
	if _, ok := q[name]; !ok {
		if _, ok := q["filter[type]"]; ok {
			name = "filter[type]"
		} else {
			h.writeError(w, r, latchkey.Invalid([]any{"filter[secretType]"}, "value_error.missing", "field required"))
			return
		}
	}
	for i, v := range commaList(r, name) {
		if v != string(latchkey.SecretPassword) {
			h.writeError(w, r, latchkey.Invalid([]any{name, i}, "type_error.enum", "value is not a valid enumeration member; permitted: 'password'"))
			return
		}
	}
	pg, err := page(r, 20)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	secrets, total, err := h.svc.AccountPasswords(r.Context(), r.PathValue("id"), pg)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	data := make([]resource, len(secrets))
	for i, s := range secrets {
		data[i] = resource{ID: s.ID, Type: "account_secret", Attributes: accountSecretAttributes{
			Body: secretBody{Type: "plaintext", Value: s.Value}, CreatedAt: ts(s.CreatedAt), SecretType: string(s.Type),
			UpdatedAt: ts(s.CreatedAt), VaultID: s.VaultID, Version: s.Version,
		}}
	}
	writeJSON(w, http.StatusOK, newList(r, pg, total, data))
}

type totpAttributes struct {
	Algorithm string     `json:"algorithm"`
	Code      string     `json:"code"`
	Digits    int        `json:"digits"`
	ExpiresAt *timestamp `json:"expiresAt"`
	ExpiresIn int64      `json:"expiresIn"`
	Period    int        `json:"period"`
}

func (h *handler) accountTOTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.AccountTOTP(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, single{Data: resource{ID: c.AccountID, Type: "totp", Attributes: totpAttributes{
		Algorithm: c.Algorithm, Code: c.Code, Digits: c.Digits, ExpiresAt: ts(c.ExpiresAt),
		ExpiresIn: ceilSeconds(c.ValidFor), Period: c.Period,
	}}})
}
