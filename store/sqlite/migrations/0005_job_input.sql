-- A job's file rows wait here, keys only, from the upload until validation
-- writes each one whole into job_rows (and deletes it here), in the same
-- transaction: a row is in exactly one of the two tables.
--
-- Before, validation rewrote each uploaded row of job_rows in place,
-- growing it from about 60 to 220 bytes, which split nearly every page of
-- the table (store/sqlite_jobs.go has the figures). Inserting the whole
-- row in key order fills fresh pages instead. Rows uploaded before this
-- migration stay in job_rows: every method reads both tables.
CREATE TABLE job_input (
    job            INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    line           INTEGER NOT NULL,
    slack_key      TEXT    NOT NULL,
    salesforce_key TEXT    NOT NULL,
    PRIMARY KEY (job, seq)
) STRICT, WITHOUT ROWID;
