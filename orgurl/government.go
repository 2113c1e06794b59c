package orgurl

import (
	"net"
	"strings"
)

// governmentDomains are the DNS domains Salesforce serves Government Cloud
// Plus orgs from (".mil" for Defense, "-gov.com" for the others). An org on
// any host below one of them cannot be connected to Slack. Government Cloud
// orgs on ordinary my.salesforce.com hosts exist too; those are only told
// apart by what the org says of itself (its InstanceName), which the
// salesforce package checks.
var governmentDomains = []string{
	"salesforce.mil",
	"force.mil",
	"crmforce.mil",
	"cloudforce.mil",
	"visualforce.mil",
	"salesforce-setup.mil",
	"salesforce-sites.mil",
	"salesforce-gov.com",
	"force-gov.com",
	"crmforce-gov.com",
	"cloudforce-gov.com",
	"visualforce-gov.com",
	"salesforce-setup-gov.com",
	"salesforce-sites-gov.com",
	"site-gov.com",
}

// IsGovernmentCloudHost says whether host (a host name, case-insensitive,
// with or without a port or the trailing dot) is on one of the domains
// Salesforce serves Government Cloud orgs from, such as
// "agency.my.salesforce.mil".
func IsGovernmentCloudHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, d := range governmentDomains {
		// Matching on a label boundary keeps "salesforce.mil.example" and
		// "notsalesforce.mil" out.
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
