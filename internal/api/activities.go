package api

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
)

type activityAttributes struct {
	Action         string            `json:"action"`
	ActorID        *string           `json:"actorId"`
	ActorName      string            `json:"actorName"`
	ActorType      string            `json:"actorType"`
	ClientAddress  *string           `json:"clientAddress"`
	CreatedAt      *timestamp        `json:"createdAt"`
	CredentialID   *string           `json:"credentialId"`
	CredentialType string            `json:"credentialType"`
	Details        map[string]string `json:"details"`
	ResourceID     *string           `json:"resourceId"`
	ResourceType   string            `json:"resourceType"`
}

func activityResource(a *latchkey.Activity) resource {
	details := a.Details
	if details == nil {
		details = map[string]string{}
	}
	return resource{ID: a.ID, Type: "activity", Attributes: activityAttributes{
		Action: a.Action, ActorID: str(a.ActorID), ActorName: a.ActorName, ActorType: a.ActorType, ClientAddress: str(a.ClientAddr),
		CreatedAt: ts(a.CreatedAt), CredentialID: str(a.CredentialID), CredentialType: string(a.CredentialKind), Details: details,
		ResourceID: str(a.ResourceID), ResourceType: a.ResourceType,
	}}
}

func (h *handler) listActivities(w http.ResponseWriter, r *http.Request) {
	q := query(r)
	f := latchkey.ActivityFilter{Actions: commaList(r, "filter[action]"), ActorID: q.Get("filter[actor]"),
		ResourceType: q.Get("filter[resourceType]"), ResourceID: q.Get("filter[resource]")}
	for _, t := range []struct {
		name string
		dst  **time.Time
	}{{"filter[since]", &f.Since}, {"filter[until]", &f.Until}} {
		v := q.Get(t.name)
		if v == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			h.writeError(w, r, latchkey.Invalid([]any{t.name}, "value_error.datetime", "invalid datetime format; use RFC 3339, such as 2026-11-23T10:00:00Z"))
			return
		}
		*t.dst = &at
	}
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Activity, int, error) {
		f.Page = pg
		return h.svc.ListActivities(r.Context(), f)
	}, activityResource)
}
