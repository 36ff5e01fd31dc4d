package core

import (
	"context"
	"slices"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// startIntegrationJob creates a job on an integration the caller owns and
// queues it, in one transaction: the job exists exactly when it will run.
// check, when given, validates the request against the integration first.
func (s *Service) startIntegrationJob(ctx context.Context, p *latchkey.Principal, id string, wf latchkey.Workflow, trigger latchkey.JobTrigger,
	payload map[string]any, check func(*store.Tx, *latchkey.Integration) error) (*latchkey.Job, error) {
	if s.queue == nil {
		return nil, latchkey.Errorf(latchkey.EUnavailable, "This process does not run jobs.")
	}
	var j *latchkey.Job
	// Requests that queue jobs come in bursts (a script inviting a whole
	// team); they share commits.
	err := s.db.UpdateBatched(ctx, func(tx *store.Tx) error {
		ig, err := s.ownedIntegration(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, ig); err != nil {
				return err
			}
		}
		j, err = s.queueJob(ctx, tx, p, ig, wf, trigger, payload)
		return err
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// queueJob creates and queues a job in tx.
func (s *Service) queueJob(ctx context.Context, tx *store.Tx, p *latchkey.Principal, ig *latchkey.Integration, wf latchkey.Workflow,
	trigger latchkey.JobTrigger, payload map[string]any) (*latchkey.Job, error) {
	now := s.clock()
	j := &latchkey.Job{
		ID: newID(), WorkspaceID: ig.WorkspaceID, AccountID: ig.ID, AccountName: ig.Label, Provider: ig.Application,
		Workflow: wf, Trigger: trigger, Status: latchkey.JobCreated,
		CreatedByID: p.UserID, CreatedByName: p.UserName, Payload: payload, Response: map[string]any{},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateJob(ctx, j); err != nil {
		return nil, err
	}
	if err := s.queue.Enqueue(ctx, tx.SQLTx(), j.WorkspaceID, j.ID); err != nil {
		return nil, latchkey.Wrap(err, latchkey.EInternal, "The job could not be queued.")
	}
	if err := s.record(ctx, tx, p, "job.created", "job", j.ID, map[string]string{"workflow": string(wf), "account": ig.ID}); err != nil {
		return nil, err
	}
	return j, nil
}

// mayReadJob: admins read every job of the workspace; anyone else the jobs
// they started.
func mayReadJob(p *latchkey.Principal, j *latchkey.Job) bool {
	return p.IsPrivileged() || p.Role.IsAdmin() || (p.UserID != "" && j.CreatedByID == p.UserID)
}

// GetJob reads one job.
func (s *Service) GetJob(ctx context.Context, id string) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.GetJob)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	var j *latchkey.Job
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		j, err = tx.Job(ctx, p.WorkspaceID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !mayReadJob(p, j) {
		return nil, notFound()
	}
	return j, nil
}

// JobScreenshot returns the PNG kept for a job whose browser step failed.
func (s *Service) JobScreenshot(ctx context.Context, id string) ([]byte, error) {
	if _, err := s.GetJob(ctx, id); err != nil {
		return nil, err
	}
	p, _ := latchkey.FromContext(ctx)
	var png []byte
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		png, err = tx.JobScreenshot(ctx, p.WorkspaceID, id)
		return err
	})
	if err == nil && len(png) == 0 {
		return nil, latchkey.Errorf(latchkey.ENotFound, "The job kept no screenshot.")
	}
	return png, err
}

// ListJobs pages through jobs, newest first.
func (s *Service) ListJobs(ctx context.Context, f latchkey.JobFilter) ([]*latchkey.Job, int, error) {
	p, err := authorize(ctx, authz.ListJobs)
	if err != nil {
		return nil, 0, err
	}
	if f.AccountID != "" && !validID(f.AccountID) {
		return nil, 0, latchkey.Invalid([]any{"filter[accountId]"}, "value_error", "An account id is a UUID.")
	}
	for i, st := range f.Statuses {
		if !slices.Contains([]latchkey.JobStatus{latchkey.JobCreated, latchkey.JobStarted, latchkey.JobRunning, latchkey.JobRetrying, latchkey.JobFinished, latchkey.JobFailed}, st) {
			return nil, 0, latchkey.Invalid([]any{"filter[status]", i}, "type_error.enum", "A job status is one of created, started, running, retrying, finished, error.")
		}
	}
	var (
		list  []*latchkey.Job
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		list, total, err = tx.ListJobs(ctx, p.WorkspaceID, f, onlyCreator(p))
		return err
	})
	return list, total, err
}

// onlyCreator is the user whose jobs alone p may list, "" for all.
func onlyCreator(p *latchkey.Principal) string {
	if p.IsPrivileged() || p.Role.IsAdmin() {
		return ""
	}
	return p.UserID
}

// RetryJob runs a failed job again from where it stopped.
func (s *Service) RetryJob(ctx context.Context, id string) (*latchkey.Job, error) {
	p, err := authorize(ctx, authz.RetryJob)
	if err != nil {
		return nil, err
	}
	if s.queue == nil {
		return nil, latchkey.Errorf(latchkey.EUnavailable, "This process does not run jobs.")
	}
	if !validID(id) {
		return nil, notFound()
	}
	var j *latchkey.Job
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		j, err = tx.Job(ctx, p.WorkspaceID, id)
		if err != nil {
			return err
		}
		if !mayReadJob(p, j) {
			return notFound()
		}
		if _, err := s.ownedIntegration(ctx, tx, p, j.AccountID); err != nil {
			return err
		}
		if !j.CanRetry() {
			return latchkey.Errorf(latchkey.EConflict, "Only a job that ended in error can be retried; this one is %s.", j.Status)
		}
		j.Status, j.Failure, j.FinishedAt, j.UpdatedAt = latchkey.JobCreated, nil, nil, s.clock()
		if err := tx.SaveJobState(ctx, j, nil); err != nil {
			return err
		}
		if err := s.queue.Enqueue(ctx, tx.SQLTx(), j.WorkspaceID, j.ID); err != nil {
			return latchkey.Wrap(err, latchkey.EInternal, "The job could not be queued.")
		}
		return s.record(ctx, tx, p, "job.retried", "job", j.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// revokeSeats queues the removal of a deprovisioned user from every
// integration where they hold a seat, in the transaction that disables
// them.
func (s *Service) revokeSeats(ctx context.Context, tx *store.Tx, p *latchkey.Principal, u *latchkey.User) error {
	ids, err := tx.IntegrationsOfUser(ctx, u.WorkspaceID, u.ID)
	if err != nil || len(ids) == 0 {
		return err
	}
	if s.queue == nil {
		return latchkey.Errorf(latchkey.EUnavailable, "The user holds seats in integrations, and this process cannot queue their removal.")
	}
	for _, id := range ids {
		ig, _, err := tx.Integration(ctx, u.WorkspaceID, id, "")
		if err != nil {
			return err
		}
		// The email is part of the payload: the job must find the seat
		// whatever happens to the user record meanwhile.
		payload := map[string]any{"userId": u.ID, "email": u.Email}
		if _, err := s.queueJob(ctx, tx, p, ig, latchkey.WorkflowRevokeAccess, latchkey.TriggerUserDeprovisioned, payload); err != nil {
			return err
		}
	}
	return nil
}
