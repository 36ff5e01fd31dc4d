-- +goose Up
-- Times are microseconds since the Unix epoch, the same as on SQLite, so both
-- stores order and compare identically; ids are UUIDv7, so key order is
-- creation order. Every table carries workspace_id and leads its keys with it.

CREATE TABLE workspaces (
    id                UUID PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    token_ttl_seconds BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- The workspace's data key, wrapped by the server's key-encryption key.
CREATE TABLE workspace_keys (
    workspace_id UUID NOT NULL REFERENCES workspaces (id),
    key_id       TEXT NOT NULL,
    wrapped      BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key_id)
);

CREATE TABLE users (
    workspace_id     UUID NOT NULL REFERENCES workspaces (id),
    id               UUID NOT NULL,
    email            TEXT NOT NULL,
    email_key        TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    role             TEXT NOT NULL,
    status           TEXT NOT NULL,
    is_guest         BOOLEAN NOT NULL,
    mfa_enabled      BOOLEAN NOT NULL,
    mfa_enrolled_at  BIGINT,
    last_activity_at BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, email_key)
);

CREATE TABLE teams (
    workspace_id UUID NOT NULL REFERENCES workspaces (id),
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    type         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE team_members (
    workspace_id UUID NOT NULL,
    team_id      UUID NOT NULL,
    user_id      UUID NOT NULL,
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, team_id, user_id),
    FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id)
);
CREATE INDEX team_members_by_user ON team_members (workspace_id, user_id);

CREATE TABLE vaults (
    workspace_id    UUID NOT NULL REFERENCES workspaces (id),
    id              UUID NOT NULL,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    scheme          TEXT NOT NULL,
    state           TEXT NOT NULL,
    is_default      BOOLEAN NOT NULL,
    created_by      TEXT NOT NULL,
    created_by_type TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE accounts (
    workspace_id            UUID NOT NULL,
    id                      UUID NOT NULL,
    vault_id                UUID NOT NULL,
    application             TEXT NOT NULL,
    label                   TEXT NOT NULL,
    username                TEXT NOT NULL,
    email                   TEXT NOT NULL,
    phone                   TEXT NOT NULL,
    url                     TEXT NOT NULL,
    domain                  TEXT NOT NULL,
    avatar_url              TEXT NOT NULL,
    business_id             TEXT NOT NULL,
    status                  TEXT NOT NULL,
    meta                    TEXT NOT NULL,
    password_visible        BOOLEAN NOT NULL,
    autofill_mfa            BOOLEAN NOT NULL,
    cerby_managed_email     BOOLEAN NOT NULL,
    cerby_managed_phone     BOOLEAN NOT NULL,
    has_backup_code         BOOLEAN NOT NULL,
    has_passkey             BOOLEAN NOT NULL,
    has_password            BOOLEAN NOT NULL,
    has_totp                BOOLEAN NOT NULL,
    mfa_types               TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    created_by              TEXT NOT NULL,
    created_by_email        TEXT NOT NULL,
    updated_at              BIGINT NOT NULL,
    updated_by              TEXT NOT NULL,
    last_login_at           BIGINT,
    last_login_by           TEXT NOT NULL,
    last_password_change_at BIGINT,
    rotated_at              BIGINT,
    rotated_by              TEXT NOT NULL,
    rotated_by_id           TEXT NOT NULL,
    synced_at               BIGINT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, vault_id) REFERENCES vaults (workspace_id, id)
);
CREATE INDEX accounts_by_vault ON accounts (workspace_id, vault_id);

-- Every version of an account's password and TOTP seed, sealed. The
-- current one is the highest version.
CREATE TABLE account_secrets (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    account_id   UUID NOT NULL,
    type         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    ciphertext   BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, account_id, type, version),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE secrets (
    workspace_id                UUID NOT NULL,
    id                          UUID NOT NULL,
    vault_id                    UUID NOT NULL,
    title                       TEXT NOT NULL,
    category                    TEXT NOT NULL,
    requires_identity_challenge BOOLEAN NOT NULL,
    status                      TEXT NOT NULL,
    event_name                  TEXT NOT NULL,
    expires_at                  BIGINT,
    version                     BIGINT NOT NULL,
    version_id                  TEXT NOT NULL,
    created_at                  BIGINT NOT NULL,
    created_by                  TEXT NOT NULL,
    updated_at                  BIGINT NOT NULL,
    updated_by                  TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, vault_id) REFERENCES vaults (workspace_id, id)
);
CREATE INDEX secrets_by_vault ON secrets (workspace_id, vault_id);

CREATE TABLE secret_versions (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    secret_id    UUID NOT NULL,
    version      BIGINT NOT NULL,
    ciphertext   BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, secret_id, version),
    FOREIGN KEY (workspace_id, secret_id) REFERENCES secrets (workspace_id, id) ON DELETE CASCADE
);

-- Item roles as granted: to a user or a team, on an account, secret or
-- collection. rank: 1 collaborator, 2 manager, 3 owner.
CREATE TABLE item_grants (
    workspace_id UUID NOT NULL,
    item_id      UUID NOT NULL,
    member_type  TEXT NOT NULL,
    member_id    UUID NOT NULL,
    item_type    TEXT NOT NULL,
    rank         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, item_id, member_type, member_id)
);
CREATE INDEX item_grants_by_member ON item_grants (workspace_id, member_type, member_id);

-- Each user's effective role on each item, derived from item_grants and team
-- membership and kept current in the transaction that changes either, so a
-- visibility-scoped list is one index range.
CREATE TABLE item_access (
    workspace_id UUID NOT NULL,
    user_id      UUID NOT NULL,
    item_type    TEXT NOT NULL,
    item_id      UUID NOT NULL,
    rank         BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id, item_type, item_id)
);
CREATE INDEX item_access_by_item ON item_access (workspace_id, item_id);

CREATE TABLE api_keys (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    user_id      UUID NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    digest       BYTEA NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    expires_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    removed_at   BIGINT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id)
);
CREATE INDEX api_keys_by_user ON api_keys (workspace_id, user_id, id);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (workspace_id, user_id, name_key) WHERE removed_at IS NULL;

CREATE TABLE tokens (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    user_id      UUID NOT NULL,
    digest       BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, user_id) REFERENCES users (workspace_id, id)
);
CREATE INDEX tokens_by_user ON tokens (workspace_id, user_id);

CREATE TABLE activities (
    workspace_id    UUID NOT NULL,
    id              UUID NOT NULL,
    created_at      BIGINT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    actor_type      TEXT NOT NULL,
    credential_kind TEXT NOT NULL,
    credential_id   TEXT NOT NULL,
    action          TEXT NOT NULL,
    resource_type   TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    client_addr     TEXT NOT NULL,
    details         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX activities_by_actor ON activities (workspace_id, actor_id, id);
CREATE INDEX activities_by_resource ON activities (workspace_id, resource_id, id);
