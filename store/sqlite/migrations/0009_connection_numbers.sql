-- Mappings are keyed by a connection's number, not its id (see
-- store/sqlite_conns.go): the id, some 45 bytes, was repeated in the
-- primary key and in every index of every mapping. slack_user_id_lc goes
-- too: nothing reads it since 0004 (a Slack id is searched through the
-- primary key). The table is rebuilt, its indexes made anew, each as
-- before but for its first column.
CREATE TABLE connections (
    num INTEGER PRIMARY KEY,
    id  TEXT    NOT NULL UNIQUE
) STRICT;

INSERT INTO connections (id) SELECT DISTINCT connection_id FROM mappings ORDER BY connection_id;

CREATE TABLE mappings_by_num (
    conn                   INTEGER NOT NULL,
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
    invite_expires_at      INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    updated_by             TEXT    NOT NULL,
    revision               INTEGER NOT NULL DEFAULT 1,
    slack_email_lc         TEXT    NOT NULL,
    slack_name_lc          TEXT    NOT NULL,
    salesforce_username_lc TEXT    NOT NULL,
    salesforce_email_lc    TEXT    NOT NULL,
    PRIMARY KEY (conn, slack_user_id)
) STRICT, WITHOUT ROWID;

INSERT INTO mappings_by_num
SELECT c.num, m.slack_user_id, m.workspace, m.org_id, m.slack_email, m.slack_name_id, m.slack_name,
       m.salesforce_user_id, m.salesforce_username, m.salesforce_email, m.state, m.source, m.invite_expires_at,
       m.created_at, m.updated_at, m.updated_by, m.revision,
       m.slack_email_lc, m.slack_name_lc, m.salesforce_username_lc, m.salesforce_email_lc
FROM mappings m JOIN connections c ON c.id = m.connection_id
ORDER BY c.num, m.slack_user_id;

DROP TABLE mappings;
ALTER TABLE mappings_by_num RENAME TO mappings;

CREATE INDEX mappings_sf_user ON mappings (conn, salesforce_user_id)
    WHERE state IN ('invited', 'linked');
CREATE INDEX mappings_invite_expiry ON mappings (conn, invite_expires_at)
    WHERE state = 'invited';
CREATE INDEX mappings_search_sf_username ON mappings (conn, salesforce_username_lc, slack_name_lc);
CREATE INDEX mappings_search_sf_email ON mappings (conn, salesforce_email_lc, slack_name_lc)
    WHERE salesforce_email_lc <> slack_email_lc;
