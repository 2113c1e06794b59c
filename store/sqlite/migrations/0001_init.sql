-- sfconnect store, SQLite dialect.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC: exact, compact,
-- and compared as numbers (ExpireInvitations). Tables are STRICT (types
-- enforced) and WITHOUT ROWID: the primary key is the table, so secondary
-- indexes carry the key itself and a search can collect hits from the
-- indexes alone.
--
-- The *_lc columns are the searched values trimmed and lower-cased by the
-- store (Go's strings.ToLower; SQLite's lower() folds ASCII only), scanned as
-- prefix ranges (col >= q AND col < successor(q)) in BINARY collation.
--
-- The queries name their index (INDEXED BY): without statistics SQLite's
-- planner prefers a scan of the connection's primary key range to a
-- secondary index, even for an equality on both its columns.

CREATE TABLE mappings (
    connection_id          TEXT    NOT NULL,
    slack_user_id          TEXT    NOT NULL,
    workspace              TEXT    NOT NULL,
    org_id                 TEXT    NOT NULL,
    slack_email            TEXT    NOT NULL,
    slack_name_id          TEXT    NOT NULL,
    slack_name             TEXT    NOT NULL,
    salesforce_user_id     TEXT    NOT NULL,
    salesforce_username    TEXT    NOT NULL,
    salesforce_email       TEXT    NOT NULL,
    state                  TEXT    NOT NULL CHECK (state IN ('invited', 'linked', 'cleared')),
    source                 TEXT    NOT NULL CHECK (source IN ('auto', 'manual', 'csv', 'self')),
    invite_expires_at      INTEGER,            -- NULL unless invited
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    updated_by             TEXT    NOT NULL,
    -- revision counts the row's writes: 1 after the insert, so an upsert's
    -- RETURNING revision tells an insert (1) from an update (> 1).
    revision               INTEGER NOT NULL DEFAULT 1,
    slack_user_id_lc       TEXT    NOT NULL,
    slack_email_lc         TEXT    NOT NULL,
    slack_name_lc          TEXT    NOT NULL,
    salesforce_username_lc TEXT    NOT NULL,
    salesforce_email_lc    TEXT    NOT NULL,
    PRIMARY KEY (connection_id, slack_user_id)
) STRICT, WITHOUT ROWID;

-- CountMappings (covered) and ListMappings filtered by state.
CREATE INDEX mappings_state ON mappings (connection_id, state, slack_user_id);
-- FindBySalesforceUser.
CREATE INDEX mappings_sf_user ON mappings (connection_id, salesforce_user_id);
-- ExpireInvitations.
CREATE INDEX mappings_invite_expiry ON mappings (connection_id, invite_expires_at)
    WHERE state = 'invited';
-- SearchMappings: one prefix range per searched column. The name rides along
-- in each index so that the hits can be sorted by name before any row is
-- read; the name index also serves the empty query in name order.
CREATE INDEX mappings_search_name  ON mappings (connection_id, slack_name_lc, slack_user_id);
CREATE INDEX mappings_search_email ON mappings (connection_id, slack_email_lc, slack_name_lc);
CREATE INDEX mappings_search_id    ON mappings (connection_id, slack_user_id_lc, slack_name_lc);
CREATE INDEX mappings_search_sf_username ON mappings (connection_id, salesforce_username_lc, slack_name_lc);
CREATE INDEX mappings_search_sf_email    ON mappings (connection_id, salesforce_email_lc, slack_name_lc);

-- Idempotency keys of the keyed writes (ApplyMappings, ClearMapping),
-- written in the same transaction as the write they stand for. result is the
-- first call's answer, as JSON, returned to every replay.
CREATE TABLE applied_keys (
    key        TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A local copy of each workspace's Slack directory, for the fast member
-- search of "add individually". Deleted members stay (they are part of the
-- directory) but are left out of the search indexes.
CREATE TABLE members (
    workspace    TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    real_name    TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    saml_name_id TEXT    NOT NULL,
    deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    updated_at   INTEGER NOT NULL,
    user_id_lc   TEXT    NOT NULL,
    name_lc      TEXT    NOT NULL,
    real_name_lc TEXT    NOT NULL,
    email_lc     TEXT    NOT NULL,
    PRIMARY KEY (workspace, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX members_search_name      ON members (workspace, name_lc, user_id) WHERE deleted = 0;
CREATE INDEX members_search_real_name ON members (workspace, real_name_lc, name_lc) WHERE deleted = 0;
CREATE INDEX members_search_email     ON members (workspace, email_lc, name_lc) WHERE deleted = 0;
CREATE INDEX members_search_id        ON members (workspace, user_id_lc, name_lc) WHERE deleted = 0;

-- The words of a live member's real name after the first (the first is a
-- prefix of the whole real name), so that "dup" finds "Jean Dupont".
-- Rewritten whenever the member changes.
CREATE TABLE member_words (
    workspace TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    word      TEXT NOT NULL,
    PRIMARY KEY (workspace, user_id, word)
) STRICT, WITHOUT ROWID;

CREATE INDEX member_words_search ON member_words (workspace, word);
