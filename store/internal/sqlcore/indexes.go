package sqlcore

// Indexes of mappings: what each costs a write, as measured when the jobs
// came (migration 0003). A job applies its rows in batches of 10,000, each
// inviting new members, so the store inserts mappings with keys scattered
// over every index.
//
// Measured on SQLite, inserting 100,000 mappings in batches of 10,000 (ids
// in scrambled order), CPU time and bytes written by the process:
//
//	0001's indexes                                  2.65-2.75 s  585 MB
//	mappings_search_sf_email partial (0003)         2.55 s       569 MB
//	  and mappings_sf_user partial (0003)           2.55-2.65 s  569 MB
//	four search indexes without slack_name_lc       2.59 s       555 MB  (not done)
//	mappings as a rowid table, same indexes         2.2 s        279 MB  (not done)
//
// What was done:
//   - mappings_search_sf_email holds only the mappings whose Salesforce
//     email differs from the Slack one. Most mappings are made by email,
//     and a prefix of an email equal to the Slack one is found through
//     mappings_search_email (SearchMappings' branch names the index's
//     condition, SearchBranchCond). 3% fewer bytes written, and the index
//     is smaller.
//   - mappings_sf_user holds only live mappings on SQLite too, as it did on
//     PostgreSQL: every query through it asks for invited or linked rows.
//     No measurable change while every mapping is live; cleared mappings,
//     which pile up, stay out of it.
//
// What every other index is for, so kept (then): mappings_state (CountMappings,
// ListMappings by state; dropped later, below), mappings_invite_expiry (ExpireInvitations,
// partial already), one index per searched column (SearchMappings). The
// search indexes carry slack_name_lc so that a search sorts its hits by
// name from the indexes alone: without it (5% fewer bytes) a broad prefix
// ("u", every user id) would read every matching row.
//
// Where the cost is: a batch of scattered inserts dirties a page per
// insert in every index and in the table, and SQLite writes each dirty
// page to the WAL at commit, then again to the database at the checkpoint
// (commit and checkpoint were 40% of the time of a batch into 100,000
// mappings). The biggest writer is the table itself: WITHOUT ROWID, its
// rows (about 370 bytes) are placed by key, so each insert dirties a table
// page too. As a rowid table (rows appended, the primary key an index of
// its own) the same load wrote half the bytes, with 18% less CPU. That is a
// rebuild of the table, with trade-offs of its own (ListMappings would
// read rows through the key's index), so it was measured, not made.

// Measured later, with the CSV jobs whole (BenchmarkApplyMillion,
// BENCHMARKS.md): what decides the cost of a million new mappings is not
// how many indexes there are but how many are written out of order. With
// every index key following the file's order, applying takes 16 s; with
// names and emails unrelated to member ids, as in a real directory, 62 s;
// without the three Slack-side search indexes (name, email, id), 29 s.
// Each out-of-order index dirties a page per row in every batch, and each
// commit writes them all.
//
// Done (migration 0004): mappings are found by member through the
// directory copy (members_search_* and member_words, written once when the
// directory is copied; CSV jobs add the members they had to ask Slack
// for), by Slack id through the primary key (Slack ids are upper case), and
// by Salesforce side through its two indexes; mappings_search_name,
// _email and _id are gone. What it costs:
//   - A mapping whose member is not in the copy, or is deleted there, is
//     found by Slack id and Salesforce side only.
//   - A member hit probes mappings by key before the hits are sorted: a
//     one-letter query over 100,000 mappings takes about 150 ms instead of
//     10 ms (storetest Timing, "j"); a name prefix stays within 5 ms.
//   - The empty query lists in Slack id order (no index holds the names).
// The columns slack_user_id_lc and slack_email_lc stay, unused by the
// search (slack_email_lc still names the partial index's condition):
// dropping a column rebuilds the table.
//
// Done later (SQLite, migrations 0008 and 0009), measured with
// BenchmarkApplyMillion/sequential, the old and new test binaries run at
// the same time (the machines are too noisy for one after the other):
//   - mappings_state is gone. It served CountMappings (the review before
//     a disconnect) and ListMappings by state (the members the login
//     banner tells), both of one connection, both reading most of its
//     mappings anyway; they now read the connection's range of the
//     primary key.
//   - Mappings are keyed by the connection's number (store/sqlite/conns.go), not
//     its id, and slack_user_id_lc is gone: apply 22.2 s -> 19.2-19.8 s.
// PostgreSQL keeps its indexes: it is not the store a one-machine import
// runs on, and its writes are not serialised on one writer.
