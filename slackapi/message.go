package slackapi

import (
	"context"
	"strings"

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

// NoticeEventType is the metadata event type of a notice: its payload's
// "key" is the notice's idempotency key, so that a retry can tell from
// Slack itself whether an earlier attempt posted it.
const NoticeEventType = "sfconnect_notice"

// PostNotice is PostBlocks with the notice's key in the message's
// metadata (FindNotice reads it back).
func (d *Directory) PostNotice(ctx context.Context, teamID, channel, text, key string, blocks ...slack.Block) (ts string, err error) {
	call := "chat.postMessage " + channel
	tc, err := d.client(teamID)
	if err != nil {
		return "", d.callError(teamID, nil, call, err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: NoticeEventType, EventPayload: map[string]any{"key": key}})}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	_, ts, err = tc.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", d.callError(teamID, tc, call, err)
	}
	return ts, nil
}

// noticeLookback is how many of a conversation's latest messages
// FindNotice reads: a retry comes soon after the attempt it repeats.
const noticeLookback = 50

// FindNotice looks for the notice of key among the latest messages of
// channel (for a member id, their DM with the bot: conversations.open) and
// returns its timestamp.
func (d *Directory) FindNotice(ctx context.Context, teamID, channel, key string) (ts string, found bool, err error) {
	call := "conversations.history " + channel
	tc, err := d.client(teamID)
	if err != nil {
		return "", false, d.callError(teamID, nil, call, err)
	}
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		ch, _, _, err := tc.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
		if err != nil {
			return "", false, d.callError(teamID, tc, "conversations.open "+channel, err)
		}
		channel = ch.ID
	}
	h, err := tc.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: noticeLookback, IncludeAllMetadata: true})
	if err != nil {
		return "", false, d.callError(teamID, tc, call, err)
	}
	for _, m := range h.Messages {
		if m.Metadata.EventType == NoticeEventType && m.Metadata.EventPayload["key"] == key {
			return m.Timestamp, true, nil
		}
	}
	return "", false, nil
}
