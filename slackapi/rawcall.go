package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// callRaw calls a Web API method that slack-go does not decode fully, and
// fails the way slack-go does (*slack.RateLimitedError for a 429 with
// Retry-After, slack.StatusCodeError for any other non-200,
// slack.SlackErrorResponse for ok: false), so that callers and Retryable
// cannot tell the difference.
func (d *Directory) callRaw(ctx context.Context, tc *teamClient, method string, form url.Values, out interface{ Err() error }) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint+method, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The header rather than slack-go's token form field: Slack's preferred
	// way, and the token stays out of any logged body.
	req.Header.Set("Authorization", "Bearer "+tc.token)

	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" {
		// slack-go fails with a bare strconv error on a Retry-After that is
		// not seconds; here such a 429 stays a (retryable) status error.
		if secs, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64); err == nil {
			return &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		}
	}
	if resp.StatusCode != http.StatusOK {
		return slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s: %w", method, err)
	}
	return out.Err()
}
