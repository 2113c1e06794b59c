-- As SQLite's 0008: mappings_state served CountMappings (covered) and
-- ListMappings filtered by state, both of one connection, both reading
-- most of its mappings anyway; they now read the connection's range of the
-- primary key. Each new mapping paid for it with one more B-tree insert,
-- a sixth index to maintain for every row a CSV job applies.
DROP INDEX mappings_state;
