package starter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sfconnect/sfconnect/store"
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
	if st, err := store.Open(ctx, a.env.Config.DatabaseURL); err == nil {
		if counts, err := st.CountMappings(ctx, c.ID); err == nil {
			fmt.Fprintf(out, "  %d linked and %d invited members' mappings: kept as history, they no longer give access\n",
				counts[store.StateLinked], counts[store.StateInvited])
		}
		st.Close()
	}
	if c.Banner {
		fmt.Fprintln(out, "  the Salesforce login banner in members' sidebars")
	}
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
