-- Mapping jobs: one uploaded CSV file of a connection and what became of
-- each of its data rows (SPEC section 5; store/jobs.go).
--
-- A job has an id (the API's) and a number (the rowid), which keys its rows:
-- a million rows repeat a small integer rather than the id, in the table and
-- in its index. There is no foreign key from job_rows to jobs: a foreign key
-- makes every multi-row INSERT keep a statement journal (it may abort
-- alone), and the store checks the job in the same transaction anyway; jobs
-- are never deleted.

CREATE TABLE jobs (
    num               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    workspace         TEXT    NOT NULL,
    org_id            TEXT    NOT NULL,
    connection_id     TEXT    NOT NULL,
    file_name         TEXT    NOT NULL,
    created_by        TEXT    NOT NULL,
    slack_column      TEXT    NOT NULL,
    salesforce_column TEXT    NOT NULL,
    row_count         INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    -- A cancelled job: every row with no outcome reads as refused with this
    -- reason at this time (see store/jobs.go). NULL while not cancelled.
    cancel_reason     TEXT,
    cancelled_at      INTEGER
) STRICT;

-- One row per data row of the file, keyed by (job number, seq). Validation
-- fills the member and user columns and plan; applying fills outcome. The
-- empty string is "not yet" (plan, outcome) and "none" (the rest).
CREATE TABLE job_rows (
    job                 INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    line                INTEGER NOT NULL,
    slack_key           TEXT    NOT NULL,
    salesforce_key      TEXT    NOT NULL,
    slack_user_id       TEXT    NOT NULL DEFAULT '',
    slack_email         TEXT    NOT NULL DEFAULT '',
    slack_name          TEXT    NOT NULL DEFAULT '',
    salesforce_user_id  TEXT    NOT NULL DEFAULT '',
    salesforce_username TEXT    NOT NULL DEFAULT '',
    salesforce_email    TEXT    NOT NULL DEFAULT '',
    plan                TEXT    NOT NULL DEFAULT '',
    outcome             TEXT    NOT NULL DEFAULT '',
    reason              TEXT    NOT NULL DEFAULT '',
    moves               INTEGER NOT NULL DEFAULT 0,
    updated_at          INTEGER,            -- NULL until first updated
    PRIMARY KEY (job, seq)
) STRICT, WITHOUT ROWID;

-- The job's invited rows, for SettleJobInvitations: a partial index, so
-- that only rows entering or leaving "invited" pay for it, and a covering
-- one, ordered by member, so that settling reads no table row and probes
-- mappings in key order.
CREATE INDEX job_rows_invited ON job_rows (job, slack_user_id, salesforce_user_id, reason, plan, moves)
    WHERE outcome = 'invited';

-- How many rows of a job have each status, kept in step by every write of
-- job_rows in the same transaction: JobCounts, CancelJobRows and the
-- waiting count of SettleJobInvitations read a few rows here rather than
-- every row of the job (a million rows: 150-200 ms through an index of
-- job_rows, measured, and every UpdateJobRows moving each row's entry).
CREATE TABLE job_counts (
    job     INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    plan    TEXT    NOT NULL,
    moves   INTEGER NOT NULL,
    reason  TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (job, outcome, plan, moves, reason)
) STRICT, WITHOUT ROWID;
