package api

import (
	"net/http"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type mfaStatus struct {
	MFAEnabled        bool       `json:"mfaEnabled"`
	MFAEnrollmentDate *timestamp `json:"mfaEnrollmentDate"`
}

// userResourceWith encodes a member; mfaStatus is filled only when the
// request asks for it (?mfaStatus=true), as the vendor does.
func userResourceWith(withMFA bool) func(*latchkey.User) resource {
	return func(u *latchkey.User) resource {
		res := userResource(u)
		if withMFA {
			a := res.Attributes.(userAttributes)
			a.MFAStatus = mfaStatus{MFAEnabled: u.MFAEnabled, MFAEnrollmentDate: tsPtr(u.MFAEnrolledAt)}
			res.Attributes = a
		}
		return res
	}
}

// boolParam reads a true/false query parameter.
func boolParam(r *http.Request, name string) (*bool, error) {
	v := query(r).Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, latchkey.Invalid([]any{name}, "type_error.bool", "value could not be parsed to a boolean")
	}
	return &b, nil
}

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) {
	withMFA, err := boolParam(r, "mfaStatus")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	isGuest, err := boolParam(r, "filter[isGuest]")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f := latchkey.UserFilter{Text: query(r).Get("filter"), IsGuest: isGuest}
	for _, s := range commaList(r, "filter[status]") {
		f.Statuses = append(f.Statuses, latchkey.UserStatus(s))
	}
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.User, int, error) {
		f.Page = pg
		return h.svc.ListUsers(r.Context(), f)
	}, userResourceWith(withMFA != nil && *withMFA))
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) {
	withMFA, err := boolParam(r, "mfaStatus")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	u, err := h.svc.GetUser(r.Context(), r.PathValue("id"))
	one(h, w, r, u, err, userResourceWith(withMFA != nil && *withMFA))
}

// userInput is the body of POST, PUT and PATCH /users.
type userInput struct {
	Email     *string `json:"email"`
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Role      *string `json:"role"`
	IsGuest   *bool   `json:"isGuest"`
	Status    *string `json:"status"`
}

func (in *userInput) patch() core.UserPatch {
	out := core.UserPatch{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, IsGuest: in.IsGuest}
	if in.Role != nil {
		r := latchkey.Role(*in.Role)
		out.Role = &r
	}
	if in.Status != nil {
		s := latchkey.UserStatus(*in.Status)
		out.Status = &s
	}
	return out
}

// whole reads a body that must describe the member entirely (POST, PUT).
func (in *userInput) whole() (core.UserInput, error) {
	for _, req := range []struct {
		missing bool
		name    string
	}{{in.Email == nil, "email"}, {in.Role == nil && in.IsGuest == nil, "role"}} {
		if req.missing {
			return core.UserInput{}, latchkey.Invalid([]any{req.name}, "value_error.missing", "field required")
		}
	}
	out := core.UserInput{Email: *in.Email}
	if in.FirstName != nil {
		out.FirstName = *in.FirstName
	}
	if in.LastName != nil {
		out.LastName = *in.LastName
	}
	if in.IsGuest != nil {
		out.IsGuest = *in.IsGuest
	}
	switch {
	case in.Role != nil:
		out.Role = latchkey.Role(*in.Role)
	case out.IsGuest:
		out.Role = latchkey.RoleGuestUser
	default:
		out.Role = latchkey.RoleUser
	}
	return out, nil
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"user", "users"}, "", http.StatusCreated, func(in *userInput) (resource, error) {
		whole, err := in.whole()
		if err != nil {
			return resource{}, err
		}
		if in.Status != nil {
			whole.Status = latchkey.UserStatus(*in.Status)
		}
		u, err := h.svc.CreateUser(r.Context(), whole)
		return wrapResource(u, err, userResource)
	})
}

func (h *handler) replaceUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"user", "users"}, id, http.StatusOK, func(in *userInput) (resource, error) {
		if in.FirstName == nil || in.LastName == nil {
			field := "firstName"
			if in.FirstName != nil {
				field = "lastName"
			}
			return resource{}, latchkey.Invalid([]any{field}, "value_error.missing", "field required")
		}
		whole, err := in.whole()
		if err != nil {
			return resource{}, err
		}
		if in.Status != nil {
			return resource{}, latchkey.Invalid([]any{"status"}, "extra_forbidden", "A member's status changes with PATCH or DELETE.")
		}
		u, err := h.svc.ReplaceUser(r.Context(), id, whole)
		return wrapResource(u, err, userResource)
	})
}

func (h *handler) updateUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"user", "users"}, id, http.StatusOK, func(in *userInput) (resource, error) {
		u, err := h.svc.UpdateUser(r.Context(), id, in.patch())
		return wrapResource(u, err, userResource)
	})
}

func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteUser(r.Context(), r.PathValue("id")))
}
