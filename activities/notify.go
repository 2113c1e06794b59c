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

// Notify posts a notice through chat.postMessage, once per Key.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	if in.Key != "" && a.Store != nil {
		if _, found, err := a.Store.NoticeSent(ctx, in.Key); err != nil {
			return err
		} else if found {
			return nil
		}
	}
	text, blocks := a.noticeMessage(in)
	ts, err := a.Slack.PostBlocks(ctx, in.Team, in.Channel, text, blocks...)
	if err != nil {
		return a.classify("slack chat.postMessage to "+in.Channel, fromSlack, err)
	}
	// A crash between the post and this record would post again on retry:
	// Slack's chat.postMessage takes no idempotency key, so that window,
	// one store write wide, is as small as it gets.
	if in.Key != "" && a.Store != nil {
		if err := a.Store.RecordNotice(ctx, in.Key, ts); err != nil {
			a.Log.Sugar().Warnw("notice posted, not recorded", "channel", in.Channel, "key", in.Key, "error", err)
		}
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
