package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

const jobColumns = `workspace_id, id, account_id, account_name, provider, workflow, trigger_kind, status, attempt,
	created_by_id, created_by_name, payload, response, error_type, error_message, error_user_required, error_step,
	screenshot IS NOT NULL, created_at, updated_at, finished_at`

// CreateJob inserts j. Core enqueues it for a worker in the same
// transaction, so a job exists exactly when its run is queued.
func (tx *Tx) CreateJob(ctx context.Context, j *latchkey.Job) error {
	payload, response, err := jobDocuments(j)
	if err != nil {
		return err
	}
	f := failureOf(j)
	_, err = tx.exec(ctx, `INSERT INTO jobs (workspace_id, id, account_id, account_name, provider, workflow, trigger_kind, status, attempt,
		created_by_id, created_by_name, payload, response, error_type, error_message, error_user_required, error_step,
		created_at, updated_at, finished_at) VALUES (`+placeholders(20)+`)`,
		j.WorkspaceID, j.ID, j.AccountID, j.AccountName, j.Provider, string(j.Workflow), string(j.Trigger), string(j.Status), j.Attempt,
		j.CreatedByID, j.CreatedByName, payload, response, f.Type, f.Message, f.UserRequired, f.Step,
		micros(j.CreatedAt), micros(j.UpdatedAt), nullMicros(j.FinishedAt))
	return tx.db.translate(err)
}

// SaveJobState writes a job's progress: status, attempt, response, failure
// and end time. screenshot, when not nil, replaces the kept screenshot.
func (tx *Tx) SaveJobState(ctx context.Context, j *latchkey.Job, screenshot []byte) error {
	_, response, err := jobDocuments(j)
	if err != nil {
		return err
	}
	f := failureOf(j)
	query := `UPDATE jobs SET status = ?, attempt = ?, response = ?, error_type = ?, error_message = ?, error_user_required = ?,
		error_step = ?, updated_at = ?, finished_at = ?`
	args := []any{string(j.Status), j.Attempt, response, f.Type, f.Message, f.UserRequired, f.Step, micros(j.UpdatedAt), nullMicros(j.FinishedAt)}
	if screenshot != nil {
		query += `, screenshot = ?`
		args = append(args, screenshot)
	}
	if j.Failure == nil {
		query += `, screenshot = NULL`
	}
	args = append(args, j.WorkspaceID, j.ID)
	res, err := tx.exec(ctx, query+` WHERE workspace_id = ? AND id = ?`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return latchkey.Errorf(latchkey.ENotFound, "Resource not found.")
	}
	return nil
}

// Job reads one job; locked for update inside a write transaction on
// PostgreSQL, so two workers never both advance it.
func (tx *Tx) Job(ctx context.Context, workspaceID, id string) (*latchkey.Job, error) {
	j, err := scanJob(tx.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND id = ?`+tx.forUpdate(), workspaceID, id))
	if err != nil {
		return nil, tx.db.translate(err)
	}
	return j, nil
}

// JobScreenshot returns the PNG kept for a failed browser step, if any.
func (tx *Tx) JobScreenshot(ctx context.Context, workspaceID, id string) ([]byte, error) {
	var png []byte
	err := tx.queryRow(ctx, `SELECT screenshot FROM jobs WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&png)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	return png, nil
}

// ListJobs pages through a workspace's jobs, newest first.
// createdBy, when set, keeps only the jobs that user started.
func (tx *Tx) ListJobs(ctx context.Context, workspaceID string, f latchkey.JobFilter, createdBy string) ([]*latchkey.Job, int, error) {
	var (
		where strings.Builder
		args  = []any{workspaceID}
	)
	where.WriteString(` WHERE workspace_id = ?`)
	if createdBy != "" {
		where.WriteString(` AND created_by_id = ?`)
		args = append(args, createdBy)
	}
	if f.AccountID != "" {
		where.WriteString(` AND account_id = ?`)
		args = append(args, f.AccountID)
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where.WriteString(` AND ` + col + ` IN (` + placeholders(len(vals)) + `)`)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("status", strs(f.Statuses))
	in("workflow", strs(f.Workflows))
	in("trigger_kind", strs(f.Triggers))
	return listPage(ctx, tx, `FROM jobs`+where.String(), args, "id DESC", `SELECT `+jobColumns+` `, f.Page, -1, "", 0, scanJob)
}

// CountJobs counts a workspace's jobs by status, for the harness and the
// operator.
func (tx *Tx) CountJobs(ctx context.Context, workspaceID string, status latchkey.JobStatus) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM jobs WHERE workspace_id = ? AND status = ?`, workspaceID, string(status))
}

func scanJob(row interface{ Scan(...any) error }) (*latchkey.Job, error) {
	var (
		j                 latchkey.Job
		payload, response string
		f                 latchkey.JobFailure
		created, updated  int64
		finished          nullTime
	)
	if err := row.Scan(&j.WorkspaceID, &j.ID, &j.AccountID, &j.AccountName, &j.Provider, &j.Workflow, &j.Trigger, &j.Status, &j.Attempt,
		&j.CreatedByID, &j.CreatedByName, &payload, &response, &f.Type, &f.Message, &f.UserRequired, &f.Step,
		&f.Screenshot, &created, &updated, &finished); err != nil {
		return nil, err
	}
	if f.Type != "" {
		j.Failure = &f
	}
	if err := json.Unmarshal([]byte(payload), &j.Payload); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(response), &j.Response); err != nil {
		return nil, err
	}
	j.CreatedAt, j.UpdatedAt, j.FinishedAt = fromMicros(created), fromMicros(updated), finished.ptr()
	return &j, nil
}

func jobDocuments(j *latchkey.Job) (payload, response string, err error) {
	p, err := json.Marshal(orEmpty(j.Payload))
	if err != nil {
		return "", "", err
	}
	r, err := json.Marshal(orEmpty(j.Response))
	return string(p), string(r), err
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func failureOf(j *latchkey.Job) latchkey.JobFailure {
	if j.Failure == nil {
		return latchkey.JobFailure{}
	}
	return *j.Failure
}

func strs[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}
