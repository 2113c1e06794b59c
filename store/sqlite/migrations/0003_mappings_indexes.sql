-- Two indexes of mappings made partial: smaller, and cheaper to write (see
-- store/indexes.go for what was measured).
--
-- mappings_search_sf_email holds only the mappings whose Salesforce email
-- differs from their Slack email: most mappings are made by email, and a
-- prefix of an email equal to the Slack one is found by
-- mappings_search_email already (SearchMappings' branch on the Salesforce
-- email names the same condition, so that the index is usable).
DROP INDEX mappings_search_sf_email;
CREATE INDEX mappings_search_sf_email ON mappings (connection_id, salesforce_email_lc, slack_name_lc)
    WHERE salesforce_email_lc <> slack_email_lc;

-- mappings_sf_user holds only live mappings, as in PostgreSQL: every query
-- through it (FindBySalesforceUser, GetLiveMappingsBySalesforceUsers) asks
-- for state IN ('invited', 'linked'), and cleared mappings, which pile up,
-- stay out of it.
DROP INDEX mappings_sf_user;
CREATE INDEX mappings_sf_user ON mappings (connection_id, salesforce_user_id)
    WHERE state IN ('invited', 'linked');
