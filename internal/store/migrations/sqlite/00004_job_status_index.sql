-- +goose Up
-- Following one integration's jobs by status (GET /jobs?filter[accountId]=…&filter[status]=…)
-- without reading every job it ever had.
CREATE INDEX jobs_by_account_status ON jobs (workspace_id, account_id, status, id);

-- +goose Down
DROP INDEX jobs_by_account_status;
