package model

import (
	"fmt"
	"strings"
)

// MappingField is the Slack-side account field chosen in Step 1.
type MappingField string

// The account-mapping fields of Step 1.
const (
	MappingEmail      MappingField = "email"
	MappingSAMLNameID MappingField = "saml_nameid"
)

// ParseMappingField accepts the Step 1 mapping field, defaulting to email.
func ParseMappingField(s string) (MappingField, error) {
	switch MappingField(strings.ToLower(strings.TrimSpace(s))) {
	case "", MappingEmail:
		return MappingEmail, nil
	case MappingSAMLNameID:
		return MappingSAMLNameID, nil
	}
	return "", fmt.Errorf("mapping field %q is not one of email, saml_nameid", s)
}

// MatchingField is the Salesforce User field chosen by the Salesforce admin in
// Step 2.
type MatchingField string

// The Salesforce matching fields of Step 2.
const (
	MatchEmail                MatchingField = "Email"
	MatchFederationIdentifier MatchingField = "FederationIdentifier"
	MatchUsername             MatchingField = "Username"
)

// ParseMatchingField accepts a Step 2 matching field, case-insensitively.
func ParseMatchingField(s string) (MatchingField, error) {
	for _, f := range []MatchingField{MatchEmail, MatchFederationIdentifier, MatchUsername} {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("a matching field is required: choose Email, FederationIdentifier or Username")
	}
	return "", fmt.Errorf("matching field %q is not one of Email, FederationIdentifier, Username", s)
}
