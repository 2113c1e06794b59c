-- Mapping jobs: one uploaded CSV file of a connection and what became of
-- each of its data rows (SPEC section 5; store/jobs.go).
--
-- A job has an id (the API's) and a number, which keys its rows: a million
-- rows repeat a bigint rather than the id, in the table and in its index.
-- Text columns are COLLATE "C", as in 0001 (and so that job_rows joins
-- mappings on equal collations). There is no foreign key from job_rows to
-- jobs: the store reads (and locks) the job in the same transaction, and
-- jobs are never deleted.

CREATE TABLE jobs (
    num               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                text COLLATE "C" NOT NULL UNIQUE,
    workspace         text COLLATE "C" NOT NULL,
    org_id            text COLLATE "C" NOT NULL,
    connection_id     text COLLATE "C" NOT NULL,
    file_name         text COLLATE "C" NOT NULL,
    created_by        text COLLATE "C" NOT NULL,
    slack_column      text COLLATE "C" NOT NULL,
    salesforce_column text COLLATE "C" NOT NULL,
    row_count         integer NOT NULL,
    created_at        timestamptz NOT NULL,
    -- A cancelled job: every row with no outcome reads as refused with this
    -- reason at this time (see store/jobs.go). NULL while not cancelled.
    cancel_reason     text COLLATE "C",
    cancelled_at      timestamptz
);

-- One row per data row of the file, keyed by (job number, seq). Validation
-- fills the member and user columns and plan; applying fills outcome. The
-- empty string is "not yet" (plan, outcome) and "none" (the rest).
CREATE TABLE job_rows (
    job                 bigint  NOT NULL,
    seq                 integer NOT NULL,
    line                integer NOT NULL,
    slack_key           text COLLATE "C" NOT NULL,
    salesforce_key      text COLLATE "C" NOT NULL,
    slack_user_id       text COLLATE "C" NOT NULL DEFAULT '',
    slack_email         text COLLATE "C" NOT NULL DEFAULT '',
    slack_name          text COLLATE "C" NOT NULL DEFAULT '',
    salesforce_user_id  text COLLATE "C" NOT NULL DEFAULT '',
    salesforce_username text COLLATE "C" NOT NULL DEFAULT '',
    salesforce_email    text COLLATE "C" NOT NULL DEFAULT '',
    plan                text COLLATE "C" NOT NULL DEFAULT '',
    outcome             text COLLATE "C" NOT NULL DEFAULT '',
    reason              text COLLATE "C" NOT NULL DEFAULT '',
    moves               boolean NOT NULL DEFAULT false,
    updated_at          timestamptz,        -- NULL until first updated
    PRIMARY KEY (job, seq)
);

-- The job's invited rows, for SettleJobInvitations: a partial index, so
-- that only rows entering or leaving "invited" pay for it.
CREATE INDEX job_rows_invited ON job_rows (job, slack_user_id)
    INCLUDE (salesforce_user_id, reason, plan, moves)
    WHERE outcome = 'invited';

-- How many rows of a job have each status, kept in step by every write of
-- job_rows in the same transaction: JobCounts, CancelJobRows and the
-- waiting count of SettleJobInvitations read a few rows here rather than
-- every row of the job (a million rows, freshly written, not yet vacuumed:
-- 0.7-1 s through an index of job_rows, measured).
CREATE TABLE job_counts (
    job     bigint  NOT NULL,
    outcome text COLLATE "C" NOT NULL,
    plan    text COLLATE "C" NOT NULL,
    moves   boolean NOT NULL,
    reason  text COLLATE "C" NOT NULL,
    n       bigint  NOT NULL,
    PRIMARY KEY (job, outcome, plan, moves, reason)
);
