package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

const activityColumns = `workspace_id, id, created_at, actor_id, actor_name, actor_type, credential_kind, credential_id,
	action, resource_type, resource_id, client_addr, details`

// RecordActivity inserts a. Core calls it inside the transaction of the
// change (or the read) it records, so neither exists without the other.
func (tx *Tx) RecordActivity(ctx context.Context, a *latchkey.Activity) error {
	details := "{}"
	if len(a.Details) > 0 {
		b, err := json.Marshal(a.Details)
		if err != nil {
			return err
		}
		details = string(b)
	}
	_, err := tx.exec(ctx, `INSERT INTO activities (`+activityColumns+`) VALUES (`+placeholders(13)+`)`,
		a.WorkspaceID, a.ID, micros(a.CreatedAt), a.ActorID, a.ActorName, a.ActorType, string(a.CredentialKind), a.CredentialID,
		a.Action, a.ResourceType, a.ResourceID, a.ClientAddr, details)
	return err
}

// ListActivities pages through a workspace's activities, newest first.
func (tx *Tx) ListActivities(ctx context.Context, workspaceID string, f latchkey.ActivityFilter) ([]*latchkey.Activity, int, error) {
	var (
		where strings.Builder
		args  = []any{workspaceID}
	)
	where.WriteString(` WHERE workspace_id = ?`)
	add := func(cond string, v any) {
		where.WriteString(` AND ` + cond)
		args = append(args, v)
	}
	if len(f.Actions) > 0 {
		where.WriteString(` AND action IN (` + placeholders(len(f.Actions)) + `)`)
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	if f.ActorID != "" {
		add(`actor_id = ?`, f.ActorID)
	}
	if f.OnlyActorID != "" {
		add(`actor_id = ?`, f.OnlyActorID)
	}
	if f.ResourceType != "" {
		add(`resource_type = ?`, f.ResourceType)
	}
	if f.ResourceID != "" {
		add(`resource_id = ?`, f.ResourceID)
	}
	if f.Since != nil {
		add(`created_at >= ?`, micros(*f.Since))
	}
	if f.Until != nil {
		add(`created_at < ?`, micros(*f.Until))
	}
	return listPage(ctx, tx, `FROM activities`+where.String(), args, "id DESC", `SELECT `+activityColumns+` `, f.Page, -1, "", 0,
		func(row interface{ Scan(...any) error }) (*latchkey.Activity, error) {
			var (
				a       latchkey.Activity
				created int64
				details string
			)
			if err := row.Scan(&a.WorkspaceID, &a.ID, &created, &a.ActorID, &a.ActorName, &a.ActorType, &a.CredentialKind, &a.CredentialID,
				&a.Action, &a.ResourceType, &a.ResourceID, &a.ClientAddr, &details); err != nil {
				return nil, err
			}
			a.CreatedAt = fromMicros(created)
			if details != "{}" {
				if err := json.Unmarshal([]byte(details), &a.Details); err != nil {
					return nil, err
				}
			}
			return &a, nil
		})
}
