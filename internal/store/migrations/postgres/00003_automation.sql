-- +goose Up
-- An integration is an account (same id, same sharing and visibility) with
-- a connector. The connector's secrets (a SCIM token, a webhook signing
-- key) are sealed in sealed_config; everything else is plain JSON.
CREATE TABLE integrations (
    workspace_id  UUID NOT NULL,
    account_id    UUID NOT NULL,
    connector     TEXT NOT NULL,
    url           TEXT NOT NULL,
    config        TEXT NOT NULL,
    sealed_config BYTEA,
    synced_at     BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);

-- The entitlements the application offers, as last imported.
CREATE TABLE integration_entitlements (
    workspace_id   UUID NOT NULL,
    integration_id UUID NOT NULL,
    key            TEXT NOT NULL,
    grp            TEXT NOT NULL,
    label          TEXT NOT NULL,
    value          TEXT NOT NULL,
    position       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, integration_id, key),
    FOREIGN KEY (workspace_id, integration_id) REFERENCES integrations (workspace_id, account_id) ON DELETE CASCADE
);

-- The application's users as Latchkey last saw or set them. user_id is the
-- matching workspace user, or NULL for a person Latchkey could not match.
CREATE TABLE integration_users (
    workspace_id   UUID NOT NULL,
    integration_id UUID NOT NULL,
    email_key      TEXT NOT NULL,
    email          TEXT NOT NULL,
    user_id        UUID,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    role           TEXT NOT NULL,
    entitlements   TEXT NOT NULL,
    fields         TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, integration_id, email_key),
    FOREIGN KEY (workspace_id, integration_id) REFERENCES integrations (workspace_id, account_id) ON DELETE CASCADE
);
CREATE INDEX integration_users_by_user ON integration_users (workspace_id, user_id);
CREATE INDEX integration_users_matched ON integration_users (workspace_id, integration_id, user_id);

-- A job as the API shows it. The queue (River's tables) only says when to
-- run it; what it is and how it went lives here.
CREATE TABLE jobs (
    workspace_id        UUID NOT NULL,
    id                  UUID NOT NULL,
    account_id          UUID NOT NULL,
    account_name        TEXT NOT NULL,
    provider            TEXT NOT NULL,
    workflow            TEXT NOT NULL,
    trigger_kind        TEXT NOT NULL,
    status              TEXT NOT NULL,
    attempt             BIGINT NOT NULL,
    created_by_id       TEXT NOT NULL,
    created_by_name     TEXT NOT NULL,
    payload             TEXT NOT NULL,
    response            TEXT NOT NULL,
    error_type          TEXT NOT NULL,
    error_message       TEXT NOT NULL,
    error_user_required BOOLEAN NOT NULL,
    error_step          TEXT NOT NULL,
    screenshot          BYTEA,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    finished_at         BIGINT,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX jobs_by_account ON jobs (workspace_id, account_id, id);
CREATE INDEX jobs_by_status ON jobs (workspace_id, status, id);

-- +goose Down
DROP TABLE jobs;
DROP TABLE integration_users;
DROP TABLE integration_entitlements;
DROP TABLE integrations;
