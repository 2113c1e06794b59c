-- mappings_search_sf_email made partial: it holds only the mappings whose
-- Salesforce email differs from their Slack email. Most mappings are made by
-- email, and a prefix of an email equal to the Slack one is found by
-- mappings_search_email already (SearchMappings' branch on the Salesforce
-- email names the same condition, so that the index is usable). See
-- store/indexes.go for what was measured.
DROP INDEX mappings_search_sf_email;
CREATE INDEX mappings_search_sf_email ON mappings (connection_id, salesforce_email_lc)
    WHERE salesforce_email_lc <> slack_email_lc;
