-- Mappings are found by member through the directory copy (members_search_*
-- and member_words, written once when the directory is copied) rather than
-- through indexes of their own Slack name, email and id: a bulk job inserts
-- a million mappings whose names and emails are in no relation to their
-- member ids, and each such index cost 13-15 s per million rows (every
-- batch dirtied about a page per row in it; store/indexes.go,
-- BENCHMARKS.md). The id is found through the primary key (Slack ids are
-- upper case), the Salesforce side through its two indexes, as before.
DROP INDEX mappings_search_name;
DROP INDEX mappings_search_email;
DROP INDEX mappings_search_id;
