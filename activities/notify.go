package activities

import (
	"context"
)

// NotifyInput is a Slack message to a member (a DM, channel = member id) or
// a channel.
type NotifyInput struct {
	Team    string `json:"team"`
	Channel string `json:"channel"`
	Text    string `json:"text"`
}

// Notify posts a notice through chat.postMessage.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	_, err := a.Slack.PostMessage(ctx, in.Team, in.Channel, in.Text)
	return a.classify("slack chat.postMessage to "+in.Channel, fromSlack, err)
}
