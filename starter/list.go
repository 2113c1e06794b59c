package starter

import (
	"context"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
)

// list reads connections from Temporal's visibility, newest first.
func (a *app) list(ctx context.Context, team string, state model.State) ([]sfclient.ConnectionRow, error) {
	c, err := a.sf()
	if err != nil {
		return nil, err
	}
	return c.List(ctx, sfclient.Filter{Team: team, State: state})
}
