package salesforce

import "context"

// IntegrationUser says who the connected app's own token (client
// credentials) acts as: the org's Salesforce Platform Integration user.
func (c *Client) IntegrationUser(ctx context.Context) (UserInfo, error) {
	var info UserInfo
	err := c.getJSON(ctx, "IntegrationUser", userInfoPath, nil, &info)
	return info, err
}
