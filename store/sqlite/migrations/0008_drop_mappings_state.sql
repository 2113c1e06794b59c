-- mappings_state served CountMappings (covered) and ListMappings filtered by
-- state: the review before a disconnect, and the members the login banner
-- tells, both of one connection, both reading most of its mappings anyway.
-- Each new mapping paid for it with one more B-tree insert: a CSV job of a
-- million new members, about 2-3 s of the store's one writer
-- (store/indexes.go). Both now read the connection's range of the primary
-- key.
DROP INDEX mappings_state;
