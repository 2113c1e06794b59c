package activities

import (
	"context"
	"errors"

	"github.com/sfconnect/sfconnect/orgurl"
	"github.com/sfconnect/sfconnect/salesforce"
)

// ResolveOrgInput names an org by the URL a Slack admin typed.
type ResolveOrgInput struct {
	URL string `json:"url"`
}

// OrgInfo is what the org says of itself.
type OrgInfo struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"` // My Domain name
	URL          string   `json:"url"`  // https://<My Domain>
	DisplayName  string   `json:"display_name"`
	InstanceName string   `json:"instance_name"`
	Sandbox      bool     `json:"sandbox"`
	IPRestricted bool     `json:"ip_restricted"`
	Warnings     []string `json:"warnings,omitempty"`
}

// WarningIPRestrictions is the warning shown on a connection whose org has
// IP restrictions (the article's third rule).
const WarningIPRestrictions = "Salesforce IP restrictions are on for this org: features that rely on the connection may not work. Turn IP restrictions off for the best experience."

// ResolveOrg checks an org URL and asks the org who it is: its id, whether it
// is a Government Cloud org (refused, whatever its domain says) and whether
// IP restrictions are on (a warning).
func (a *Activities) ResolveOrg(ctx context.Context, in ResolveOrgInput) (OrgInfo, error) {
	md, err := orgurl.Parse(in.URL)
	if err != nil {
		if errors.Is(err, orgurl.ErrGovernmentCloud) {
			return OrgInfo{}, a.classify("org URL", fromSalesforce, err)
		}
		return OrgInfo{}, refuse(ErrInvalidInput, "%v", err)
	}
	client, err := a.Salesforce.Org(md.URL())
	if err != nil {
		return OrgInfo{}, refuse(ErrInvalidInput, "%v", err)
	}
	org, err := client.Organization(ctx)
	switch {
	case errors.Is(err, salesforce.ErrNotFound):
		return OrgInfo{}, refuse(ErrOrgNotFound, "no Salesforce org answers at %s: check the My Domain URL (Setup > My Domain in Salesforce)", md.URL())
	case err != nil:
		return OrgInfo{}, a.classify("salesforce organization of "+md.Host, fromSalesforce, err)
	}
	if org.GovernmentCloud() {
		return OrgInfo{}, refuse(ErrGovernmentCloud, "%s is a Salesforce Government Cloud org (instance %s): Government Cloud orgs cannot be connected to Slack", md.URL(), org.InstanceName)
	}
	info := OrgInfo{
		ID: org.Id, Name: md.Name, URL: md.URL(), DisplayName: org.Name,
		InstanceName: org.InstanceName, Sandbox: org.IsSandbox,
	}
	restricted, err := client.IPRestricted(ctx)
	if err != nil {
		return OrgInfo{}, a.classify("salesforce IP restrictions of "+md.Host, fromSalesforce, err)
	}
	if restricted {
		info.IPRestricted = true
		info.Warnings = append(info.Warnings, WarningIPRestrictions)
	}
	return info, nil
}

// IntegrationInput names the org whose integration user to set up.
type IntegrationInput struct {
	OrgURL string `json:"org_url"`
}

// IntegrationUser is the Salesforce Platform Integration user that Slack
// acts as, and the object types its permission set opens.
type IntegrationUser struct {
	UserID   string   `json:"user_id"`
	Username string   `json:"username"`
	Objects  []string `json:"objects"`
}

// DefaultPermissionObjects are the object types the integration user's
// permission set opens by default (Salesforce channels' record types).
var DefaultPermissionObjects = []string{"Account", "Case", "Contact", "Lead", "Opportunity"}

// SetupIntegrationUser signs in as the org's integration user (client
// credentials) and reads who it is, proving the connection works end to end
// at activation.
func (a *Activities) SetupIntegrationUser(ctx context.Context, in IntegrationInput) (IntegrationUser, error) {
	client, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return IntegrationUser{}, refuse(ErrInvalidInput, "%v", err)
	}
	who, err := client.IntegrationUser(ctx)
	if err != nil {
		return IntegrationUser{}, a.classify("salesforce integration user of "+in.OrgURL, fromSalesforce, err)
	}
	return IntegrationUser{UserID: who.UserID, Username: who.PreferredUsername, Objects: DefaultPermissionObjects}, nil
}
