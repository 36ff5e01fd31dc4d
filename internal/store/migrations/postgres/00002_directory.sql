-- +goose Up
-- Collections nest: collection_closure holds every (ancestor, descendant)
-- pair, the collection itself included at depth 0, so "everything under C"
-- is one index range.
CREATE TABLE collections (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    parent_id    UUID,
    parent_key   TEXT NOT NULL, -- parent_id, or '' at the top, for the sibling-name rule
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    status       TEXT NOT NULL,
    meta         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, parent_key, name_key)
);
CREATE INDEX collections_by_parent ON collections (workspace_id, parent_key, id);

CREATE TABLE collection_closure (
    workspace_id  UUID NOT NULL,
    ancestor_id   UUID NOT NULL,
    descendant_id UUID NOT NULL,
    depth         BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, ancestor_id, descendant_id)
);
CREATE INDEX collection_closure_up ON collection_closure (workspace_id, descendant_id, ancestor_id);

CREATE TABLE collection_items (
    workspace_id  UUID NOT NULL,
    collection_id UUID NOT NULL,
    item_id       UUID NOT NULL,
    item_type     TEXT NOT NULL,
    added_at      BIGINT NOT NULL,
    added_by      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, collection_id, item_id)
);
CREATE INDEX collection_items_by_item ON collection_items (workspace_id, item_id, collection_id);

-- How many items of each type a user may see and owns, kept exact in the
-- transaction that changes item_access; version moves with every change,
-- so caches of a user's list know when they are stale.
CREATE TABLE access_counts (
    workspace_id UUID NOT NULL,
    user_id      UUID NOT NULL,
    item_type    TEXT NOT NULL,
    total        BIGINT NOT NULL,
    owned        BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id, item_type)
);

-- Workspace-wide counts (users by status, teams, accounts, …) so totals of
-- unfiltered lists cost one row.
CREATE TABLE counters (
    workspace_id UUID NOT NULL,
    name         TEXT NOT NULL,
    value        BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

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
