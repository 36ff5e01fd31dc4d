package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// Visibility says which items a list may return: those on which UserID
// holds at least MinRank, or, for the operator and the system, all of them.
type Visibility struct {
	UserID  string
	MinRank latchkey.Rank
	All     bool
}

const accountColumns = `a.workspace_id, a.id, a.vault_id, a.application, a.label, a.username, a.email, a.phone, a.url, a.domain,
	a.avatar_url, a.business_id, a.status, a.meta, a.password_visible, a.autofill_mfa, a.cerby_managed_email,
	a.cerby_managed_phone, a.has_backup_code, a.has_passkey, a.has_password, a.has_totp, a.mfa_types,
	a.created_at, a.created_by, a.created_by_email, a.updated_at, a.updated_by, a.last_login_at, a.last_login_by,
	a.last_password_change_at, a.rotated_at, a.rotated_by, a.rotated_by_id, a.synced_at`

func scanAccount(row interface{ Scan(...any) error }, extra ...any) (*latchkey.Account, error) {
	var (
		a                                        latchkey.Account
		meta, mfaTypes                           string
		created, updated                         int64
		lastLogin, lastChange, rotated, syncedAt nullTime
	)
	dest := []any{&a.WorkspaceID, &a.ID, &a.VaultID, &a.Application, &a.Label, &a.Username, &a.Email, &a.Phone, &a.URL, &a.Domain,
		&a.AvatarURL, &a.BusinessID, &a.Status, &meta, &a.PasswordVisible, &a.AutofillMFA, &a.CerbyManagedEmail,
		&a.CerbyManagedPhone, &a.HasBackupCode, &a.HasPasskey, &a.HasPassword, &a.HasTOTP, &mfaTypes,
		&created, &a.CreatedBy, &a.CreatedByEmail, &updated, &a.UpdatedBy, &lastLogin, &a.LastLoginBy,
		&lastChange, &rotated, &a.RotatedBy, &a.RotatedByID, &syncedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if meta != "" && meta != "{}" {
		if err := json.Unmarshal([]byte(meta), &a.Meta); err != nil {
			return nil, err
		}
	}
	if mfaTypes != "" {
		a.MFATypes = strings.Split(mfaTypes, ",")
	}
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	a.LastLoginAt, a.LastPasswordChange, a.RotatedAt, a.SyncedAt = lastLogin.ptr(), lastChange.ptr(), rotated.ptr(), syncedAt.ptr()
	return &a, nil
}

func accountArgs(a *latchkey.Account) ([]any, error) {
	meta := "{}"
	if len(a.Meta) > 0 {
		b, err := json.Marshal(a.Meta)
		if err != nil {
			return nil, err
		}
		meta = string(b)
	}
	return []any{a.VaultID, a.Application, a.Label, a.Username, a.Email, a.Phone, a.URL, a.Domain,
		a.AvatarURL, a.BusinessID, string(a.Status), meta, a.PasswordVisible, a.AutofillMFA, a.CerbyManagedEmail,
		a.CerbyManagedPhone, a.HasBackupCode, a.HasPasskey, a.HasPassword, a.HasTOTP, strings.Join(a.MFATypes, ","),
		micros(a.UpdatedAt), a.UpdatedBy, nullMicros(a.LastLoginAt), a.LastLoginBy,
		nullMicros(a.LastPasswordChange), nullMicros(a.RotatedAt), a.RotatedBy, a.RotatedByID, nullMicros(a.SyncedAt)}, nil
}

// CreateAccount inserts a.
func (tx *Tx) CreateAccount(ctx context.Context, a *latchkey.Account) error {
	args, err := accountArgs(a)
	if err != nil {
		return err
	}
	args = append([]any{a.WorkspaceID, a.ID, micros(a.CreatedAt), a.CreatedBy, a.CreatedByEmail}, args...)
	_, err = tx.exec(ctx, `INSERT INTO accounts (workspace_id, id, created_at, created_by, created_by_email,
		vault_id, application, label, username, email, phone, url, domain,
		avatar_url, business_id, status, meta, password_visible, autofill_mfa, cerby_managed_email,
		cerby_managed_phone, has_backup_code, has_passkey, has_password, has_totp, mfa_types,
		updated_at, updated_by, last_login_at, last_login_by,
		last_password_change_at, rotated_at, rotated_by, rotated_by_id, synced_at)
		VALUES (`+placeholders(35)+`)`, args...)
	if err != nil {
		return err
	}
	return tx.bump(ctx, a.WorkspaceID, countAccounts, 1)
}

// UpdateAccount writes every mutable field of a.
func (tx *Tx) UpdateAccount(ctx context.Context, a *latchkey.Account) error {
	args, err := accountArgs(a)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE accounts SET
		vault_id = ?, application = ?, label = ?, username = ?, email = ?, phone = ?, url = ?, domain = ?,
		avatar_url = ?, business_id = ?, status = ?, meta = ?, password_visible = ?, autofill_mfa = ?, cerby_managed_email = ?,
		cerby_managed_phone = ?, has_backup_code = ?, has_passkey = ?, has_password = ?, has_totp = ?, mfa_types = ?,
		updated_at = ?, updated_by = ?, last_login_at = ?, last_login_by = ?,
		last_password_change_at = ?, rotated_at = ?, rotated_by = ?, rotated_by_id = ?, synced_at = ?
		WHERE workspace_id = ? AND id = ?`, append(args, a.WorkspaceID, a.ID)...)
	return mustAffect(res, err)
}

// DeleteAccount removes an account, its sealed secrets and every grant on it.
func (tx *Tx) DeleteAccount(ctx context.Context, workspaceID, id string) error {
	if err := tx.ForgetItem(ctx, workspaceID, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM accounts WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return tx.bump(ctx, workspaceID, countAccounts, -1)
}

// Account reads one account together with userID's effective role on it
// (RankNone when the user has none), in one round trip. In a write
// transaction the row is locked for the rest of it.
func (tx *Tx) Account(ctx context.Context, workspaceID, id, userID string) (*latchkey.Account, error) {
	var rank latchkey.Rank
	a, err := scanAccount(tx.queryRow(ctx, `SELECT `+accountColumns+`, COALESCE(x.rank, 0)
		FROM accounts a
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'account' AND x.item_id = a.id
		WHERE a.workspace_id = ? AND a.id = ?`+tx.forUpdateOf("a"), nullableID(userID), workspaceID, id), &rank)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	a.Rank = rank
	return a, nil
}

// ListAccounts pages through the accounts vis allows, in creation order.
// Unfiltered lists take their total from the kept counts, and deep pages
// start from anchors.
func (tx *Tx) ListAccounts(ctx context.Context, workspaceID string, vis Visibility, f latchkey.AccountFilter) ([]*latchkey.Account, int, error) {
	from, args := visibleItems("accounts", latchkey.ItemAccount, workspaceID, vis)
	total, version, key := -1, int64(0), ""
	if len(f.Applications) == 0 && len(f.Statuses) == 0 && f.Search == "" && len(f.IDs) == 0 {
		var err error
		total, version, key, err = tx.visibleTotal(ctx, workspaceID, vis, latchkey.ItemAccount, countAccounts)
		if err != nil {
			return nil, 0, err
		}
	}
	var where strings.Builder
	if len(f.Applications) > 0 {
		where.WriteString(` AND a.application IN (` + placeholders(len(f.Applications)) + `)`)
		for _, app := range f.Applications {
			args = append(args, app)
		}
	}
	if len(f.Statuses) > 0 {
		where.WriteString(` AND a.status IN (` + placeholders(len(f.Statuses)) + `)`)
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if len(f.IDs) > 0 {
		where.WriteString(` AND a.id IN (` + placeholders(len(f.IDs)) + `)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		like := "%" + escapeLike(strings.ToLower(t)) + "%"
		where.WriteString(` AND (LOWER(a.label) LIKE ? ESCAPE '\' OR LOWER(a.username) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	order := idColumn(vis)
	switch f.Sort {
	case latchkey.SortNewest:
		order += " DESC"
	case latchkey.SortAlphaAsc:
		order, version = "LOWER(a.label), a.id", 0
	case latchkey.SortAlphaDesc:
		order, version = "LOWER(a.label) DESC, a.id DESC", 0
	case latchkey.SortRecentlyUsed:
		order, version = "COALESCE(a.last_login_at, 0) DESC, a.id DESC", 0
	}
	keys := ""
	if where.Len() == 0 && !vis.All && strings.TrimSuffix(order, " DESC") == idColumn(vis) {
		keys = visibleKeys(latchkey.ItemAccount)
	}
	return listPageKeyed(ctx, tx, from+where.String(), keys, args, order, `SELECT `+accountColumns+`, `+rankColumn(vis)+` `, f.Page,
		total, key, version, func(row interface{ Scan(...any) error }) (*latchkey.Account, error) {
			var rank latchkey.Rank
			a, err := scanAccount(row, &rank)
			if err == nil {
				a.Rank = rank
			}
			return a, err
		})
}

// visibleTotal is the cheap total of an unfiltered visible list, its
// version, and its key for anchors: the workspace counter for the operator,
// the user's kept count otherwise.
func (tx *Tx) visibleTotal(ctx context.Context, workspaceID string, vis Visibility, itemType latchkey.ItemType, counter string) (int, int64, string, error) {
	if vis.All {
		n, v, err := tx.counter(ctx, workspaceID, counter)
		return n, v, workspaceID + "|" + counter, err
	}
	n, v, err := tx.VisibleCount(ctx, workspaceID, vis.UserID, itemType, vis.MinRank)
	return n, v, workspaceID + "|" + vis.UserID + "|" + string(itemType) + "|" + strconv.Itoa(int(vis.MinRank)), err
}

func idColumn(vis Visibility) string {
	if vis.All {
		return "a.id"
	}
	return "x.item_id"
}

// visibleItems returns the FROM clause (aliasing the item table as a) and
// its arguments for the items vis allows.
func visibleItems(table string, itemType latchkey.ItemType, workspaceID string, vis Visibility) (string, []any) {
	if vis.All {
		return `FROM ` + table + ` a WHERE a.workspace_id = ?`, []any{workspaceID}
	}
	return `FROM item_access x JOIN ` + table + ` a ON a.workspace_id = x.workspace_id AND a.id = x.item_id
		WHERE x.workspace_id = ? AND x.user_id = ? AND x.item_type = '` + string(itemType) + `' AND x.rank >= ?`,
		[]any{workspaceID, vis.UserID, int(vis.MinRank)}
}

// visibleKeys is visibleItems without the item table, for listPageKeyed:
// every item_access row names an item that exists.
func visibleKeys(itemType latchkey.ItemType) string {
	return `FROM item_access x WHERE x.workspace_id = ? AND x.user_id = ? AND x.item_type = '` + string(itemType) + `' AND x.rank >= ?`
}

func rankColumn(vis Visibility) string {
	if vis.All {
		return "3"
	}
	return "x.rank"
}

// forUpdateOf locks only the named table's rows of a joined read.
func (tx *Tx) forUpdateOf(alias string) string {
	if tx.write && tx.db.dialect == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// nullableID passes an empty user id (the operator, the system) as NULL, so
// it matches nothing without tripping PostgreSQL's uuid parser.
func nullableID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// TouchAccountLogin records who last signed in to, or read the password of,
// an account. It skips the write when the same person did so within the
// last minute, so repeated reads stay cheap.
func (tx *Tx) TouchAccountLogin(ctx context.Context, workspaceID, id string, at time.Time, by string) error {
	_, err := tx.exec(ctx, `UPDATE accounts SET last_login_at = ?, last_login_by = ?
		WHERE workspace_id = ? AND id = ? AND (last_login_at IS NULL OR last_login_at < ? OR last_login_by <> ?)`,
		micros(at), by, workspaceID, id, micros(at.Add(-time.Minute)), by)
	return err
}
