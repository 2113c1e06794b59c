package starter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
)

// errNotConfirmed is a disconnect the operator did not confirm.
var errNotConfirmed = errors.New("not disconnected: confirm with y, or pass --yes to disconnect without the question")

// confirmDisconnect shows what a disconnect removes and asks before doing it,
// as the article's "review the details, then click Disconnect".
func (a *app) confirmDisconnect(ctx context.Context, ref orgRef) error {
	c, err := a.status(ctx, ref)
	if err != nil {
		return err
	}
	out := a.env.Err
	fmt.Fprintln(out, "This removes the connection:")
	fmt.Fprintf(out, "  %s ↔ %s (%s) %s, %s\n", c.Workspace, c.OrgName, c.OrgID, c.OrgURL, c.State)
	if c.IntegrationUser != "" {
		fmt.Fprintf(out, "  integration user %s and its permission set (%s)\n", c.IntegrationUser, strings.Join(c.PermissionObjects, ", "))
	}
	fmt.Fprintln(out, "  members' mappings are kept as history but no longer give access")
	fmt.Fprint(out, "Disconnect? [y/N] ")
	if a.env.In == nil {
		return errNotConfirmed
	}
	answer, _ := bufio.NewReader(a.env.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errNotConfirmed
}
