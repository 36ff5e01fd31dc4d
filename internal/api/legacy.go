package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// The vendor's older Read API: flat objects, startIndex paging (1-based),
// and list envelopes of its own. It answers under /api/v1 and /v1.

type legacyMember struct {
	CreatedAt    *timestamp     `json:"createdAt"`
	Email        string         `json:"email"`
	FirstName    string         `json:"firstName"`
	ID           string         `json:"id"`
	IsGuest      bool           `json:"isGuest"`
	LastActivity *timestamp     `json:"lastActivity"`
	LastName     string         `json:"lastName"`
	Meta         map[string]any `json:"meta"`
	Role         string         `json:"role"`
	Status       string         `json:"status"`
	UpdatedAt    *timestamp     `json:"updatedAt"`
}

func legacyMemberOf(u *latchkey.User) legacyMember {
	return legacyMember{CreatedAt: ts(u.CreatedAt), Email: u.Email, FirstName: u.FirstName, ID: u.ID, IsGuest: u.IsGuest,
		LastActivity: tsPtr(u.LastActivityAt), LastName: u.LastName, Meta: map[string]any{}, Role: string(u.Role),
		Status: string(u.Status), UpdatedAt: ts(u.UpdatedAt)}
}

type legacyAccountJSON struct {
	AutofillMFA              bool           `json:"autofillMfa"`
	AvatarURL                *string        `json:"avatar_url"`
	BusinessID               *string        `json:"businessId"`
	CreatedAt                *timestamp     `json:"createdAt"`
	CreatedBy                *string        `json:"createdBy"`
	Domain                   *string        `json:"domain"`
	Domains                  any            `json:"domains"`
	Email                    *string        `json:"email"`
	HasBackupCode            bool           `json:"hasBackupCode"`
	HasTOTPVirtualDevice     bool           `json:"hasTotpVirtualDevice"`
	ID                       string         `json:"id"`
	IsEmailManaged           bool           `json:"isEmailManaged"`
	IsPhoneManaged           bool           `json:"isPhoneManaged"`
	LastLoginDate            *timestamp     `json:"lastLoginDate"`
	LastLoginUserName        *string        `json:"lastLoginUserName"`
	Meta                     map[string]any `json:"meta"`
	MFAEnabled               bool           `json:"mfaEnabled"`
	MFATypes                 []string       `json:"mfaTypes"`
	Name                     string         `json:"name"`
	OriginalEmail            *string        `json:"originalEmail"`
	OriginalPhone            *string        `json:"originalPhone"`
	PasswordSet              bool           `json:"passwordSet"`
	PasswordVisible          bool           `json:"passwordVisible"`
	Permissions              []string       `json:"permissions"`
	Phone                    *string        `json:"phone"`
	Provider                 string         `json:"provider"`
	Role                     string         `json:"role"`
	RotatedAt                *timestamp     `json:"rotatedAt"`
	RotatedBy                *string        `json:"rotatedBy"`
	RotatedByID              *string        `json:"rotatedById"`
	RotatedByUser            any            `json:"rotatedByUser"`
	Status                   string         `json:"status"`
	SyncedAt                 *timestamp     `json:"syncedAt"`
	Type                     string         `json:"type"`
	UpdatedAt                *timestamp     `json:"updatedAt"`
	URL                      *string        `json:"url"`
	Username                 *string        `json:"username"`
	VaultID                  string         `json:"vaultId"`
	Workspace                string         `json:"workspace"`
	WorkspacePolicyCheckDate *timestamp     `json:"workspacePolicyCheckDate"`
	WorkspacePolicyResult    any            `json:"workspacePolicyResult"`
}

func legacyAccountOf(a *latchkey.Account) legacyAccountJSON {
	meta := a.Meta
	if meta == nil {
		meta = map[string]any{}
	}
	mfa := a.MFATypes
	if mfa == nil {
		mfa = []string{}
	}
	role := strings.TrimPrefix(string(latchkey.ItemRoleFor(latchkey.ItemAccount, a.Rank)), "account_")
	return legacyAccountJSON{
		AutofillMFA: a.AutofillMFA, AvatarURL: str(a.AvatarURL), BusinessID: str(a.BusinessID), CreatedAt: ts(a.CreatedAt),
		CreatedBy: str(a.CreatedBy), Domain: str(a.Domain), Email: str(a.Email), HasBackupCode: a.HasBackupCode,
		HasTOTPVirtualDevice: a.HasTOTP, ID: a.ID, IsEmailManaged: a.CerbyManagedEmail, IsPhoneManaged: a.CerbyManagedPhone,
		LastLoginDate: tsPtr(a.LastLoginAt), LastLoginUserName: str(a.LastLoginBy), Meta: meta, MFAEnabled: a.MFAEnabled(),
		MFATypes: mfa, Name: a.Label, PasswordSet: a.HasPassword, PasswordVisible: a.PasswordVisible, Permissions: []string{},
		Phone: str(a.Phone), Provider: a.Application, Role: role, RotatedAt: tsPtr(a.RotatedAt), RotatedBy: str(a.RotatedBy),
		RotatedByID: str(a.RotatedByID), Status: string(a.Status), SyncedAt: tsPtr(a.SyncedAt), Type: "identity",
		UpdatedAt: ts(a.UpdatedAt), URL: str(a.URL), Username: str(a.Username), VaultID: a.VaultID, Workspace: a.WorkspaceName,
	}
}

// intParam reads a whole-number query parameter within [min, max].
func intParam(r *http.Request, name string, def, min, max int) (int, error) {
	v := query(r).Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, latchkey.Invalid([]any{name}, "type_error.integer", "value is not a valid integer")
	}
	if n < min || n > max {
		return 0, latchkey.Invalid([]any{name}, "value_error.number.not_in_range", "ensure this value is between "+strconv.Itoa(min)+" and "+strconv.Itoa(max))
	}
	return n, nil
}

// legacyPage reads startIndex (1-based) and a page size parameter.
func legacyPage(r *http.Request, sizeParam string, def int) (latchkey.Page, int, error) {
	start, err := intParam(r, "startIndex", 1, 1, 1<<30)
	if err != nil {
		return latchkey.Page{}, 0, err
	}
	size, err := intParam(r, sizeParam, def, 1, latchkey.MaxPageSize)
	if err != nil {
		return latchkey.Page{}, 0, err
	}
	return latchkey.Page{From: start - 1, Size: size}, start, nil
}

// legacyUsers is GET /admin/users: workspace members, admins only.
func (h *handler) legacyUsers(w http.ResponseWriter, r *http.Request) {
	pg, start, err := legacyPage(r, "count", 20)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := boolParam(r, "onlyInIdp"); err != nil {
		h.writeError(w, r, err)
		return
	}
	isGuest, err := boolParam(r, "isGuest")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f := latchkey.UserFilter{Text: query(r).Get("search"), IsGuest: isGuest, IDs: commaList(r, "userIds"), Page: pg}
	for _, s := range commaList(r, "status") {
		f.Statuses = append(f.Statuses, latchkey.UserStatus(s))
	}
	users, total, err := h.svc.ListUsers(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	resources := make([]legacyMember, len(users))
	for i, u := range users {
		resources[i] = legacyMemberOf(u)
	}
	writeJSON(w, http.StatusOK, struct {
		TotalResults int            `json:"totalResults"`
		ItemsPerPage int            `json:"itemsPerPage"`
		StartIndex   int            `json:"startIndex"`
		Resources    []legacyMember `json:"resources"`
	}{total, len(resources), start, resources})
}

// legacyUserAccounts is GET /users/{id}/accounts: the accounts a member
// reaches, as a bare array. It answers up to 1,000 unless limit and
// startIndex page it.
func (h *handler) legacyUserAccounts(w http.ResponseWriter, r *http.Request) {
	start, err := intParam(r, "startIndex", 1, 1, 1<<30)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	limit, err := intParam(r, "limit", 1000, 1, 1000)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	accounts, _, err := h.svc.UserAccounts(r.Context(), r.PathValue("id"), latchkey.AccountFilter{Page: latchkey.Page{From: start - 1, Size: limit}})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]legacyAccountJSON, len(accounts))
	for i, a := range accounts {
		out[i] = legacyAccountOf(a)
	}
	writeJSON(w, http.StatusOK, out)
}

// legacySorts maps the Read API's sortBy values.
var legacySorts = map[string]latchkey.AccountSort{
	"":                                latchkey.SortCreated,
	"sorting_query_by_oldest_create":  latchkey.SortCreated,
	"oldest":                          latchkey.SortCreated,
	"sorting_query_by_newest_created": latchkey.SortNewest,
	"newest":                          latchkey.SortNewest,
	"sorting_query_by_alpha_asc":      latchkey.SortAlphaAsc,
	"sorting_query_by_alpha_desc":     latchkey.SortAlphaDesc,
	"sorting_query_by_recently_used":  latchkey.SortRecentlyUsed,
	"used":                            latchkey.SortRecentlyUsed,
}

// legacyAccounts is GET /v1/accounts.
func (h *handler) legacyAccounts(w http.ResponseWriter, r *http.Request) {
	pg, start, err := legacyPage(r, "limit", 20)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	sort, ok := legacySorts[query(r).Get("sortBy")]
	if !ok {
		h.writeError(w, r, latchkey.Invalid([]any{"sortBy"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'sorting_query_by_recently_used', 'sorting_query_by_alpha_asc', 'sorting_query_by_alpha_desc', 'sorting_query_by_newest_created', 'sorting_query_by_oldest_create'"))
		return
	}
	f := latchkey.AccountFilter{Search: query(r).Get("search"), IDs: commaList(r, "ids"), Sort: sort, Page: pg,
		Applications: append(commaList(r, "app"), commaList(r, "provider")...)}
	// The Read API knows statuses accounts here never have (pending,
	// provision, success): asking only for those finds nothing.
	statuses := commaList(r, "status")
	for _, s := range statuses {
		if st := latchkey.AccountStatus(s); st == latchkey.AccountEnabled || st == latchkey.AccountDisabled {
			f.Statuses = append(f.Statuses, st)
		}
	}
	var (
		accounts []*latchkey.Account
		total    int
	)
	if len(statuses) == 0 || len(f.Statuses) > 0 {
		if accounts, total, err = h.svc.ListAccounts(r.Context(), f); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	out := make([]legacyAccountJSON, len(accounts))
	for i, a := range accounts {
		out[i] = legacyAccountOf(a)
	}
	writeJSON(w, http.StatusOK, struct {
		Limit        int                 `json:"limit"`
		StartIndex   int                 `json:"startIndex"`
		TotalResults int                 `json:"totalResults"`
		Accounts     []legacyAccountJSON `json:"accounts"`
	}{pg.Size, start, total, out})
}

// legacyAccount is GET /v1/accounts/{id}: the bare legacy object.
func (h *handler) legacyAccount(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.GetAccount(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, legacyAccountOf(a))
}

// webShareInput is the vendor web API's flat share body.
type webShareInput struct {
	AccountID *string  `json:"accountId"`
	UserIDs   []string `json:"userIds"`
	TeamIDs   []string `json:"teamIds"`
	Role      *string  `json:"role"`
}

// webShareAccount is POST /v1/accounts/share.
func (h *handler) webShareAccount(w http.ResponseWriter, r *http.Request) {
	var in webShareInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	switch {
	case in.AccountID == nil:
		h.writeError(w, r, latchkey.Invalid([]any{"accountId"}, "value_error.missing", "field required"))
		return
	case in.Role == nil:
		h.writeError(w, r, latchkey.Invalid([]any{"role"}, "value_error.missing", "field required"))
		return
	case (in.UserIDs == nil) == (in.TeamIDs == nil):
		h.writeError(w, r, latchkey.Invalid([]any{"userIds"}, "value_error", "Give userIds or teamIds, one of the two."))
		return
	}
	mt, ids, field := latchkey.MemberUser, in.UserIDs, "userIds"
	if in.TeamIDs != nil {
		mt, ids, field = latchkey.MemberTeam, in.TeamIDs, "teamIds"
	}
	shared, err := h.svc.ShareAccountWith(r.Context(), *in.AccountID, mt, ids, *in.Role)
	if err != nil {
		h.writeError(w, r, relocateLoc(err, field))
		return
	}
	roles := make([]string, len(shared))
	for i, m := range shared {
		roles[i] = string(m.Role)
	}
	writeJSON(w, http.StatusOK, map[string]any{"accountId": *in.AccountID, field: ids, "role": roles[0]})
}

// relocateLoc moves an error about a member ("id") to a flat body's field.
func relocateLoc(err error, field string) error {
	var le *latchkey.Error
	if !asLatchkey(err, &le) || le.Meta == nil || len(le.Meta.Loc) == 0 || le.Meta.Loc[0] != "id" {
		return err
	}
	meta := *le.Meta
	meta.Loc = []any{field}
	out := *le
	out.Meta = &meta
	return &out
}

// webDeleteAccount is DELETE /v1/accounts/{id}. Its password, reason and
// turnOffMfa parameters are accepted and have no further effect here.
func (h *handler) webDeleteAccount(w http.ResponseWriter, r *http.Request) {
	if _, err := boolParam(r, "turnOffMfa"); err != nil {
		h.writeError(w, r, err)
		return
	}
	done(h, w, r, h.svc.DeleteAccount(r.Context(), r.PathValue("id")))
}
