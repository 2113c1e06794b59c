-- A job's rows move into chunks of 1,000 consecutive rows (store/jobchunk.go
-- has the format and the reasons). A chunk is two values: its rows' data
-- (the file's keys and what validation resolved), written at upload and at
-- validation, in job_chunk_data; and where its rows stand (plan, outcome,
-- reason, time), rewritten by application and settling too, in job_chunks
-- with the counts of the chunk: rows, the file rows it holds, and invited,
-- those whose outcome is invited, which following a job's invitations
-- looks at (a chunk with none is skipped).
--
-- The rows of job_rows and job_input are packed into chunks by the Go step
-- of this migration (store/sqlite_jobs_convert.go), in the same
-- transaction; migration 0007 then drops both tables.
CREATE TABLE job_chunks (
    job     INTEGER NOT NULL,
    chunk   INTEGER NOT NULL,
    rows    INTEGER NOT NULL,
    invited INTEGER NOT NULL,
    status  BLOB    NOT NULL,
    PRIMARY KEY (job, chunk)
) STRICT;

CREATE TABLE job_chunk_data (
    job   INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    data  BLOB    NOT NULL,
    PRIMARY KEY (job, chunk)
) STRICT;
