package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

// integrationAttributes are the vendor's, plus ours: the connector kind and
// URL (never its secrets) and when the users were last imported.
type integrationAttributes struct {
	Application  string     `json:"application"`
	Connector    string     `json:"connector"`
	ConnectorURL *string    `json:"connectorUrl"`
	CreatedAt    *timestamp `json:"createdAt"`
	CreatedBy    string     `json:"createdBy"`
	Label        string     `json:"label"`
	SyncedAt     *timestamp `json:"syncedAt"`
	UpdatedAt    *timestamp `json:"updatedAt"`
	Workspace    string     `json:"workspace"`
}

func integrationResource(ig *latchkey.Integration) resource {
	return resource{ID: ig.ID, Type: "account", Attributes: integrationAttributes{
		Application: ig.Application, Connector: string(ig.Connector.Kind), ConnectorURL: str(ig.Connector.URL),
		CreatedAt: ts(ig.CreatedAt), CreatedBy: ig.CreatedBy, Label: ig.Label, SyncedAt: tsPtr(ig.SyncedAt),
		UpdatedAt: ts(ig.UpdatedAt), Workspace: ig.WorkspaceName,
	}}
}

type entitlementAttributes struct {
	Group string `json:"group"`
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

func entitlementResource(e latchkey.Entitlement) resource {
	return resource{ID: e.Key, Type: "entitlement", Attributes: entitlementAttributes{Group: string(e.Group), Key: e.Key, Label: e.Label, Value: e.Value}}
}

type integrationUserAttributes struct {
	Email        string     `json:"email"`
	Entitlements []resource `json:"entitlements"`
	FirstName    string     `json:"firstName"`
	IsGuest      bool       `json:"isGuest"`
	LastName     string     `json:"lastName"`
	Role         string     `json:"role"`
	Status       string     `json:"status"`
}

type integrationUserMeta struct {
	DynamicFields map[string]any `json:"dynamicFields"`
}

func integrationUserResource(u *latchkey.IntegrationUser) resource {
	ents := make([]resource, len(u.Entitlements))
	for i, e := range u.Entitlements {
		ents[i] = entitlementResource(e)
	}
	fields := u.DynamicFields
	if fields == nil {
		fields = map[string]any{}
	}
	return resource{ID: u.UserID, Type: "user", Attributes: integrationUserAttributes{
		Email: u.Email, Entitlements: ents, FirstName: u.FirstName, IsGuest: u.IsGuest, LastName: u.LastName,
		Role: u.Role, Status: string(u.Status),
	}, Meta: integrationUserMeta{DynamicFields: fields}}
}

func (h *handler) listIntegrations(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Integration, int, error) {
		return h.svc.ListIntegrations(r.Context(), commaList(r, "filter[application]"), pg)
	}, integrationResource)
}

func (h *handler) getIntegration(w http.ResponseWriter, r *http.Request) {
	ig, err := h.svc.GetIntegration(r.Context(), r.PathValue("id"))
	one(h, w, r, ig, err, integrationResource)
}

// connectorInput is how POST /integrations names the connector.
type connectorInput struct {
	Kind           *string         `json:"kind"`
	URL            string          `json:"url"`
	Token          string          `json:"token"`
	SigningSecret  string          `json:"signingSecret"`
	Recipe         json.RawMessage `json:"recipe"`
	TimeoutSeconds int             `json:"timeoutSeconds"`
	Seats          int             `json:"seats"`
	Options        map[string]any  `json:"options"`
}

type integrationInput struct {
	accountInput
	Connector *connectorInput `json:"connector"`
}

func (h *handler) createIntegration(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"account", "integration"}, "", http.StatusCreated, func(in *integrationInput) (resource, error) {
		if in.Connector == nil || in.Connector.Kind == nil {
			return resource{}, latchkey.Invalid([]any{"data", "attributes", "connector", "kind"}, "value_error.missing", "field required")
		}
		c := in.Connector
		ig, err := h.svc.CreateIntegration(r.Context(), core.IntegrationInput{
			Account: in.accountInput.core(),
			Connector: latchkey.ConnectorConfig{Kind: latchkey.ConnectorKind(*c.Kind), URL: c.URL, Token: c.Token,
				SigningSecret: c.SigningSecret, Recipe: c.Recipe, Timeout: time.Duration(c.TimeoutSeconds) * time.Second,
				Seats: c.Seats, Options: c.Options},
		})
		return wrapResource(ig, err, integrationResource)
	})
}

func (h *handler) listEntitlements(w http.ResponseWriter, r *http.Request) {
	ents, err := h.svc.IntegrationEntitlements(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	data := make([]resource, len(ents))
	for i, e := range ents {
		data[i] = entitlementResource(e)
	}
	writeJSON(w, http.StatusOK, struct {
		Data []resource `json:"data"`
	}{data})
}

func (h *handler) listIntegrationUsers(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.IntegrationUser, int, error) {
		return h.svc.IntegrationUsers(r.Context(), r.PathValue("id"), pg)
	}, integrationUserResource)
}

func (h *handler) getIntegrationUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.svc.IntegrationUser(r.Context(), r.PathValue("id"), r.PathValue("userId"))
	one(h, w, r, u, err, integrationUserResource)
}

// jobCreated is the vendor's answer to an integration write: the new job,
// status only.
func (h *handler) jobCreated(w http.ResponseWriter, r *http.Request, j *latchkey.Job, err error) {
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, single{Data: resource{ID: j.ID, Type: "job", Attributes: struct {
		Status string `json:"status"`
	}{string(j.Status)}}})
}

func (h *handler) syncIntegration(w http.ResponseWriter, r *http.Request) {
	j, err := h.svc.SyncIntegration(r.Context(), r.PathValue("id"))
	h.jobCreated(w, r, j, err)
}

type entitlementRef struct {
	ID *string `json:"id"`
}

func entitlementIDs(refs []entitlementRef, loc ...any) ([]string, error) {
	if refs == nil {
		return nil, nil
	}
	ids := make([]string, len(refs))
	for i, ref := range refs {
		if ref.ID == nil || *ref.ID == "" {
			return nil, latchkey.Invalid(append(loc, i, "id"), "value_error.missing", "field required")
		}
		ids[i] = *ref.ID
	}
	return ids, nil
}

type inviteAttributes struct {
	Role         *string          `json:"role"`
	Entitlements []entitlementRef `json:"entitlements"`
	UserIDs      []string         `json:"userIds"`
}

func (h *handler) inviteIntegrationUsers(w http.ResponseWriter, r *http.Request) {
	a, err := typedAttributes[inviteAttributes](r, "invite_tenant_users")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	attr := func(f ...any) []any { return append([]any{"data", "attributes"}, f...) }
	switch {
	case a.Role == nil:
		err = latchkey.Invalid(attr("role"), "value_error.missing", "field required")
	case a.Entitlements == nil:
		err = latchkey.Invalid(attr("entitlements"), "value_error.missing", "field required")
	case a.UserIDs == nil:
		err = latchkey.Invalid(attr("userIds"), "value_error.missing", "field required")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ents, err := entitlementIDs(a.Entitlements, attr("entitlements")...)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	j, err := h.svc.InviteIntegrationUsers(r.Context(), r.PathValue("id"), core.InviteInput{Role: *a.Role, Entitlements: ents, UserIDs: a.UserIDs})
	h.jobCreated(w, r, j, err)
}

// typedAttributes reads a request whose data.type is required and must be
// typ, as the vendor's job-starting operations are.
func typedAttributes[A any](r *http.Request, typ string) (*A, error) {
	var body in[A]
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.Data != nil && body.Data.Type == nil {
		return nil, latchkey.Invalid([]any{"data", "type"}, "value_error.missing", "field required")
	}
	return attributes(body, []string{typ}, "")
}

// replaceEntitlements is the vendor's update_user_entitlement.
func (h *handler) replaceEntitlements(w http.ResponseWriter, r *http.Request) {
	a, err := typedAttributes[struct {
		Entitlements []entitlementRef `json:"entitlements"`
	}](r, "update_user_entitlement")
	if err == nil && a.Entitlements == nil {
		err = latchkey.Invalid([]any{"data", "attributes", "entitlements"}, "value_error.missing", "field required")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ents, err := entitlementIDs(a.Entitlements, "data", "attributes", "entitlements")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	j, err := h.svc.UpdateIntegrationUser(r.Context(), r.PathValue("id"), r.PathValue("userId"), ents, nil, nil)
	h.jobCreated(w, r, j, err)
}

// changeEntitlements adds and removes single entitlements.
func (h *handler) changeEntitlements(w http.ResponseWriter, r *http.Request) {
	type change struct {
		Entitlements []entitlementRef `json:"entitlements"`
	}
	var body struct {
		Data *struct {
			Add    *change `json:"add"`
			Remove *change `json:"remove"`
		} `json:"data"`
	}
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	if body.Data == nil || (body.Data.Add == nil && body.Data.Remove == nil) {
		h.writeError(w, r, latchkey.Invalid([]any{"data"}, "value_error.missing", "Give add, remove, or both, each with entitlements."))
		return
	}
	var add, remove []string
	for _, c := range []struct {
		name string
		in   *change
		out  *[]string
	}{{"add", body.Data.Add, &add}, {"remove", body.Data.Remove, &remove}} {
		if c.in == nil {
			continue
		}
		ids, err := entitlementIDs(c.in.Entitlements, "data", c.name, "entitlements")
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		*c.out = ids
	}
	j, err := h.svc.UpdateIntegrationUser(r.Context(), r.PathValue("id"), r.PathValue("userId"), nil, add, remove)
	h.jobCreated(w, r, j, err)
}

func (h *handler) removeIntegrationUser(w http.ResponseWriter, r *http.Request) {
	j, err := h.svc.RemoveIntegrationUser(r.Context(), r.PathValue("id"), r.PathValue("userId"))
	h.jobCreated(w, r, j, err)
}
