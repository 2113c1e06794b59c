package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// postJSON POSTs body, encoded as JSON, to path (below the org's host) as
// the integration user and decodes the JSON answer into out. It shares
// getJSON's token cache and its one retry after a 401, sending the whole
// body again. A POST is retried no further here: whether repeating a write
// is safe is the caller's to know (AddObjectPermission's is, since a
// duplicate counts as done).
func (c *Client) postJSON(ctx context.Context, op, path string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("salesforce %s on %s: encoding the request: %w", op, c.domain.Host, err)
	}
	return c.withToken(ctx, op, out, func(accessToken string) (*http.Response, error) {
		return c.sendRequest(ctx, op, http.MethodPost, path, accessToken, nil, payload)
	})
}

// saveResult is the answer of a record creation: the new record's id, or
// (in the rare answers that are 2xx and yet failures) the errors.
type saveResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

// err is the failure a saveResult reports, or nil.
func (r saveResult) err(c *Client, op string) error {
	if r.Success && r.ID != "" {
		return nil
	}
	e := &APIError{Op: op, Host: c.domain.Host, StatusCode: http.StatusOK, Message: "the record was not saved"}
	if len(r.Errors) > 0 {
		e.Code, e.Message = r.Errors[0].StatusCode, r.Errors[0].Message
	}
	return e
}
