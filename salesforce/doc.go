// Package salesforce is sfconnect's client of the Salesforce REST API, one
// org (one My Domain) at a time, over OAuth 2.0.
//
// A Factory holds the connected app's credentials and one HTTP client;
// Factory.Org gives the Client of an org, refusing any URL that orgurl
// refuses, so that no request (and no client secret) ever goes to a host
// that is not Salesforce's. The Client gets its integration token with the
// client credentials flow at the org's own token endpoint, pages SOQL
// queries through nextRecordsUrl, answers the product's questions about the
// org (Organization, Health, FindUser, HasPermissionSet, IPRestricted),
// manages the integration user's permission set (PermissionSetObjects,
// ObjectTypes, AddObjectPermission), and runs the authorization code flow
// that identifies a Salesforce user (AuthCodeURL, ExchangeCode, UserInfo).
//
// With Config.SandboxAddr set, every Salesforce host is dialled at that one
// address over plain HTTP while requests keep naming the My Domain in their
// Host header, which is how the sandbox tells orgs apart: the code and its
// URL checks are the same as against Salesforce, only the address differs.
//
// Errors say which call failed on which org. Salesforce's refusals are
// *APIError values that match the sentinels ErrNotFound, ErrRateLimited,
// ErrUnavailable, ErrUnauthorized and ErrIPRestricted through errors.Is; a
// moved My Domain is a *DomainMovedError; Retryable and RetryAfter classify
// any of them for the activities' retry policies.
package salesforce
