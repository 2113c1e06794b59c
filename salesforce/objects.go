package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Organization is the org as it describes itself.
type Organization struct {
	Id               string `json:"Id"`
	Name             string `json:"Name"`
	InstanceName     string `json:"InstanceName"` // "NA1", "USGOV1S"…
	OrganizationType string `json:"OrganizationType"`
	IsSandbox        bool   `json:"IsSandbox"`
}

// GovernmentCloud says whether the org runs on Government Cloud, which its
// instance name tells even when its My Domain looks commercial: Government
// Cloud instances are named USGOV….
func (o Organization) GovernmentCloud() bool {
	return strings.HasPrefix(strings.ToUpper(o.InstanceName), "USGOV")
}

// User is a Salesforce user.
type User struct {
	Id                   string `json:"Id"`
	Username             string `json:"Username"`
	Email                string `json:"Email"`
	FederationIdentifier string `json:"FederationIdentifier"` // the SAML NameID matched against Slack's
	Name                 string `json:"Name"`
	IsActive             bool   `json:"IsActive"`
	Profile              struct {
		Name string `json:"Name"` // "System Administrator" for a system admin
	} `json:"Profile"`
}

// userFields are the fields of User, in SOQL.
const userFields = "Id, Username, Email, FederationIdentifier, Name, IsActive, Profile.Name"

// Organization returns the org's description of itself.
func (c *Client) Organization(ctx context.Context) (Organization, error) {
	return c.organization(ctx, "Organization")
}

// organization is Organization on behalf of the call op, which its errors
// name.
func (c *Client) organization(ctx context.Context, op string) (Organization, error) {
	var org Organization
	found := false
	err := queryEach(ctx, c, op, "SELECT Id, Name, InstanceName, IsSandbox, OrganizationType FROM Organization LIMIT 1", 0,
		func(orgs []Organization) error {
			org, found = orgs[0], true
			return nil
		})
	if err != nil {
		return Organization{}, err
	}
	if !found {
		return Organization{}, fmt.Errorf("salesforce %s on %s: %w", op, c.domain.Host, ErrNotFound)
	}
	return org, nil
}

// FindUser returns the user with the given id, when idOrUsername looks like
// a user id (15 or 18 letters and digits starting "005"), else the user with
// that username. No such user is an error wrapping ErrNotFound.
func (c *Client) FindUser(ctx context.Context, idOrUsername string) (User, error) {
	field := "Username"
	if looksLikeUserID(idOrUsername) {
		field = "Id"
	}
	soql := fmt.Sprintf("SELECT %s FROM User WHERE %s = %s LIMIT 1", userFields, field, Quote(idOrUsername))
	var user User
	found := false
	err := queryEach(ctx, c, "FindUser", soql, 0, func(users []User) error {
		user, found = users[0], true
		return nil
	})
	if err != nil {
		return User{}, err
	}
	if !found {
		return User{}, fmt.Errorf("salesforce FindUser on %s: no user with %s %q: %w", c.domain.Host, field, idOrUsername, ErrNotFound)
	}
	return user, nil
}

// looksLikeUserID says whether s has the shape of a User id: the key prefix
// 005, then letters and digits, 15 (case-sensitive) or 18 (case-safe) long.
func looksLikeUserID(s string) bool {
	if len(s) != 15 && len(s) != 18 || !strings.HasPrefix(s, "005") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// HasPermissionSet says whether the user is assigned the permission set
// with that API name (such as "ManageSlackConnections").
func (c *Client) HasPermissionSet(ctx context.Context, userID, permissionSetName string) (bool, error) {
	soql := fmt.Sprintf("SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = %s AND PermissionSet.Name = %s LIMIT 1",
		Quote(userID), Quote(permissionSetName))
	return c.exists(ctx, "HasPermissionSet", soql)
}

// IPRestricted says whether the org has IP restrictions (LoginIpRange
// records), which may break the features of a Slack connection. When the
// restrictions already refuse this very call, it reports true together with
// the error (which matches ErrIPRestricted): the answer is known, and so is
// the fact that the API cannot be used.
func (c *Client) IPRestricted(ctx context.Context) (bool, error) {
	has, err := c.exists(ctx, "IPRestricted", "SELECT Id FROM LoginIpRange LIMIT 1")
	if errors.Is(err, ErrIPRestricted) {
		return true, err
	}
	return has, err
}

// exists says whether a query has at least one record.
func (c *Client) exists(ctx context.Context, op, soql string) (bool, error) {
	found := false
	err := queryPages(ctx, c, op, soql, 0, func(records []json.RawMessage) error {
		found = true
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	return found, nil
}

// errStop ends a query early once its answer is known.
var errStop = errors.New("stop")
