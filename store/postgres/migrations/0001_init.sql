-- sfconnect store, PostgreSQL dialect.
--
-- Every text column is COLLATE "C": keyset paging, the name order and the
-- prefix ranges of the searches must compare bytewise (code point order),
-- exactly as SQLite does, whatever the database's locale; a linguistic
-- collation would also break prefix ranges (it ignores punctuation).
--
-- The *_lc columns are the searched values trimmed and lower-cased by the
-- store (Go's strings.ToLower, identical on both backends; PostgreSQL's
-- lower() depends on the locale), scanned as prefix ranges
-- (col >= q AND col < successor(q)).

CREATE TABLE mappings (
    connection_id          text COLLATE "C" NOT NULL,
    slack_user_id          text COLLATE "C" NOT NULL,
    workspace              text COLLATE "C" NOT NULL,
    org_id                 text COLLATE "C" NOT NULL,
    slack_email            text COLLATE "C" NOT NULL,
    slack_name_id          text COLLATE "C" NOT NULL,
    slack_name             text COLLATE "C" NOT NULL,
    salesforce_user_id     text COLLATE "C" NOT NULL,
    salesforce_username    text COLLATE "C" NOT NULL,
    salesforce_email       text COLLATE "C" NOT NULL,
    state                  text COLLATE "C" NOT NULL CHECK (state IN ('invited', 'linked', 'cleared')),
    source                 text COLLATE "C" NOT NULL CHECK (source IN ('auto', 'manual', 'csv', 'self')),
    invite_expires_at      timestamptz,       -- NULL unless invited
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    updated_by             text COLLATE "C" NOT NULL,
    -- revision counts the row's writes: 1 after the insert, so an upsert's
    -- RETURNING revision tells an insert (1) from an update (> 1).
    revision               bigint NOT NULL DEFAULT 1,
    slack_user_id_lc       text COLLATE "C" NOT NULL,
    slack_email_lc         text COLLATE "C" NOT NULL,
    slack_name_lc          text COLLATE "C" NOT NULL,
    salesforce_username_lc text COLLATE "C" NOT NULL,
    salesforce_email_lc    text COLLATE "C" NOT NULL,
    PRIMARY KEY (connection_id, slack_user_id)
);

-- CountMappings and ListMappings filtered by state.
CREATE INDEX mappings_state ON mappings (connection_id, state, slack_user_id);
-- FindBySalesforceUser: only live mappings hold a Salesforce user.
CREATE INDEX mappings_sf_user ON mappings (connection_id, salesforce_user_id)
    WHERE state IN ('invited', 'linked');
-- ExpireInvitations.
CREATE INDEX mappings_invite_expiry ON mappings (connection_id, invite_expires_at)
    WHERE state = 'invited';
-- SearchMappings: one prefix range per searched column; the name index also
-- serves the empty query in name order.
CREATE INDEX mappings_search_name  ON mappings (connection_id, slack_name_lc, slack_user_id);
CREATE INDEX mappings_search_email ON mappings (connection_id, slack_email_lc);
CREATE INDEX mappings_search_id    ON mappings (connection_id, slack_user_id_lc);
CREATE INDEX mappings_search_sf_username ON mappings (connection_id, salesforce_username_lc);
CREATE INDEX mappings_search_sf_email    ON mappings (connection_id, salesforce_email_lc);

-- Idempotency keys of the keyed writes (ApplyMappings, ClearMapping),
-- written in the same transaction as the write they stand for. result is the
-- first call's answer, returned to every replay.
CREATE TABLE applied_keys (
    key        text COLLATE "C" PRIMARY KEY,
    kind       text NOT NULL,
    result     jsonb NOT NULL,
    applied_at timestamptz NOT NULL
);

-- A local copy of each workspace's Slack directory, for the fast member
-- search of "add individually". Deleted members stay (they are part of the
-- directory) but are left out of the search indexes.
CREATE TABLE members (
    workspace    text COLLATE "C" NOT NULL,
    user_id      text COLLATE "C" NOT NULL,
    name         text COLLATE "C" NOT NULL,
    real_name    text COLLATE "C" NOT NULL,
    email        text COLLATE "C" NOT NULL,
    saml_name_id text COLLATE "C" NOT NULL,
    deleted      boolean NOT NULL,
    updated_at   timestamptz NOT NULL,
    user_id_lc   text COLLATE "C" NOT NULL,
    name_lc      text COLLATE "C" NOT NULL,
    real_name_lc text COLLATE "C" NOT NULL,
    email_lc     text COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace, user_id)
);

CREATE INDEX members_search_name      ON members (workspace, name_lc, user_id) WHERE NOT deleted;
CREATE INDEX members_search_real_name ON members (workspace, real_name_lc) WHERE NOT deleted;
CREATE INDEX members_search_email     ON members (workspace, email_lc) WHERE NOT deleted;
CREATE INDEX members_search_id        ON members (workspace, user_id_lc) WHERE NOT deleted;

-- The words of a live member's real name after the first (the first is a
-- prefix of the whole real name), so that "dup" finds "Jean Dupont".
-- Rewritten whenever the member changes.
CREATE TABLE member_words (
    workspace text COLLATE "C" NOT NULL,
    user_id   text COLLATE "C" NOT NULL,
    word      text COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace, user_id, word)
);

CREATE INDEX member_words_search ON member_words (workspace, word);
