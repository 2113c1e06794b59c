package slackapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/slackapi"
)

// calls are one call of each kind, for checks that every call fails alike:
// team.info is decoded by slackapi itself, the others by slack-go.
var calls = []struct {
	method string
	prefix string // the start of the error's text
	do     func(*slackapi.Directory) error
}{
	{"team.info", "slack team.info in T0ACME: ", func(d *slackapi.Directory) error {
		_, err := d.Team(context.Background(), acme)
		return err
	}},
	{"users.info", "slack users.info U0OWNER in T0ACME: ", func(d *slackapi.Directory) error {
		_, err := d.Member(context.Background(), acme, "U0OWNER")
		return err
	}},
	{"users.lookupByEmail", "slack users.lookupByEmail mia@acme.test in T0ACME: ", func(d *slackapi.Directory) error {
		_, err := d.MemberByEmail(context.Background(), acme, "mia@acme.test")
		return err
	}},
	{"admin.roles.listAssignments", "slack admin.roles.listAssignments Rl0SFSYSADM for U0OWNER in T0ACME: ", func(d *slackapi.Directory) error {
		_, err := d.HasRole(context.Background(), acme, "U0OWNER", slackapi.RoleSalesforceSystemAdmin)
		return err
	}},
	{"chat.postMessage", "slack chat.postMessage C0X in T0ACME: ", func(d *slackapi.Directory) error {
		_, err := d.PostMessage(context.Background(), acme, "C0X", "hi")
		return err
	}},
}

func TestRateLimited(t *testing.T) {
	for _, c := range calls {
		t.Run(c.method, func(t *testing.T) {
			f, d, _ := newDirectory(t)
			f.failNext(c.method, fault{status: 429, retryAfter: "7"})
			err := c.do(d)
			if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok {
				t.Fatalf("err = %#v, want a *slack.RateLimitedError", err)
			}
			if !slackapi.Retryable(err) {
				t.Error("Retryable = false")
			}
			if wait, ok := slackapi.RetryAfter(err); !ok || wait != 7*time.Second {
				t.Errorf("RetryAfter = %v, %v; want 7s", wait, ok)
			}
			if !strings.HasPrefix(err.Error(), c.prefix) {
				t.Errorf("err = %q, want the prefix %q", err, c.prefix)
			}
		})
	}
}

func TestRateLimitedWithoutRetryAfter(t *testing.T) {
	for _, c := range calls {
		t.Run(c.method, func(t *testing.T) {
			f, d, _ := newDirectory(t)
			f.failNext(c.method, fault{status: 429})
			err := c.do(d)
			if e, ok := errors.AsType[slack.StatusCodeError](err); !ok || e.Code != 429 {
				t.Fatalf("err = %#v, want a 429 StatusCodeError", err)
			}
			if !slackapi.Retryable(err) {
				t.Error("Retryable = false")
			}
			if _, ok := slackapi.RetryAfter(err); ok {
				t.Error("RetryAfter without a Retry-After")
			}
		})
	}
}

func TestServerError(t *testing.T) {
	for _, c := range calls {
		t.Run(c.method, func(t *testing.T) {
			f, d, _ := newDirectory(t)
			f.failNext(c.method, fault{status: 503})
			err := c.do(d)
			if e, ok := errors.AsType[slack.StatusCodeError](err); !ok || e.Code != 503 {
				t.Fatalf("err = %#v, want a 503 StatusCodeError", err)
			}
			if !slackapi.Retryable(err) {
				t.Error("Retryable = false")
			}
			if _, ok := slackapi.RetryAfter(err); ok {
				t.Error("RetryAfter on a 503")
			}
			if !strings.HasPrefix(err.Error(), c.prefix) {
				t.Errorf("err = %q, want the prefix %q", err, c.prefix)
			}
		})
	}
}

func TestClientErrorIsNotRetryable(t *testing.T) {
	f, d, _ := newDirectory(t)
	f.failNext("users.info", fault{status: 400})
	_, err := d.Member(context.Background(), acme, "U0OWNER")
	if e, ok := errors.AsType[slack.StatusCodeError](err); !ok || e.Code != 400 {
		t.Fatalf("err = %#v", err)
	}
	if slackapi.Retryable(err) {
		t.Error("a 400 is retryable")
	}
}

func TestInvalidAuth(t *testing.T) {
	for _, c := range calls {
		t.Run(c.method, func(t *testing.T) {
			_, d, k := newDirectory(t)
			k.bad[acme] = 1 // the fake knows no workspace for this token
			err := c.do(d)
			if !errors.Is(err, slackapi.ErrInvalidAuth) {
				t.Fatalf("err = %v, want ErrInvalidAuth", err)
			}
			if e, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || e.Err != "invalid_auth" {
				t.Errorf("the Slack error is lost: %#v", err)
			}
			if slackapi.Retryable(err) {
				t.Error("Retryable = true")
			}
			if _, ok := slackapi.RetryAfter(err); ok {
				t.Error("RetryAfter on invalid_auth")
			}
			if !strings.HasPrefix(err.Error(), c.prefix) {
				t.Errorf("err = %q, want the prefix %q", err, c.prefix)
			}
		})
	}
}

func TestSlackErrors(t *testing.T) {
	for code, retryable := range map[string]bool{
		"internal_error":         true,
		"service_unavailable":    true,
		"fatal_error":            true,
		"ratelimited":            true,
		"missing_scope":          false,
		"not_allowed_token_type": false,
	} {
		f, d, _ := newDirectory(t)
		f.failNext("users.info", fault{slackError: code})
		_, err := d.Member(context.Background(), acme, "U0OWNER")
		if e, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || e.Err != code {
			t.Fatalf("%s: err = %#v", code, err)
		}
		if got := slackapi.Retryable(err); got != retryable {
			t.Errorf("%s: Retryable = %v, want %v", code, got, retryable)
		}
	}
}

func TestNetworkErrorsAreRetryable(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		f, d, _ := newDirectory(t)
		f.srv.Close()
		for _, c := range calls {
			if err := c.do(d); !slackapi.Retryable(err) {
				t.Errorf("%s: Retryable(%v) = false", c.method, err)
			}
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFakeSlack(t)
		seed(f)
		k := &tokens{asked: map[string]int{}, bad: map[string]int{}}
		d := slackapi.New(slackapi.Config{APIURL: f.apiURL(), TokenFor: k.tokenFor, Timeout: 50 * time.Millisecond}, nil)
		for _, c := range calls {
			f.failNext(c.method, fault{delay: time.Second})
			if err := c.do(d); !slackapi.Retryable(err) {
				t.Errorf("%s: Retryable(%v) = false", c.method, err)
			}
		}
	})
}

func TestCancelledIsNotRetryable(t *testing.T) {
	_, d, _ := newDirectory(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Member(ctx, acme, "U0OWNER")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if slackapi.Retryable(err) {
		t.Error("Retryable = true for a cancelled call")
	}
}

func TestRetryableOfOtherErrors(t *testing.T) {
	if slackapi.Retryable(nil) {
		t.Error("Retryable(nil)")
	}
	if slackapi.Retryable(errors.New("boom")) {
		t.Error("Retryable of a plain error")
	}
	if _, ok := slackapi.RetryAfter(errors.New("boom")); ok {
		t.Error("RetryAfter of a plain error")
	}
}
