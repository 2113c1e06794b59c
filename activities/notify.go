package activities

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
)

// NotifyInput is a Slack message to a member (a DM, channel = member id) or
// a channel.
type NotifyInput struct {
	Team    string `json:"team"`
	Channel string `json:"channel"`
	Text    string `json:"text"`
	// Key is the notice's identity (workflow, kind, recipient, sequence):
	// a notice whose key was posted before is not posted again, so that a
	// retried activity tells nobody twice. Empty: no such guard (notices
	// of histories recorded before keys).
	Key string `json:"key,omitempty"`
	// Link is a path of the console ("/salesforce/00D…"): the notice links
	// to ConsoleURL + Link, in its text and as a button.
	Link string `json:"link,omitempty"`
	// LinkText is the link button's label ("Open in console" when empty).
	LinkText string `json:"link_text,omitempty"`
	// Buttons are the notice's interactive buttons, answered by the
	// console's /slack/interactivity.
	Buttons []NoticeButton `json:"buttons,omitempty"`
}

// NoticeButton is a Block Kit button of a notice.
type NoticeButton struct {
	// ActionID names what the button does (workflows.Button…).
	ActionID string `json:"action_id"`
	Text     string `json:"text"`
	// Value says what it acts on (workflows.ButtonValue).
	Value string `json:"value"`
	// Primary makes it the message's main button (green).
	Primary bool `json:"primary,omitempty"`
}

// DefaultLinkText labels a notice's link button.
const DefaultLinkText = "Open in console"

// Notify posts a notice through chat.postMessage, once per Key: the key is
// claimed in the store before the post and completed with the message's
// timestamp after it, and the message carries the key in its metadata. A
// retry that finds the claim pending (the attempt before it stopped
// between the post and the record) looks for the key in the conversation's
// latest messages before posting again.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	text, blocks := a.noticeMessage(in)
	if in.Key == "" || a.Store == nil {
		_, err := a.Slack.PostBlocks(ctx, in.Team, in.Channel, text, blocks...)
		return a.classify("slack chat.postMessage to "+in.Channel, fromSlack, err)
	}
	ts, found, err := a.Store.NoticeSent(ctx, in.Key)
	if err != nil {
		return err
	}
	switch {
	case found && ts != "":
		return nil
	case found:
		posted, ok, err := a.Slack.FindNotice(ctx, in.Team, in.Channel, in.Key)
		if err != nil {
			return a.classify("slack conversations.history of "+in.Channel, fromSlack, err)
		}
		if ok {
			return a.Store.RecordNotice(ctx, in.Key, posted)
		}
	default:
		if err := a.Store.RecordNotice(ctx, in.Key, ""); err != nil {
			return err
		}
	}
	ts, err = a.Slack.PostNotice(ctx, in.Team, in.Channel, text, in.Key, blocks...)
	if err != nil {
		return a.classify("slack chat.postMessage to "+in.Channel, fromSlack, err)
	}
	if err := a.Store.RecordNotice(ctx, in.Key, ts); err != nil {
		// Still pending: a retry finds the message by its metadata.
		a.Log.Sugar().Warnw("notice posted, not recorded", "channel", in.Channel, "key", in.Key, "error", err)
	}
	return nil
}

// consoleLink is the console's address of path.
func (a *Activities) consoleLink(path string) string {
	return strings.TrimSuffix(a.ConsoleURL, "/") + path
}

// noticeMessage renders a notice: its fallback text (with the link, for
// clients that show no blocks) and, when it has a link or buttons, its
// blocks (a section of the text, then the buttons).
func (a *Activities) noticeMessage(in NotifyInput) (string, []slack.Block) {
	if in.Link == "" && len(in.Buttons) == 0 {
		return in.Text, nil
	}
	text := in.Text
	var elems []slack.BlockElement
	for _, b := range in.Buttons {
		btn := slack.NewButtonBlockElement(b.ActionID, b.Value, slack.NewTextBlockObject(slack.PlainTextType, b.Text, false, false))
		if b.Primary {
			btn.Style = slack.StylePrimary
		}
		elems = append(elems, btn)
	}
	if in.Link != "" {
		url := a.consoleLink(in.Link)
		label := in.LinkText
		if label == "" {
			label = DefaultLinkText
		}
		text += " <" + url + "|" + label + ">"
		btn := slack.NewButtonBlockElement(ButtonOpenConsole, in.Link, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		btn.URL = url
		elems = append(elems, btn)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
		slack.NewActionBlock("sfconnect_actions", elems...),
	}
	return text, blocks
}

// ButtonOpenConsole is the action id of a notice's link button: Slack
// opens its URL and still posts the click, which the console only
// acknowledges.
const ButtonOpenConsole = "sfconnect_open_console"
