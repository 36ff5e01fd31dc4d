-- +goose Up
-- Collections nest: collection_closure holds every (ancestor, descendant)
-- pair, the collection itself included at depth 0, so "everything under C"
-- is one index range.
CREATE TABLE collections (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    parent_id    TEXT,
    parent_key   TEXT NOT NULL, -- parent_id, or '' at the top, for the sibling-name rule
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    status       TEXT NOT NULL,
    meta         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, parent_key, name_key)
);
CREATE INDEX collections_by_parent ON collections (workspace_id, parent_key, id);

CREATE TABLE collection_closure (
    workspace_id  TEXT NOT NULL,
    ancestor_id   TEXT NOT NULL,
    descendant_id TEXT NOT NULL,
    depth         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, ancestor_id, descendant_id)
) WITHOUT ROWID;
CREATE INDEX collection_closure_up ON collection_closure (workspace_id, descendant_id, ancestor_id);

CREATE TABLE collection_items (
    workspace_id  TEXT NOT NULL,
    collection_id TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    item_type     TEXT NOT NULL,
    added_at      INTEGER NOT NULL,
    added_by      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, collection_id, item_id)
) WITHOUT ROWID;
CREATE INDEX collection_items_by_item ON collection_items (workspace_id, item_id, collection_id);

-- How many items of each type a user may see and owns, kept exact in the
-- transaction that changes item_access; version moves with every change,
-- so caches of a user's list know when they are stale.
CREATE TABLE access_counts (
    workspace_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    item_type    TEXT NOT NULL,
    total        INTEGER NOT NULL,
    owned        INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id, item_type)
) WITHOUT ROWID;

-- Workspace-wide counts (users by status, teams, accounts, …) so totals of
-- unfiltered lists cost one row.
CREATE TABLE counters (
    workspace_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    value        INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

CREATE INDEX users_by_status ON users (workspace_id, status, id);

INSERT INTO access_counts (workspace_id, user_id, item_type, total, owned, version)
SELECT workspace_id, user_id, item_type, COUNT(*), SUM(CASE WHEN rank >= 3 THEN 1 ELSE 0 END), 1
FROM item_access GROUP BY workspace_id, user_id, item_type;

INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'users', COUNT(*), 1 FROM users GROUP BY workspace_id;
INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'users.' || status, COUNT(*), 1 FROM users GROUP BY workspace_id, status;
INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'teams', COUNT(*), 1 FROM teams GROUP BY workspace_id;
INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'accounts', COUNT(*), 1 FROM accounts GROUP BY workspace_id;
INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'secrets', COUNT(*), 1 FROM secrets GROUP BY workspace_id;
INSERT INTO counters (workspace_id, name, value, version)
SELECT workspace_id, 'vaults', COUNT(*), 1 FROM vaults GROUP BY workspace_id;
