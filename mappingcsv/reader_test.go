package mappingcsv_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

// Every form of file the import accepts, with the line of every record.
func TestReaderAccepts(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		delim     rune
		slack, sf mappingcsv.Key
		extra     []string
		rows      []row
	}{
		{
			name:  "comma, LF",
			input: "slack_user_id,salesforce_user_id\n" + slackID + "," + sfID18 + "\n" + slackID2 + "," + sfID15 + "\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{2, slackID, sfID18, ""}, {3, slackID2, sfID15, ""}},
		},
		{
			name:  "semicolon, CRLF, BOM",
			input: "\uFEFFslack_email;salesforce_email\r\nada@acme.example;ada@acme.com\r\nbob@acme.example;bob@acme.com\r\n",
			delim: ';', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceEmail,
			rows: []row{{2, "ada@acme.example", "ada@acme.com", ""}, {3, "bob@acme.example", "bob@acme.com", ""}},
		},
		{
			name:  "tab, BOM, LF",
			input: "\uFEFFslack_user_id\tsalesforce_username\n" + slackID + "\tada@acme.com.prod\n",
			delim: '\t', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUsername,
			rows: []row{{2, slackID, "ada@acme.com.prod", ""}},
		},
		{
			name:  "tab, CRLF, values with commas and semicolons",
			input: "Slack Email\tSF Email\tname\r\nada@acme.example\tada@acme.com\tLovelace, Ada; Countess\r\n",
			delim: '\t', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceEmail, extra: []string{"name"},
			rows: []row{{2, "ada@acme.example", "ada@acme.com", ""}},
		},
		{
			name:  "semicolon whose extra values hold commas",
			input: "slack_email;salesforce_email;name\nada@acme.example;ada@acme.com;Lovelace, Ada\n",
			delim: ';', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceEmail, extra: []string{"name"},
			rows: []row{{2, "ada@acme.example", "ada@acme.com", ""}},
		},
		{
			name:  "any order, extra columns, aliases",
			input: "name,SFDC Username,notes,Slack-Member-Email\nAda,ada@acme.com,x,ada@acme.example\n",
			delim: ',', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceUsername, extra: []string{"name", "notes"},
			rows: []row{{2, "ada@acme.example", "ada@acme.com", ""}},
		},
		{
			name:  "aliases: Slack ID, Salesforce ID, case and spaces",
			input: "  Slack ID ,SALESFORCE ID\n" + slackID + "," + sfID18 + "\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{2, slackID, sfID18, ""}},
		},
		{
			name:  "aliases: slackuserid, sf_user_id, camel case",
			input: "SlackUserId;sf_user_id\n" + slackID + ";" + sfID18 + "\n",
			delim: ';', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{2, slackID, sfID18, ""}},
		},
		{
			name: "two candidates per side: the id, then the username, win",
			input: "slack_email,salesforce_email,slack_user_id,salesforce_username,salesforce_user_id\n" +
				"ada@acme.example,ada@acme.com," + slackID + ",ada@acme.com.prod," + sfID18 + "\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			extra: []string{"slack_email", "salesforce_email", "salesforce_username"},
			rows:  []row{{2, slackID, sfID18, ""}},
		},
		{
			name:  "username preferred over email",
			input: "salesforce_email,slack_user_id,salesforce_username\nada@acme.com," + slackID + ",ada@acme.com.prod\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUsername, extra: []string{"salesforce_email"},
			rows: []row{{2, slackID, "ada@acme.com.prod", ""}},
		},
		{
			name: "quoted fields with delimiter, quotes and newlines: the line is where the row starts",
			input: "slack_user_id,note,salesforce_user_id\n" + // 1
				slackID + ",plain," + sfID18 + "\n" + // 2
				slackID2 + ",\"a, b \"\"c\"\"\r\nd\ne\"," + sfID15 + "\n" + // 3–5
				"\"" + slackID + "\",\"\"," + "\"" + sfID18 + "\"\n", // 6
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID, extra: []string{"note"},
			rows: []row{{2, slackID, sfID18, ""}, {3, slackID2, sfID15, ""}, {6, slackID, sfID18, ""}},
		},
		{
			name:  "a required value spanning lines 5-7, the next row on line 8",
			input: "slack_email;salesforce_email\n\n\nx@acme.example;x@acme.com\n\"\nada@acme.example\n\";ada@acme.com\nbob@acme.example;bob@acme.com\n",
			delim: ';', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceEmail,
			rows: []row{{4, "x@acme.example", "x@acme.com", ""}, {5, "ada@acme.example", "ada@acme.com", ""}, {8, "bob@acme.example", "bob@acme.com", ""}},
		},
		{
			name:  "quoted header, CRLF",
			input: "\"slack_user_id\",\"salesforce_user_id\"\r\n" + slackID + "," + sfID18 + "\r\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{2, slackID, sfID18, ""}},
		},
		{
			name:  "blank lines before the header and between rows are counted, not read",
			input: "\n\r\nslack_user_id,salesforce_user_id\n\n" + slackID + "," + sfID18 + "\r\n\r\n\n" + slackID2 + "," + sfID15 + "\n\n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{5, slackID, sfID18, ""}, {8, slackID2, sfID15, ""}},
		},
		{
			name:  "values trimmed",
			input: "slack_user_id,salesforce_email\n  " + slackID + "\t,  ada@acme.com \n",
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceEmail,
			rows: []row{{2, slackID, "ada@acme.com", ""}},
		},
		{
			name:  "no line end at the end",
			input: "slack_user_id,salesforce_user_id\r\n" + slackID + "," + sfID18,
			delim: ',', slack: mappingcsv.SlackUserID, sf: mappingcsv.SalesforceUserID,
			rows: []row{{2, slackID, sfID18, ""}},
		},
		{
			name:  "non-ASCII email and extra columns",
			input: "slack_email,salesforce_email,nom\nzoë@acme.example,zoë@acme.com,Zoë Ñúñez 名前\n",
			delim: ',', slack: mappingcsv.SlackEmail, sf: mappingcsv.SalesforceEmail, extra: []string{"nom"},
			rows: []row{{2, "zoë@acme.example", "zoë@acme.com", ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, recs, err := readAll(t, tc.input, mappingcsv.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Delimiter != tc.delim || h.Slack != tc.slack || h.Salesforce != tc.sf {
				t.Errorf("header = %q %v %v, want %q %v %v", h.Delimiter, h.Slack, h.Salesforce, tc.delim, tc.slack, tc.sf)
			}
			if strings.Join(h.Extra, "|") != strings.Join(tc.extra, "|") {
				t.Errorf("extra = %q, want %q", h.Extra, tc.extra)
			}
			checkRows(t, recs, tc.rows)

			// The same file read one byte at a time: buffering must not matter.
			_, recs, err = readAllFrom(t, iotest.OneByteReader(strings.NewReader(tc.input)))
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, recs, tc.rows)
		})
	}
}

func readAllFrom(t *testing.T, r io.Reader) (mappingcsv.Header, []mappingcsv.Record, error) {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, string(b), mappingcsv.Limits{})
}

// The Header keeps the columns as found, untrimmed, in file order.
func TestHeaderColumnsAsFound(t *testing.T) {
	h, _, err := readAll(t, " Slack ID ;x;SF_User_ID\n"+slackID+";1;"+sfID18+"\n", mappingcsv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.Columns, "|"); got != " Slack ID |x|SF_User_ID" {
		t.Errorf("columns = %q", got)
	}
}

// Rows that cannot be used are reported with their line and a reason, and
// reading goes on.
func TestReaderMalformedRows(t *testing.T) {
	long := strings.Repeat("a", 2000) + "@acme.com"
	tests := []struct {
		name  string
		input string
		lim   mappingcsv.Limits
		rows  []row
	}{
		{
			name:  "ragged rows",
			input: "slack_user_id,salesforce_user_id,name\n" + slackID + "," + sfID18 + "\n" + slackID + "," + sfID18 + ",Ada,extra\n" + slackID + "\n" + slackID2 + "," + sfID15 + ",Bob\n",
			rows: []row{
				{2, slackID, sfID18, "line 2: the row has 2 fields and the header 3"},
				{3, slackID, sfID18, "the row has 4 fields"},
				{4, "", "", "the row has 1 field and the header 3"},
				{5, slackID2, sfID15, ""},
			},
		},
		{
			// Not UTF-8, so Windows-1252 (as Excel saves in Western Europe).
			name:  "a value in Windows-1252",
			input: "slack_user_id,salesforce_email\n" + slackID + ",\xe9lodie@acme.com\n" + slackID + ",ada@acme.com\n",
			rows:  []row{{2, slackID, "élodie@acme.com", ""}, {3, slackID, "ada@acme.com", ""}},
		},
		{
			name:  "invalid UTF-8 in an extra column is ignored",
			input: "slack_user_id,salesforce_email,name\n" + slackID + ",ada@acme.com,Ad\xe9le\n",
			rows:  []row{{2, slackID, "ada@acme.com", ""}},
		},
		{
			name:  "a value over the size limit",
			input: "slack_user_id,salesforce_email\n" + slackID + "," + long + "\n" + slackID + ",a@b\n",
			rows:  []row{{2, slackID, long, "has 2009 bytes, more than the limit of 1024"}, {3, slackID, "a@b", ""}},
		},
		{
			name:  "the size limit is configurable and applies after trimming",
			input: "slack_email,salesforce_email\n  ab@cd  ,ab@cde\n",
			lim:   mappingcsv.Limits{MaxFieldBytes: 5},
			rows:  []row{{2, "ab@cd", "ab@cde", `column "salesforce_email" has 6 bytes, more than the limit of 5`}},
		},
		{
			name:  "empty required values",
			input: "slack_user_id,salesforce_user_id\n," + sfID18 + "\n" + slackID + ",   \n,\n",
			rows: []row{
				{2, "", sfID18, `line 2: column "slack_user_id" is empty: fill it in, or remove the row`},
				{3, slackID, "", `column "salesforce_user_id" is empty`},
				{4, "", "", `column "slack_user_id" is empty`},
			},
		},
		{
			name: "shapes",
			input: "slack_user_id,salesforce_user_id\n" +
				"u0123abcd," + sfID18 + "\n" + // 2
				"U0123," + sfID18 + "\n" + // 3
				"X0123ABCD," + sfID18 + "\n" + // 4
				"U0123ABCDEFGH," + sfID18 + "\n" + // 5
				slackID + ",006000000000001AAA\n" + // 6
				slackID + ",00500000000001\n" + // 7
				slackID + ",005000000000001-AA\n" + // 8
				slackID + ",005000000000001aaa\n", // 9: ids are case-sensitive, lower case is fine
			rows: []row{
				{2, "u0123abcd", sfID18, `column "slack_user_id" has "u0123abcd", which is not a Slack user id`},
				{3, "U0123", sfID18, "not a Slack user id"},
				{4, "X0123ABCD", sfID18, "not a Slack user id"},
				{5, "U0123ABCDEFGH", sfID18, "not a Slack user id"},
				{6, slackID, "006000000000001AAA", `column "salesforce_user_id" has "006000000000001AAA", which is not a Salesforce user id`},
				{7, slackID, "00500000000001", "not a Salesforce user id"},
				{8, slackID, "005000000000001-AA", "not a Salesforce user id"},
				{9, slackID, "005000000000001aaa", ""},
			},
		},
		{
			name: "email and username shapes",
			input: "slack_email,salesforce_username\n" +
				"ada.acme.example,ada@acme.com\n" + // 2
				"ada@acme.example,ada@@acme.com\n" + // 3
				"a da@acme.example,ada@acme.com\n" + // 4
				"@acme.example,ada@acme.com\n" + // 5
				"ada@,ada@acme.com\n" + // 6
				"ada@acme.example,ada\n", // 7
			rows: []row{
				{2, "ada.acme.example", "ada@acme.com", `column "slack_email" has "ada.acme.example", which is not an email address`},
				{3, "ada@acme.example", "ada@@acme.com", "which is not a Salesforce username"},
				{4, "a da@acme.example", "ada@acme.com", "not an email address"},
				{5, "@acme.example", "ada@acme.com", "not an email address"},
				{6, "ada@", "ada@acme.com", "not an email address"},
				{7, "ada@acme.example", "ada", "not a Salesforce username"},
			},
		},
		{
			name: "bare quote: the row is malformed, the next one is read",
			input: "slack_user_id,salesforce_user_id\n" +
				slackID + ",005\"00000000001AAA\n" + // 2
				slackID2 + "," + sfID15 + "\n" + // 3
				" \"" + slackID + "\"," + sfID18 + "\n" + // 4: a quote after a space is bare
				slackID + "," + sfID18 + "\n", // 5
			rows: []row{
				{2, "", "", "line 2: a quote inside an unquoted value (line 2, column 14)"},
				{3, slackID2, sfID15, ""},
				{4, "", "", "a quote inside an unquoted value"},
				{5, slackID, sfID18, ""},
			},
		},
		{
			name: "stray quote after a quoted value spanning lines",
			input: "slack_user_id,salesforce_user_id,note\n" +
				slackID + "," + sfID18 + ",\"two\nlines\"x\n" + // 2–3
				slackID2 + "," + sfID15 + ",ok\n", // 4
			rows: []row{
				{2, "", "", "line 2: a quote that is not doubled inside a quoted value, or never closed (line 3, column 6)"},
				{4, slackID2, sfID15, ""},
			},
		},
		{
			name: "a quote never closed swallows the rest of the file as one row",
			input: "slack_user_id,salesforce_user_id\n" +
				slackID + "," + sfID18 + "\n" + // 2
				"\"" + slackID + "," + sfID18 + "\n" + // 3…
				slackID2 + "," + sfID15 + "\n" +
				slackID + "," + sfID18 + "\n",
			rows: []row{
				{2, slackID, sfID18, ""},
				{3, "", "", "line 3: a quote that is not doubled inside a quoted value, or never closed"},
			},
		},
		{
			name:  "a row of delimiters only",
			input: "slack_email;salesforce_email\n;\nada@acme.example;ada@acme.com\n",
			rows:  []row{{2, "", "", "is empty"}, {3, "ada@acme.example", "ada@acme.com", ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, recs, err := readAll(t, tc.input, tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, recs, tc.rows)
		})
	}
}

// Files refused as a whole: the class, the line, and a message that says
// what to do.
func TestReaderRefuses(t *testing.T) {
	header := "slack_user_id,salesforce_user_id\n"
	good := slackID + "," + sfID18 + "\n"
	tests := []struct {
		name    string
		input   string
		lim     mappingcsv.Limits
		atRead  bool  // refused by Read rather than NewReader
		rows    []row // records before the refusal
		class   error
		line    int
		message string // the whole message, or a part of it
	}{
		{name: "empty file", input: "", class: mappingcsv.ErrEmpty,
			message: "the file is empty: add a header row (for example slack_user_id,salesforce_user_id) and one row per member"},
		{name: "blank lines only", input: "\n\r\n\n", class: mappingcsv.ErrEmpty},
		{name: "a BOM only", input: "\uFEFF", class: mappingcsv.ErrEmpty},
		{name: "a CR only", input: "\r", class: mappingcsv.ErrEmpty},
		{name: "binary", input: "\x00\x01\x02\x03slack_user_id\n", class: mappingcsv.ErrNotCSV, line: 1, message: "NUL bytes"},
		{name: "NUL in the header", input: "slack_user_id\x00,salesforce_user_id\n" + good, class: mappingcsv.ErrNotCSV, line: 1},
		{name: "xlsx", input: "PK\x03\x04\x14\x00\x06\x00", class: mappingcsv.ErrNotCSV, message: "Excel workbook"},
		{name: "xls", input: "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", class: mappingcsv.ErrNotCSV, message: "Excel 97-2003"},
		{name: "UTF-16 without its BOM", input: "s\x00l\x00", class: mappingcsv.ErrNotCSV, line: 1, message: "NUL bytes"},
		// Read as Windows-1252: "salesforce_émail" is no Salesforce column.
		{name: "a Windows-1252 header", input: "slack_user_id,salesforce_\xe9mail\n" + good, class: mappingcsv.ErrHeader, line: 1,
			message: "no Salesforce column"},
		{name: "CR line ends", input: "slack_user_id,salesforce_user_id\r" + good, class: mappingcsv.ErrNotCSV, line: 1,
			message: "line 1: the lines end in CR alone (old Mac format)"},
		{name: "CR line ends, a long file", input: strings.Repeat(good[:len(good)-1]+"\r", 5000), class: mappingcsv.ErrNotCSV, line: 1,
			message: "CR alone"},
		{name: "first line too long", input: strings.Repeat("slack_user_id,", 6000), class: mappingcsv.ErrNotCSV, line: 1,
			message: "longer than 64 KiB"},
		{name: "no Salesforce column", input: "slack_user_id,name\n" + good, class: mappingcsv.ErrHeader, line: 1,
			message: "line 1: no Salesforce column: add one of salesforce_user_id, salesforce_username, salesforce_email"},
		{name: "no Slack column", input: "\n\nname;salesforce_user_id\n", class: mappingcsv.ErrHeader, line: 3,
			message: "line 3: no Slack column: add one of slack_user_id, slack_email"},
		{name: "ambiguous names are not accepted", input: "email,id,salesforce_user\n", class: mappingcsv.ErrHeader, line: 1,
			message: `line 1: no Slack or Salesforce column (found "email", "id", "salesforce_user"): add one of slack_user_id, slack_email and one of salesforce_user_id, salesforce_username, salesforce_email`},
		{name: "another delimiter", input: "slack_user_id|salesforce_user_id\n", class: mappingcsv.ErrHeader, line: 1,
			message: `found "slack_user_id|salesforce_user_id"`},
		{name: "one column named twice", input: "slack_user_id,Slack ID,salesforce_user_id\n" + good, class: mappingcsv.ErrHeader, line: 1,
			message: `line 1: columns 1 ("slack_user_id") and 2 ("Slack ID") both hold the slack_user_id: keep one of them`},
		{name: "header quote error", input: "\"slack_user_id\"x,salesforce_user_id\n" + good, class: mappingcsv.ErrHeader, line: 1,
			message: "the header is not valid CSV"},
		{name: "header only", input: header, atRead: true, class: mappingcsv.ErrNoRows, line: 2,
			message: "line 2: the file has a header but no rows: add one row per member to map"},
		{name: "header and blank lines", input: "\r\n" + header + "\r\n\r\n", atRead: true, class: mappingcsv.ErrNoRows, line: 3},
		{name: "more rows than the max", input: header + good + good + "\n" + good, lim: mappingcsv.Limits{MaxRows: 2},
			atRead: true, rows: []row{{2, slackID, sfID18, ""}, {3, slackID, sfID18, ""}}, class: mappingcsv.ErrTooManyRows, line: 5,
			message: "line 5: the file has more than 2 rows: split it into files of at most 2 rows"},
		{name: "malformed rows count towards the max", input: header + "x\n" + "y\n", lim: mappingcsv.Limits{MaxRows: 1},
			atRead: true, rows: []row{{2, "", "", "1 field"}}, class: mappingcsv.ErrTooManyRows, line: 3},
		{name: "a row too long", input: header + good + slackID + "," + strings.Repeat("x", 200<<10) + "\n" + good,
			lim: mappingcsv.Limits{MaxRowBytes: 1000}, atRead: true, rows: []row{{2, slackID, sfID18, ""}},
			class: mappingcsv.ErrRowTooLong, line: 3, message: "line 3: a row longer than 1000 bytes"},
		{name: "a quote never closed in a long file", input: header + good + "\"" + strings.Repeat(good, 20000),
			lim: mappingcsv.Limits{MaxRowBytes: 10000}, atRead: true, rows: []row{{2, slackID, sfID18, ""}},
			class: mappingcsv.ErrRowTooLong, line: 3},
		{name: "a row too long after a multi-line row", input: header + "\"" + slackID + "\n\"," + sfID18 + "\n" + strings.Repeat("x", 200<<10),
			lim: mappingcsv.Limits{MaxRowBytes: 1000}, atRead: true, rows: []row{{2, slackID, sfID18, ""}},
			class: mappingcsv.ErrRowTooLong, line: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := mappingcsv.NewReader(strings.NewReader(tc.input), tc.lim)
			var recs []mappingcsv.Record
			if tc.atRead {
				if err != nil {
					t.Fatalf("NewReader: %v", err)
				}
				for err == nil {
					var rec mappingcsv.Record
					if rec, err = rd.Read(); err == nil {
						recs = append(recs, rec)
					}
				}
				// The refusal is sticky.
				if _, again := rd.Read(); again != err {
					t.Errorf("second Read = %v, want %v", again, err)
				}
			} else if err == nil {
				t.Fatalf("NewReader accepted the file")
			}
			checkRows(t, recs, tc.rows)
			checkRefusal(t, err, tc.class, tc.line, tc.message)

			// Check refuses the same file with the same error.
			_, cerr := mappingcsv.Check(strings.NewReader(tc.input), tc.lim)
			if cerr == nil || cerr.Error() != err.Error() {
				t.Errorf("Check = %v, want %v", cerr, err)
			}
		})
	}
}

func checkRefusal(t *testing.T, err, class error, line int, message string) {
	t.Helper()
	var e *mappingcsv.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %#v, want an *Error", err)
	}
	if !errors.Is(err, class) {
		t.Errorf("err = %v, want class %v", err, class)
	}
	if e.Line != line {
		t.Errorf("line = %d, want %d (%v)", e.Line, line, err)
	}
	if !strings.Contains(err.Error(), message) {
		t.Errorf("message %q does not contain %q", err, message)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("message %q is not one line", err)
	}
}

// The source's own errors pass through, sticky, with the line reached.
func TestReaderSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader("slack_user_id,salesforce_user_id\n"+slackID+","+sfID18+"\n"), iotest.ErrReader(boom))
	rd, err := mappingcsv.NewReader(src, mappingcsv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := rd.Read(); err != nil || rec.Line != 2 {
		t.Fatalf("Read = %+v, %v", rec, err)
	}
	_, err = rd.Read()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want boom at line 3", err)
	}
	if _, again := rd.Read(); again != err {
		t.Errorf("not sticky: %v", again)
	}
}

// After io.EOF, Read keeps returning io.EOF.
func TestReaderEOFSticky(t *testing.T) {
	rd, err := mappingcsv.NewReader(strings.NewReader("slack_user_id,salesforce_user_id\n"+slackID+","+sfID18+"\n"), mappingcsv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Read(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := rd.Read(); err != io.EOF {
			t.Fatalf("err = %v, want io.EOF", err)
		}
	}
}
