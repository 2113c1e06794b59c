// Package mappingcsv reads and writes the user-mapping CSV files of SPEC
// section 5: the import a Salesforce admin uploads to map many members at
// once, and the export of a connection's mappings.
//
// # Import
//
// [NewReader] reads the header, [Reader.Read] streams one [Record] per row
// and [Check] reads a whole file once so that a bad file is refused before
// any job starts. What a file may look like:
//
//   - UTF-8, with or without a byte order mark; Windows-1252 (and so
//     Latin-1), as Excel saves "CSV" in Western Europe; UTF-16 with its
//     byte order mark (Excel's "Unicode text"). [Check] reads the whole
//     file to tell them apart ([DetectEncoding]: UTF-16 by its BOM, else
//     UTF-8 when every byte is, else Windows-1252, unless a byte is one of
//     the five Windows-1252 leaves unassigned) and says which in
//     [Summary].Encoding; [NewReaderIn] then reads in it, every value
//     UTF-8. [NewReader] alone sniffs from the first 64 KiB.
//   - CRLF or LF line ends; blank lines are skipped (line numbers still
//     count them).
//   - The delimiter is `,`, `;` or tab: the one that splits the header line
//     into the most recognised column names (ties go to comma, then
//     semicolon), because spreadsheets in many locales save with `;`.
//   - Header names are compared after trimming, lower-casing and dropping
//     spaces, `_` and `-`, so "Slack User ID", "slack-user-id" and
//     "SlackUserId" are all slack_user_id. Accepted names (separators
//     aside):
//     slack_user_id: slack_id, slack_member_id;
//     slack_email: slack_user_email, slack_member_email;
//     salesforce_user_id: salesforce_id, and sf_ or sfdc_ for salesforce_;
//     salesforce_username: sf_username, sfdc_username;
//     salesforce_email: salesforce_user_email, and sf_ or sfdc_ likewise.
//     A bare "email", "id", "user" or "salesforce_user" is not accepted:
//     it does not say which side, or which kind of value, it holds.
//   - Exactly one column is used per side. When a side has several
//     candidates the id wins, then (Salesforce) the username, which is
//     unique in an org where the email is not; the others become extra
//     columns. Two columns naming the same thing (slack_user_id and
//     "Slack ID") are refused: we cannot know which one the admin meant.
//   - Extra columns are ignored entirely: their content is neither
//     validated nor kept, only counted (a row must have as many fields as
//     the header).
//
// A row that cannot be used is still returned, as a Record whose Err says
// why (an [*Error] of class [ErrMalformed]), so that the job's result can
// list it with its line: wrong field count, a quote error, a used value
// that is empty, over [Limits].MaxFieldBytes, not UTF-8, or of the wrong
// shape (Slack ids: U or W then 8 to 11 capitals or digits; Salesforce ids:
// 15 or 18 letters or digits starting 005; emails and Salesforce usernames:
// one @ with text on both sides, no spaces or control characters).
//
// The file as a whole is refused, with an [*Error] whose message says what
// to do, when it is empty, not text (NUL bytes, a byte no supported
// encoding has, a spreadsheet workbook, lines ended by CR alone), has no
// usable header, has no rows, has more rows than [Limits].MaxRows, or has a
// row longer than [Limits].MaxRowBytes (then nothing after it can be
// trusted, and holding it would cost memory; the line reported is the one
// after the last row read, as encoding/csv does not say where the row it
// gave up on starts). [Check] meets every one of these, so a job that
// starts after a successful Check reads the same rows to the end.
//
// Quote errors: encoding/csv drops the rest of the physical line after a
// bare or stray quote, so reading resumes at the next line and the bad row
// is one malformed Record. A quote that is never closed swallows the rest
// of the file: that is reported as one malformed Record at the line where
// the row starts, and the next Read returns io.EOF (or, when the rest of
// the file is longer than MaxRowBytes, the file is refused with
// ErrRowTooLong).
//
// # Export
//
// [Writer] writes [Columns] and then one row per [Row], RFC 4180 (CRLF,
// quotes doubled, fields with a comma, quote or line break quoted), with
// every cell passed through [Neutralize] so that no cell runs as a formula
// when the file is opened in a spreadsheet: a cell whose first character
// other than whitespace is = + - @, tab or CR gets a leading quote. Line
// breaks inside a cell are written as CRLF, like the record ends; updated_at
// is RFC 3339 in UTC, whole seconds.
//
// # Libraries
//
// Both directions use encoding/csv directly. github.com/gocarina/gocsv maps
// structs to rows by tags, which would fit the export's Row, but its
// marshallers take a whole slice (not a stream), or a channel (and then
// write no header for an export without rows), and flush after each call;
// it formats a time.Time with MarshalText (nanoseconds, local offset, where
// the export wants RFC 3339 UTC); and its tags would be a second place for
// the column names that Columns holds. The import needs line numbers,
// per-row errors that do not stop the reader, a row-size limit and no
// reflection per row, none of which gocsv's Unmarshal offers. The tests do
// use gocsv, as an independent, tag-driven reader of the export.
package mappingcsv
