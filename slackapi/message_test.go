package slackapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/slack-go/slack"

	"github.com/sfconnect/sfconnect/slackapi"
)

func TestPostMessage(t *testing.T) {
	f, d, _ := newDirectory(t)
	text := "<@U0OWNER> asks to connect *acme* & waits for you"
	ts, err := d.PostMessage(context.Background(), acme, "C0NOTICES", text)
	if err != nil {
		t.Fatal(err)
	}
	got := f.posted()
	if len(got) != 1 {
		t.Fatalf("posted %v", got)
	}
	want := fakeMessage{team: acme, channel: "C0NOTICES", text: text, ts: ts}
	if got[0] != want || ts == "" {
		t.Errorf("posted %+v, want %+v", got[0], want)
	}
}

func TestPostMessageRefused(t *testing.T) {
	_, d, _ := newDirectory(t)
	_, err := d.PostMessage(context.Background(), beta, "", "hello")
	if e, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || e.Err != "channel_not_found" {
		t.Fatalf("err = %v", err)
	}
	if slackapi.Retryable(err) {
		t.Error("channel_not_found is retryable")
	}
}
