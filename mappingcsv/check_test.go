package mappingcsv_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/mappingcsv"
)

func TestCheck(t *testing.T) {
	input := "name;slack_email;salesforce_user_id\n" +
		"Ada;ada@acme.example;" + sfID18 + "\n" +
		"Bob;bob;" + sfID15 + "\n" + // malformed: not an email
		"\"Zoë\nÑ\";zoe@acme.example;" + sfID18 + "\n" +
		"ragged\n"
	s, err := mappingcsv.Check(strings.NewReader(input), mappingcsv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 4 || s.Malformed != 2 {
		t.Errorf("rows %d, malformed %d; want 4, 2", s.Rows, s.Malformed)
	}
	h := s.Header
	if h.Delimiter != ';' || h.Slack != mappingcsv.SlackEmail || h.Salesforce != mappingcsv.SalesforceUserID || len(h.Extra) != 1 {
		t.Errorf("header = %+v", h)
	}
}

// Exactly MaxRows rows pass; one more is refused, before any job starts.
func TestCheckMaxRows(t *testing.T) {
	input := "slack_user_id,salesforce_user_id\n" + strings.Repeat(slackID+","+sfID18+"\n", 3)
	if s, err := mappingcsv.Check(strings.NewReader(input), mappingcsv.Limits{MaxRows: 3}); err != nil || s.Rows != 3 {
		t.Fatalf("Check = %+v, %v", s, err)
	}
	s, err := mappingcsv.Check(strings.NewReader(input), mappingcsv.Limits{MaxRows: 2})
	if !errors.Is(err, mappingcsv.ErrTooManyRows) || err.Error() != "line 4: the file has more than 2 rows: split it into files of at most 2 rows" {
		t.Fatalf("Check = %v", err)
	}
	if s.Rows != 2 {
		t.Errorf("rows before the refusal = %d, want 2", s.Rows)
	}
}

// The default limits apply when Limits is zero.
func TestCheckDefaultLimits(t *testing.T) {
	long := strings.Repeat("a", mappingcsv.DefaultMaxFieldBytes-len("@acme.com")) + "@acme.com"
	input := "slack_user_id,salesforce_email\n" + slackID + "," + long + "\n" + slackID + ",a" + long + "\n"
	s, err := mappingcsv.Check(strings.NewReader(input), mappingcsv.Limits{})
	if err != nil || s.Rows != 2 || s.Malformed != 1 {
		t.Errorf("Check = %+v, %v; want the second row only malformed", s, err)
	}
}
