package logging_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/logging"
)

// No line of New's loggers shows an email, whatever field carries it: the
// message, a string, an error (as the SDK logs an activity's), a struct, a
// logger's own fields; ids and module versions stay.
func TestLogsRedactEmails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	log, err := logging.New("debug", path)
	if err != nil {
		t.Fatal(err)
	}
	type member struct{ ID, Email string }
	log.With(zap.String("caller", "admin@acme.example")).Info("asked by owner@demo.example",
		zap.String("member", "U0MEMBER1"),
		zap.Error(errors.New(`no user with Email "Member3@ACME.example" in acme--uat (admin@acme.example.uat)`)),
		zap.Any("m", member{ID: "U0MEMBER3", Email: "member3@acme.example"}),
		zap.String("stack", "go.temporal.io/sdk@v1.50.0/internal"))
	logging.Temporal(log).Error("Activity error.", "Error", errors.New("user@acme.example may not approve"))
	_ = log.Sync()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, leak := range []string{"@acme.example", "@demo.example", "@ACME.example", "user@"} {
		if strings.Contains(out, leak) {
			t.Errorf("the log shows %q:\n%s", leak, out)
		}
	}
	for _, keep := range []string{"U0MEMBER1", "U0MEMBER3", "sdk@v1.50.0", logging.Redacted, "acme--uat"} {
		if !strings.Contains(out, keep) {
			t.Errorf("the log lost %q:\n%s", keep, out)
		}
	}
}
