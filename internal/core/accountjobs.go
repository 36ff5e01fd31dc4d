package core

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"slices"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// StartAccountJob queues an automation of an account's own login: a
// password rotation or an MFA job. The account must be connected as an
// integration, since the connector is what reaches the application.
func (s *Service) StartAccountJob(ctx context.Context, id string, wf latchkey.Workflow) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.StartAccountJob)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(latchkey.AccountWorkflows, wf) {
		return nil, latchkey.Invalid([]any{"data", "attributes", "workflowType"}, "type_error.enum",
			"value is not a valid enumeration member; permitted: 'password_rotation', 'setup_mfa', 'disable_mfa', 'healthcheck_mfa'")
	}
	if s.queue == nil {
		return nil, latchkey.Errorf(latchkey.EUnavailable, "This process does not run jobs.")
	}
	var j *latchkey.Job
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if !validID(id) {
			return notFound()
		}
		ig, _, err := tx.Integration(ctx, p.WorkspaceID, id, p.UserID)
		if latchkey.IsCode(err, latchkey.ENotFound) {
			// An ordinary account: visible or not, it cannot be automated.
			if _, aerr := s.visibleAccount(ctx, tx, p, id); aerr != nil {
				return aerr
			}
			return latchkey.Errorf(latchkey.EConflict, "The account is not connected to its application; connect it as an integration to automate it.")
		}
		if err != nil {
			return err
		}
		if !authz.CanSee(p, ig.Rank) {
			return notFound()
		}
		if !p.IsPrivileged() && ig.Rank < latchkey.RankOwner {
			return latchkey.Errorf(latchkey.EForbidden, "Only the account's Owners may automate it.")
		}
		j, err = s.queueJob(ctx, tx, p, ig, wf, latchkey.TriggerManual, map[string]any{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// rotatePassword changes the integration's own password in the
// application and stores the new one as the account's next version.
//
// The new password is sealed in the store as pending before the
// application is asked to take it. An attempt that finds a pending
// password from an earlier one first signs in with it: if that works, the
// earlier attempt's change landed and only the record was missing.
func (w *jobWork) rotatePassword(ctx context.Context) error {
	if _, ok := w.conn.(connector.PasswordChanger); !ok {
		return connector.Errorf(latchkey.JobErrNotSupported, "The %s connector cannot change passwords in the application.", w.ig.Connector.Kind)
	}
	current, err := w.s.accountSecret(ctx, w.ig, latchkey.SecretPassword)
	if err != nil {
		return err
	}
	if current == "" {
		return &connector.Error{Type: latchkey.JobErrEmptyPassword, Message: "The account has no password to rotate.", UserRequired: true}
	}
	pending, err := w.s.accountSecret(ctx, w.ig, latchkey.SecretPendingPassword)
	if err != nil {
		return err
	}
	if pending != "" {
		landed, err := w.signsInWith(ctx, pending)
		if err != nil {
			return err
		}
		if landed {
			return w.recordRotation(ctx, pending)
		}
	} else {
		pending = generatePassword()
		err := w.s.db.Update(ctx, func(tx *store.Tx) error {
			sys := &latchkey.Principal{Kind: latchkey.CredentialSystem, WorkspaceID: w.ig.WorkspaceID, UserID: w.j.CreatedByID}
			return w.s.addAccountSecret(ctx, tx, sys, &w.ig.Account, latchkey.SecretPendingPassword, []byte(pending), w.s.clock())
		})
		if err != nil {
			return err
		}
	}
	octx, cancel := w.op(ctx, "password")
	defer cancel()
	if err := w.conn.(connector.PasswordChanger).ChangePassword(octx, current, pending); err != nil {
		return err
	}
	return w.recordRotation(ctx, pending)
}

// signsInWith reports whether the application accepts password now: a
// fresh connector signed in with it lists the entitlements.
func (w *jobWork) signsInWith(ctx context.Context, password string) (bool, error) {
	conn, err := w.s.connectAs(ctx, w.ig, w.sealed, password)
	if err != nil {
		return false, err
	}
	if c, ok := conn.(interface{ Close() error }); ok {
		defer c.Close()
	}
	octx, cancel := w.op(ctx, "check")
	defer cancel()
	_, err = conn.Entitlements(octx)
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Type == latchkey.JobErrBadCredentials {
		return false, nil
	}
	return err == nil, err
}

// recordRotation stores the new password as the account's current one and
// forgets the pending copy, in one transaction.
func (w *jobWork) recordRotation(ctx context.Context, password string) error {
	return w.s.db.Update(ctx, func(tx *store.Tx) error {
		a, err := tx.Account(ctx, w.ig.WorkspaceID, w.ig.ID, "")
		if err != nil {
			return err
		}
		now := w.s.clock()
		sys := &latchkey.Principal{Kind: latchkey.CredentialSystem, WorkspaceID: w.ig.WorkspaceID, UserID: w.j.CreatedByID}
		if err := w.s.addAccountSecret(ctx, tx, sys, a, latchkey.SecretPassword, []byte(password), now); err != nil {
			return err
		}
		if err := tx.DeleteAccountSecrets(ctx, a.WorkspaceID, a.ID, latchkey.SecretPendingPassword); err != nil {
			return err
		}
		a.HasPassword, a.LastPasswordChange = true, &now
		a.RotatedAt, a.RotatedBy, a.RotatedByID = &now, "automated_rotation", w.j.CreatedByID
		a.UpdatedAt = now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		w.j.Response = map[string]any{"rotatedAt": now.Format("2006-01-02T15:04:05.000000+00:00")}
		return w.s.record(ctx, tx, sys, "account.password.rotated", "account", a.ID, map[string]string{"job": w.j.ID})
	})
}

// healthcheckMFA signs in with the stored password and TOTP seed: the
// check that the second factor Latchkey keeps still works.
func (w *jobWork) healthcheckMFA(ctx context.Context) error {
	if !w.ig.HasTOTP {
		return &connector.Error{Type: latchkey.JobErrMFANotManaged, Message: "The account has no TOTP seed in the vault.", UserRequired: true}
	}
	octx, cancel := w.op(ctx, "healthcheck")
	defer cancel()
	if _, err := w.conn.Entitlements(octx); err != nil {
		return err
	}
	w.j.Response = map[string]any{"mfa": "working"}
	return nil
}

// passwordAlphabet avoids characters that web forms and shells mangle.
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%*+-=?@_"

// generatePassword makes a 24-character password with at least one
// letter of each case, a digit and a symbol, which most applications'
// password rules accept.
func generatePassword() string {
	for {
		b := make([]byte, 24)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
			if err != nil {
				panic(err) // crypto/rand does not fail on supported systems
			}
			b[i] = passwordAlphabet[n.Int64()]
		}
		var lower, upper, digit, symbol bool
		for _, c := range b {
			switch {
			case c >= 'a' && c <= 'z':
				lower = true
			case c >= 'A' && c <= 'Z':
				upper = true
			case c >= '0' && c <= '9':
				digit = true
			default:
				symbol = true
			}
		}
		if lower && upper && digit && symbol {
			return string(b)
		}
	}
}
