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
	return d.PostBlocks(ctx, teamID, channel, text)
}

// PostBlocks posts a message of Block Kit blocks to channel; text is the
// message's fallback (notifications, screen readers) and is required by
// Slack alongside blocks. With no blocks it is PostMessage.
func (d *Directory) PostBlocks(ctx context.Context, teamID, channel, text string, blocks ...slack.Block) (ts string, err error) {
	call := "chat.postMessage " + channel
	tc, err := d.client(teamID)
	if err != nil {
		return "", d.callError(teamID, nil, call, err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	_, ts, err = tc.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", d.callError(teamID, tc, call, err)
	}
	return ts, nil
}

// UpdateBlocks replaces the text and blocks of the message ts in channel
// (chat.update): a notice that shows the outcome of its button.
func (d *Directory) UpdateBlocks(ctx context.Context, teamID, channel, ts, text string, blocks ...slack.Block) error {
	call := "chat.update " + channel
	tc, err := d.client(teamID)
	if err != nil {
		return d.callError(teamID, nil, call, err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if _, _, _, err := tc.api.UpdateMessageContext(ctx, channel, ts, opts...); err != nil {
		return d.callError(teamID, tc, call, err)
	}
	return nil
}
