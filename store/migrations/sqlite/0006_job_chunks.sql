-- A job's rows move into chunks of 1,000 consecutive rows, one row of
-- job_chunks each, the rows packed into data (store/jobchunk.go has the
-- format and the reasons). rows counts the file rows the chunk holds;
-- invited, those whose outcome is invited, which following a job's
-- invitations looks at (a chunk with none is skipped).
--
-- The rows of job_rows and job_input are packed into chunks by the Go step
-- of this migration (store/sqlite_jobs_convert.go), in the same
-- transaction; migration 0007 then drops both tables.
CREATE TABLE job_chunks (
    job     INTEGER NOT NULL,
    chunk   INTEGER NOT NULL,
    rows    INTEGER NOT NULL,
    invited INTEGER NOT NULL,
    data    BLOB    NOT NULL,
    PRIMARY KEY (job, chunk)
) STRICT;
