-- The rows of job_rows and job_input are in job_chunks since 0006.
DROP TABLE job_input;
DROP TABLE job_rows;
