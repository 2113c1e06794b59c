package starter

import (
	"context"
	"errors"
	"fmt"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

func checkTeam(team string) error {
	if !model.IsTeamID(team) {
		return usagef("--workspace %q is not a Slack workspace id (T followed by capitals and digits, e.g. T0DEMO0001)", team)
	}
	return nil
}

// sf is the client code the CLI shares with the console, on this command
// line's Temporal client.
func (a *app) sf() (*sfclient.Client, error) {
	c, err := a.temporal()
	if err != nil {
		return nil, err
	}
	return &sfclient.Client{Temporal: c, Config: a.env.Config}, nil
}

// request sends Step 1 to the workspace's registry (sfclient.Request).
func (a *app) request(ctx context.Context, team string, req workflows.ConnectionRequest) (workflows.Connection, error) {
	c, err := a.sf()
	if err != nil {
		return workflows.Connection{}, err
	}
	return c.Request(ctx, team, req)
}

// step sends one human step of a connection as an update and waits for its
// outcome.
func (a *app) step(ctx context.Context, ref orgRef, name string, payload any) (workflows.Connection, error) {
	var result workflows.Connection
	err := a.connectionUpdate(ctx, ref, name, payload, &result)
	return result, err
}

// connectionUpdate sends any update to a connection and decodes its result.
func (a *app) connectionUpdate(ctx context.Context, ref orgRef, name string, payload, result any) error {
	c, err := a.sf()
	if err != nil {
		return err
	}
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return err
	}
	err = c.ConnectionUpdate(ctx, ref.team, orgID, name, payload, result)
	if errors.Is(err, sfclient.ErrConnectionNotFound) {
		return fmt.Errorf("the connection of %s to %s does not exist or has ended (disconnected, rejected or expired): see `starter connect status --workspace %s --org %s`", ref.team, ref.org, ref.team, ref.org)
	}
	return err
}

// status queries a connection, running or ended.
func (a *app) status(ctx context.Context, ref orgRef) (workflows.Connection, error) {
	c, err := a.sf()
	if err != nil {
		return workflows.Connection{}, err
	}
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return workflows.Connection{}, err
	}
	conn, err := c.Status(ctx, ref.team, orgID)
	if errors.Is(err, sfclient.ErrConnectionNotFound) {
		return conn, fmt.Errorf("status of the connection of %s to %s: %w", ref.team, ref.org, err)
	}
	return conn, err
}
