package sandbox

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats counts what the sandbox served, so that tests can assert how many
// calls a piece of the product made (a naive loop versus a paged one) and
// how many faults it had to survive.
type Stats struct {
	SlackRequests      int64 `json:"slack_requests"`
	SalesforceRequests int64 `json:"salesforce_requests"`
	ControlRequests    int64 `json:"control_requests"`
	// SOQLQueries counts queries parsed and run (not the later pages).
	SOQLQueries int64 `json:"soql_queries"`
	// FaultsInjected counts the requests answered with an injected error.
	FaultsInjected int64 `json:"faults_injected"`
	// FaultsByStatus splits FaultsInjected by HTTP status.
	FaultsByStatus map[int]int64 `json:"faults_by_status"`
	// SlackMethods counts served Slack calls by method (users.list…; SCIM
	// calls as scim.v2.Users).
	SlackMethods map[string]int64 `json:"slack_methods"`
	// SalesforceEndpoints counts served Salesforce calls by endpoint
	// (oauth2/token, query, queryMore, sobjects, id…).
	SalesforceEndpoints map[string]int64 `json:"salesforce_endpoints"`
}

type statsCounter struct {
	slack, salesforce, control, soql, faults atomic.Int64

	mu          sync.Mutex
	byStatus    map[int]int64
	slackByName map[string]int64
	sfByName    map[string]int64
}

func (c *statsCounter) init() {
	c.byStatus = map[int]int64{}
	c.slackByName = map[string]int64{}
	c.sfByName = map[string]int64{}
}

func (c *statsCounter) request(k surface) {
	switch k {
	case surfaceSlack:
		c.slack.Add(1)
	case surfaceSalesforce:
		c.salesforce.Add(1)
	default:
		c.control.Add(1)
	}
}

func (c *statsCounter) soqlQuery() { c.soql.Add(1) }

func (c *statsCounter) fault(status int) {
	c.faults.Add(1)
	c.mu.Lock()
	c.byStatus[status]++
	c.mu.Unlock()
}

func (c *statsCounter) slackMethod(name string) {
	_, known := slackMethods[name]
	_, admin := slackAdminMethods[name]
	if !known && !admin && name != scimStatName {
		name = "unknown"
	}
	c.mu.Lock()
	c.slackByName[name]++
	c.mu.Unlock()
}

func (c *statsCounter) salesforceEndpoint(name string) {
	c.mu.Lock()
	c.sfByName[name]++
	c.mu.Unlock()
}

// Stats returns a copy of the counters since New.
func (s *Sandbox) Stats() Stats {
	c := &s.stats
	st := Stats{
		SlackRequests:      c.slack.Load(),
		SalesforceRequests: c.salesforce.Load(),
		ControlRequests:    c.control.Load(),
		SOQLQueries:        c.soql.Load(),
		FaultsInjected:     c.faults.Load(),
	}
	c.mu.Lock()
	st.FaultsByStatus = maps.Clone(c.byStatus)
	st.SlackMethods = maps.Clone(c.slackByName)
	st.SalesforceEndpoints = maps.Clone(c.sfByName)
	c.mu.Unlock()
	return st
}
