package salesforce

import "context"

// Health checks that the org still answers at the Client's My Domain and
// returns its description (the Organization query). When the org's URL
// changed, the old My Domain redirects, and Health fails with a
// *DomainMovedError naming the new one (SPEC rule 4: the connection is
// then needs_update, and the new URL's Client, from Factory.Org, reaches
// the same org id). When the org's IP restrictions refuse the product, the
// error matches ErrIPRestricted. Neither is Retryable.
func (c *Client) Health(ctx context.Context) (Organization, error) {
	return c.organization(ctx, "Health")
}
