package core

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/jobs"
	"github.com/latchkeyhq/latchkey/internal/otp"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// defaultConnectorTimeout bounds one connector operation when the
// integration names no timeout of its own.
const defaultConnectorTimeout = 60 * time.Second

// RunJob works one attempt of a job; the queue calls it. Progress is
// written as it is made, so an attempt that dies half-way leaves a job the
// next attempt continues rather than repeats.
func (s *Service) RunJob(ctx context.Context, run jobs.Run) error {
	sys := &latchkey.Principal{Kind: latchkey.CredentialSystem, WorkspaceID: run.WorkspaceID}
	var (
		j      *latchkey.Job
		ig     *latchkey.Integration
		sealed []byte
	)
	// Small writes of many workers at once: on SQLite one commit for all.
	err := s.db.UpdateBatched(ctx, func(tx *store.Tx) error {
		var err error
		j, err = tx.Job(ctx, run.WorkspaceID, run.JobID)
		if latchkey.IsCode(err, latchkey.ENotFound) {
			j = nil
			return nil
		}
		if err != nil {
			return err
		}
		if j.Status.Final() {
			// A run queued twice, or an attempt whose end was recorded
			// before its process died: the job is done.
			j = nil
			return nil
		}
		ig, sealed, err = tx.Integration(ctx, run.WorkspaceID, j.AccountID, "")
		if latchkey.IsCode(err, latchkey.ENotFound) {
			ig, err = nil, nil
		}
		if err != nil {
			return err
		}
		j.Status, j.Attempt, j.UpdatedAt = latchkey.JobRunning, run.Attempt, s.clock()
		return tx.SaveJobState(ctx, j, nil)
	})
	if err != nil || j == nil {
		return err
	}
	if ig == nil {
		return s.endJob(ctx, sys, j, run, connector.Errorf(latchkey.JobErrInternal, "The integration no longer exists."))
	}
	conn, err := s.connectAs(ctx, ig, sealed, "")
	if err != nil {
		return s.endJob(ctx, sys, j, run, err)
	}
	if c, ok := conn.(interface{ Close() error }); ok {
		defer c.Close()
	}
	timeout := ig.Connector.Timeout
	if timeout <= 0 {
		timeout = defaultConnectorTimeout
	}
	w := &jobWork{s: s, j: j, ig: ig, sealed: sealed, conn: conn, run: run, timeout: timeout}
	switch j.Workflow {
	case latchkey.WorkflowGetBusiness:
		err = w.sync(ctx)
	case latchkey.WorkflowProvideAccess:
		err = w.invite(ctx)
	case latchkey.WorkflowUpdateAccess:
		err = w.update(ctx)
	case latchkey.WorkflowRevokeAccess:
		err = w.revoke(ctx)
	case latchkey.WorkflowPasswordRotation:
		err = w.rotatePassword(ctx)
	case latchkey.WorkflowHealthcheckMFA:
		err = w.healthcheckMFA(ctx)
	case latchkey.WorkflowSetupMFA, latchkey.WorkflowDisableMFA:
		err = connector.Errorf(latchkey.JobErrNotSupported, "The %s connector cannot change MFA settings in the application.", ig.Connector.Kind)
	default:
		err = connector.Errorf(latchkey.JobErrInternal, "This server cannot run %s jobs.", j.Workflow)
	}
	return s.endJob(ctx, sys, j, run, err)
}

// endJob records how an attempt ended. It returns an error only to ask the
// queue for another attempt.
func (s *Service) endJob(ctx context.Context, sys *latchkey.Principal, j *latchkey.Job, run jobs.Run, cause error) error {
	if cause != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The attempt ran out of time (--job-timeout): the application
			// was too slow, like any other unavailability.
			cause = connector.Unavailable(cause, "The attempt did not finish within the job timeout.")
		} else if !run.Final() {
			// Stopped from outside (shutdown): the queue runs it again; the
			// job says so meanwhile.
			j.Status, j.UpdatedAt = latchkey.JobRetrying, s.clock()
			_ = s.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.SaveJobState(ctx, j, nil) })
			return cause
		} else {
			cause = connector.Errorf(latchkey.JobErrInternal, "The server stopped during the last attempt; retry the job.")
		}
		ctx = context.WithoutCancel(ctx)
	}
	now := s.clock()
	j.UpdatedAt = now
	var (
		screenshot []byte
		retry      bool
	)
	switch {
	case cause == nil:
		j.Status, j.Failure, j.FinishedAt = latchkey.JobFinished, nil, &now
	default:
		f, shot, temporary := failureOf(cause)
		j.Failure, screenshot = f, shot
		retry = temporary && !run.Final()
		if retry {
			j.Status = latchkey.JobRetrying
		} else {
			j.Status, j.FinishedAt = latchkey.JobFailed, &now
		}
		s.log.InfoContext(ctx, "job attempt failed", "job", j.ID, "workflow", j.Workflow, "attempt", run.Attempt,
			"error_type", f.Type, "retry", retry, "err", cause)
	}
	err := s.db.UpdateBatched(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		if err := tx.SaveJobState(ctx, j, screenshot); err != nil {
			return err
		}
		if !j.Status.Final() {
			return nil
		}
		action := "job.finished"
		details := map[string]string{"workflow": string(j.Workflow), "account": j.AccountID}
		if j.Status == latchkey.JobFailed {
			action, details["errorType"] = "job.failed", j.Failure.Type
		}
		return s.record(ctx, tx, sys, action, "job", j.ID, details)
	})
	if err != nil {
		return err
	}
	if retry {
		return cause
	}
	return nil
}

// failureOf turns an attempt's error into the job's error details.
func failureOf(err error) (f *latchkey.JobFailure, screenshot []byte, temporary bool) {
	var ce *connector.Error
	switch {
	case errors.As(err, &ce):
		return &latchkey.JobFailure{Type: ce.Type, Message: ce.Message, UserRequired: ce.UserRequired, Step: ce.Step,
			Screenshot: len(ce.Screenshot) > 0}, ce.Screenshot, ce.Temporary
	case errors.Is(err, connector.ErrUserExists):
		return &latchkey.JobFailure{Type: latchkey.JobErrUserAlreadyExists, Message: "The user is already in the application."}, nil, false
	case errors.Is(err, connector.ErrUserNotFound):
		return &latchkey.JobFailure{Type: latchkey.JobErrUserNotFound, Message: "The user is not in the application."}, nil, false
	default:
		// Our own trouble (the store, the key ring): worth another try,
		// and nothing a person can fix in the application.
		return &latchkey.JobFailure{Type: latchkey.JobErrInternal, Message: "The job failed inside Latchkey; it is retried."}, nil, true
	}
}

// connectAs opens the integration's connector with its unsealed secrets
// and, for connectors that sign in as a person, its admin login from the
// vault, or password instead of the stored one when it is not "".
func (s *Service) connectAs(ctx context.Context, ig *latchkey.Integration, sealed []byte, password string) (connector.Connector, error) {
	cfg := ig.Connector
	var creds connector.Credentials
	err := s.db.View(ctx, func(tx *store.Tx) error {
		if len(sealed) > 0 {
			plain, err := s.open(ctx, tx, ig.WorkspaceID, "integrations", ig.ID, "connector", sealed)
			if err != nil {
				return err
			}
			var sec connectorSecrets
			if err := json.Unmarshal(plain, &sec); err != nil {
				return err
			}
			cfg.Token, cfg.SigningSecret = sec.Token, sec.SigningSecret
		}
		if cfg.Kind != latchkey.ConnectorBrowser {
			return nil
		}
		creds.Username = ig.Username
		if creds.Username == "" {
			creds.Username = ig.Email
		}
		if r, err := tx.RevealTarget(ctx, ig.WorkspaceID, ig.ID, "", latchkey.SecretPassword); err != nil {
			return err
		} else if r.Secret != nil {
			plain, err := s.open(ctx, tx, ig.WorkspaceID, "account_secrets", r.Secret.ID, string(latchkey.SecretPassword), r.Ciphertext)
			if err != nil {
				return err
			}
			creds.Password = string(plain)
		}
		if password != "" {
			creds.Password = password
		}
		r, err := tx.RevealTarget(ctx, ig.WorkspaceID, ig.ID, "", latchkey.SecretTOTP)
		if err != nil || r.Secret == nil {
			return err
		}
		plain, err := s.open(ctx, tx, ig.WorkspaceID, "account_secrets", r.Secret.ID, string(latchkey.SecretTOTP), r.Ciphertext)
		if err != nil {
			return err
		}
		var seed otp.Seed
		if err := seed.UnmarshalBinary(plain); err != nil {
			return err
		}
		creds.TOTP = func() (string, error) {
			code, _, err := seed.Code(s.now())
			return code, err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.Kind == latchkey.ConnectorBrowser && creds.Password == "" {
		return nil, connector.BadCredentials("The integration's account has no password to sign in with.")
	}
	conn, err := s.queue.Connect(cfg, creds)
	if err != nil {
		return nil, connector.Errorf(latchkey.JobErrInternal, "The connector cannot start: %v", err)
	}
	return conn, nil
}

// jobWork is one attempt's state.
type jobWork struct {
	s       *Service
	j       *latchkey.Job
	ig      *latchkey.Integration
	sealed  []byte // the connector's sealed secrets
	conn    connector.Connector
	run     jobs.Run
	timeout time.Duration
}

// op bounds one connector operation and names it for deduplication: the
// job and the step, the same in every attempt.
func (w *jobWork) op(ctx context.Context, step ...string) (context.Context, context.CancelFunc) {
	key := w.j.ID
	for _, s := range step {
		key += "/" + s
	}
	return context.WithTimeout(connector.WithOperationKey(ctx, key), w.timeout)
}

func (w *jobWork) now() int64 { return w.s.clock().UnixMicro() }

// sync imports the application's entitlements and users.
func (w *jobWork) sync(ctx context.Context) error {
	octx, cancel := w.op(ctx)
	defer cancel()
	ents, err := w.conn.Entitlements(octx)
	if err != nil {
		return err
	}
	// The no-op connector has no users to report: its seats are the ones
	// Latchkey recorded.
	keepSeats := w.ig.Connector.Kind == latchkey.ConnectorNoop
	var users []connector.User
	if !keepSeats {
		if users, err = w.conn.Users(octx); err != nil {
			return err
		}
	}
	matched := 0
	err = w.s.db.Update(ctx, func(tx *store.Tx) error {
		matched = 0
		if err := tx.ReplaceEntitlements(ctx, w.ig.WorkspaceID, w.ig.ID, ents); err != nil {
			return err
		}
		if !keepSeats {
			if err := tx.DeleteSeats(ctx, w.ig.WorkspaceID, w.ig.ID); err != nil {
				return err
			}
			for _, u := range users {
				seat := store.Seat{IntegrationID: w.ig.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
					Entitlements: u.Entitlements, Fields: u.Fields}
				if wu, err := tx.UserByEmail(ctx, w.ig.WorkspaceID, u.Email); err == nil {
					seat.UserID = wu.ID
					matched++
				} else if !latchkey.IsCode(err, latchkey.ENotFound) {
					return err
				}
				if err := tx.PutSeat(ctx, w.ig.WorkspaceID, seat, w.now()); err != nil {
					return err
				}
			}
		}
		if err := tx.MarkIntegrationSynced(ctx, w.ig.WorkspaceID, w.ig.ID, w.s.clock()); err != nil {
			return err
		}
		w.j.Response = map[string]any{"entitlements": len(ents), "users": len(users), "matchedUsers": matched}
		return nil
	})
	return err
}

// invite gives each user of the payload a seat, recording each one as it
// lands so that a later attempt skips it.
func (w *jobWork) invite(ctx context.Context) error {
	var p struct {
		Role         string   `json:"role"`
		Entitlements []string `json:"entitlements"`
		UserIDs      []string `json:"userIds"`
	}
	if err := remarshal(w.j.Payload, &p); err != nil {
		return err
	}
	done := stringList(w.j.Response["invited"])
	for _, uid := range p.UserIDs {
		if slices.Contains(done, uid) {
			continue
		}
		var (
			u        *latchkey.User
			existing *store.Seat
			seats    int
		)
		err := w.s.db.View(ctx, func(tx *store.Tx) (err error) {
			if u, err = tx.User(ctx, w.ig.WorkspaceID, uid); err != nil {
				return err
			}
			existing, err = tx.SeatByEmail(ctx, w.ig.WorkspaceID, w.ig.ID, u.Email)
			if latchkey.IsCode(err, latchkey.ENotFound) {
				existing, err = nil, nil
			}
			if err == nil && w.ig.Connector.Seats > 0 {
				seats, err = tx.SeatCount(ctx, w.ig.WorkspaceID, w.ig.ID)
			}
			return err
		})
		if latchkey.IsCode(err, latchkey.ENotFound) {
			return connector.Errorf(latchkey.JobErrUserNotFound, "The workspace user %s no longer exists.", uid)
		}
		if err != nil {
			return err
		}
		if existing != nil && w.run.Attempt == 1 {
			return &connector.Error{Type: latchkey.JobErrUserAlreadyExists, Message: "The user " + u.Email + " is already in the application."}
		}
		if existing == nil && w.ig.Connector.Seats > 0 && seats >= w.ig.Connector.Seats {
			return connector.NotEnoughSeats("All %d seats of the plan are taken.", w.ig.Connector.Seats)
		}
		octx, cancel := w.op(ctx, "invite", uid)
		_, err = w.conn.Invite(octx, connector.Invite{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Entitlements: p.Entitlements})
		cancel()
		if errors.Is(err, connector.ErrUserExists) {
			if w.run.Attempt == 1 {
				return &connector.Error{Type: latchkey.JobErrUserAlreadyExists, Message: "The user " + u.Email + " is already in the application.", Err: err}
			}
			// An earlier attempt of this job invited them and died before
			// recording it.
			err = nil
		}
		if err != nil {
			return err
		}
		done = append(done, uid)
		rank := latchkey.RankCollaborator
		if p.Role == "account_owner" {
			rank = latchkey.RankOwner
		}
		err = w.s.db.UpdateBatched(ctx, func(tx *store.Tx) error {
			seat := store.Seat{IntegrationID: w.ig.ID, Email: u.Email, UserID: u.ID, FirstName: u.FirstName, LastName: u.LastName,
				Role: p.Role, Entitlements: p.Entitlements}
			if err := tx.PutSeat(ctx, w.ig.WorkspaceID, seat, w.now()); err != nil {
				return err
			}
			// The Latchkey role on the integration: raised, never lowered.
			current, _, err := tx.Integration(ctx, w.ig.WorkspaceID, w.ig.ID, u.ID)
			if err != nil {
				return err
			}
			if current.Rank < rank {
				if err := tx.Grant(ctx, &latchkey.Grant{WorkspaceID: w.ig.WorkspaceID, ItemType: latchkey.ItemAccount, ItemID: w.ig.ID,
					MemberType: latchkey.MemberUser, MemberID: u.ID, Rank: rank, CreatedAt: w.s.clock(), CreatedBy: w.j.CreatedByID}); err != nil {
					return err
				}
			}
			w.j.Response = map[string]any{"invited": done}
			w.j.UpdatedAt = w.s.clock()
			return tx.SaveJobState(ctx, w.j, nil)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// update changes one seat's entitlements.
func (w *jobWork) update(ctx context.Context) error {
	var p struct {
		UserID       string   `json:"userId"`
		Entitlements []string `json:"entitlements"`
		Add          []string `json:"add"`
		Remove       []string `json:"remove"`
	}
	if err := remarshal(w.j.Payload, &p); err != nil {
		return err
	}
	seat, err := w.seat(ctx, p.UserID)
	if err != nil {
		return err
	}
	want := p.Entitlements
	if want == nil {
		want = slices.Clone(seat.Entitlements)
		for _, e := range p.Add {
			if !slices.Contains(want, e) {
				want = append(want, e)
			}
		}
		want = slices.DeleteFunc(want, func(e string) bool { return slices.Contains(p.Remove, e) })
	}
	octx, cancel := w.op(ctx)
	defer cancel()
	if err := w.conn.SetEntitlements(octx, seat.Email, want); err != nil {
		return err
	}
	w.j.Response = map[string]any{"entitlements": want}
	return w.s.db.Update(ctx, func(tx *store.Tx) error {
		return tx.SetSeatEntitlements(ctx, w.ig.WorkspaceID, w.ig.ID, seat.Email, want, w.now())
	})
}

// revoke removes one user from the application.
func (w *jobWork) revoke(ctx context.Context) error {
	var p struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	}
	if err := remarshal(w.j.Payload, &p); err != nil {
		return err
	}
	email := p.Email
	if email == "" {
		seat, err := w.seat(ctx, p.UserID)
		if errors.Is(err, connector.ErrUserNotFound) && w.run.Attempt > 1 {
			return nil // an earlier attempt removed them
		}
		if err != nil {
			return err
		}
		email = seat.Email
	}
	octx, cancel := w.op(ctx)
	defer cancel()
	if err := w.conn.Remove(octx, email); err != nil {
		return err
	}
	w.j.Response = map[string]any{"removed": email}
	return w.s.db.Update(ctx, func(tx *store.Tx) error {
		return tx.DeleteSeat(ctx, w.ig.WorkspaceID, w.ig.ID, email)
	})
}

// seat finds a workspace user's seat in the integration.
func (w *jobWork) seat(ctx context.Context, userID string) (*store.Seat, error) {
	var seat *store.Seat
	err := w.s.db.View(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, w.ig.WorkspaceID, userID)
		if err != nil {
			return err
		}
		seat, err = tx.SeatByEmail(ctx, w.ig.WorkspaceID, w.ig.ID, u.Email)
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, connector.ErrUserNotFound
	}
	return seat, err
}

func remarshal(from map[string]any, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	if ss, ok := v.([]string); ok {
		out = append(out, ss...)
	}
	return out
}

// accountSecret reads the current value of one of the integration
// account's secrets, "" when it has none.
func (s *Service) accountSecret(ctx context.Context, ig *latchkey.Integration, typ latchkey.SecretType) (string, error) {
	var value string
	err := s.db.View(ctx, func(tx *store.Tx) error {
		sec, ct, err := tx.CurrentAccountSecret(ctx, ig.WorkspaceID, ig.ID, typ)
		if latchkey.IsCode(err, latchkey.ENotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		plain, err := s.open(ctx, tx, ig.WorkspaceID, "account_secrets", sec.ID, string(typ), ct)
		value = string(plain)
		return err
	})
	return value, err
}
