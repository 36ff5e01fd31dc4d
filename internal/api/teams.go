package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type teamAttributes struct {
	CreatedAt   *timestamp `json:"createdAt"`
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	UpdatedAt   *timestamp `json:"updatedAt"`
	WorkspaceID string     `json:"workspaceId"`
}

func teamResource(t *latchkey.Team) resource {
	return resource{ID: t.ID, Type: "team", Attributes: teamAttributes{
		CreatedAt: ts(t.CreatedAt), Name: t.Name, Type: string(t.Type), UpdatedAt: ts(t.UpdatedAt), WorkspaceID: t.WorkspaceID,
	}}
}

func (h *handler) listTeams(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Team, int, error) {
		return h.svc.ListTeams(r.Context(), pg)
	}, teamResource)
}

func (h *handler) getTeam(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.GetTeam(r.Context(), r.PathValue("id"))
	one(h, w, r, t, err, teamResource)
}

type teamInput struct {
	Name *string `json:"name"`
}

func (in *teamInput) name() (string, error) {
	if in.Name == nil {
		return "", latchkey.Invalid([]any{"name"}, "value_error.missing", "field required")
	}
	return *in.Name, nil
}

func (h *handler) createTeam(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"team", "teams"}, "", http.StatusCreated, func(in *teamInput) (resource, error) {
		name, err := in.name()
		if err != nil {
			return resource{}, err
		}
		t, err := h.svc.CreateTeam(r.Context(), name)
		return wrapResource(t, err, teamResource)
	})
}

func (h *handler) updateTeam(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"team", "teams"}, id, http.StatusOK, func(in *teamInput) (resource, error) {
		name, err := in.name()
		if err != nil {
			return resource{}, err
		}
		t, err := h.svc.UpdateTeam(r.Context(), id, name)
		return wrapResource(t, err, teamResource)
	})
}

func (h *handler) deleteTeam(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteTeam(r.Context(), r.PathValue("id")))
}

// teamMemberAttributes mirror the vendor's team_member request, snake_case
// and all.
type teamMemberAttributes struct {
	MemberID   string `json:"member_id"`
	MemberType string `json:"member_type"`
	Role       string `json:"role"`
}

func teamMemberResource(m latchkey.TeamMembership) resource {
	return resource{ID: m.UserID, Type: "team_member", Attributes: teamMemberAttributes{MemberID: m.UserID, MemberType: "user", Role: string(m.Role)}}
}

type teamMembersBody struct {
	Data []struct {
		Type       *string               `json:"type"`
		Attributes *teamMemberAttributes `json:"attributes"`
	} `json:"data"`
}

// addTeamMembers takes the vendor's array of team_member entries.
func (h *handler) addTeamMembers(w http.ResponseWriter, r *http.Request) {
	var body teamMembersBody
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	if body.Data == nil {
		h.writeError(w, r, latchkey.Invalid([]any{"data"}, "value_error.missing", "field required"))
		return
	}
	in := make([]core.TeamMemberInput, 0, len(body.Data))
	for i, d := range body.Data {
		if d.Type != nil && *d.Type != "team_member" {
			h.writeError(w, r, latchkey.Invalid([]any{"data", i, "type"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'team_member'"))
			return
		}
		if d.Attributes == nil {
			h.writeError(w, r, latchkey.Invalid([]any{"data", i, "attributes"}, "value_error.missing", "field required"))
			return
		}
		in = append(in, core.TeamMemberInput{UserID: d.Attributes.MemberID, MemberType: d.Attributes.MemberType, Role: latchkey.TeamRole(d.Attributes.Role)})
	}
	members, err := h.svc.AddTeamMembers(r.Context(), r.PathValue("id"), in)
	if err != nil {
		h.writeError(w, r, inData(err))
		return
	}
	data := make([]resource, len(members))
	for i, m := range members {
		data[i] = teamMemberResource(m)
	}
	writeJSON(w, http.StatusOK, struct {
		Data []resource `json:"data"`
	}{data})
}

// inData places an error located in the i-th entry under data.
func inData(err error) error {
	var le *latchkey.Error
	if !asLatchkey(err, &le) || le.Meta == nil || len(le.Meta.Loc) == 0 {
		return err
	}
	if _, ok := le.Meta.Loc[0].(int); !ok {
		return inBody(err)
	}
	meta := *le.Meta
	meta.Loc = append([]any{"data"}, le.Meta.Loc...)
	out := *le
	out.Meta = &meta
	return &out
}

func (h *handler) listTeamMembers(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]latchkey.TeamMembership, int, error) {
		return h.svc.ListTeamMembers(r.Context(), r.PathValue("id"), pg)
	}, teamMemberResource)
}

func (h *handler) removeTeamMember(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.RemoveTeamMember(r.Context(), r.PathValue("id"), r.PathValue("userId")))
}
