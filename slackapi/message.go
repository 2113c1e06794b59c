package slackapi

import (
	"context"

	"github.com/slack-go/slack"
)

// PostMessage posts text to channel (a channel id, or a user id for a direct
// message from the bot) in teamID (chat.postMessage) and returns the
// message's timestamp. text is Slack mrkdwn, sent unescaped so that
// mentions such as <@U123> work; parts that come from users must be escaped
// by the caller (slackutilsx.EscapeMessage).
func (d *Directory) PostMessage(ctx context.Context, teamID, channel, text string) (ts string, err error) {
	call := "chat.postMessage " + channel
	tc, err := d.client(teamID)
	if err != nil {
		return "", d.callError(teamID, nil, call, err)
	}
	_, ts, err = tc.api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false))
	if err != nil {
		return "", d.callError(teamID, tc, call, err)
	}
	return ts, nil
}
