package slackapi_test

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/sfconnect/sfconnect/slackapi"
)

// The demo workspaces: ACME on an Enterprise organization, BETA on Pro.
const (
	acme = "T0ACME"
	beta = "T0BETA"
	org  = "E0ORG"
)

// seed fills f with the two workspaces and their members.
func seed(f *fakeSlack) {
	f.addTeam(wireTeam{ID: acme, Name: "Acme", Domain: "acme", EnterpriseID: org, EnterpriseName: "Acme Group", Plan: "enterprise"})
	f.addTeam(wireTeam{ID: beta, Name: "Beta", Domain: "beta", Plan: "pro"})

	noFields := []any{}
	f.addUsers(acme,
		wireUser{
			ID: "U0OWNER", TeamID: acme, Name: "olivia", IsPrimaryOwner: true, IsOwner: true, IsAdmin: true,
			Profile: wireProfile{Email: "olivia@acme.test", RealName: "Olivia Owner", DisplayName: "olivia",
				Fields: map[string]wireField{slackapi.SAMLNameIDField: {Value: "olivia.owner@idp.acme.test"}, "Xf0OTHER": {Value: "x"}}},
			EnterpriseUser: &wireEnterprise{ID: "W0OWNER", EnterpriseID: org, EnterpriseName: "Acme Group", IsOwner: true, IsAdmin: true, Teams: []string{acme}},
		},
		wireUser{
			ID: "U0ADMIN", TeamID: acme, Name: "adam", IsAdmin: true,
			Profile:        wireProfile{Email: "adam@acme.test", RealName: "Adam Admin", Fields: noFields},
			EnterpriseUser: &wireEnterprise{ID: "W0ADMIN", EnterpriseID: org, IsAdmin: true, Teams: []string{acme}},
		},
		// No team_id and no top-level real_name: slackapi fills them in.
		wireUser{ID: "U0MEMBER", Name: "mia", Profile: wireProfile{Email: "mia@acme.test", RealName: "Mia Member", Fields: noFields}},
		wireUser{ID: "U0GONE", TeamID: acme, Name: "gus", Deleted: true, Profile: wireProfile{RealName: "Gus Gone", Fields: noFields}},
		wireUser{ID: "U0BOT", TeamID: acme, Name: "bot", IsBot: true, Profile: wireProfile{RealName: "Bot", Fields: noFields}},
	)
	f.addUsers(beta, wireUser{ID: "U1BETA", TeamID: beta, Name: "bea", Profile: wireProfile{Email: "bea@beta.test", RealName: "Bea", Fields: noFields}})
}

// tokens is a Config.TokenFor that counts its calls; bad, when set, is
// handed out instead of the real token for the next calls.
type tokens struct {
	mu    sync.Mutex
	asked map[string]int
	bad   map[string]int // team → how many bad tokens still to hand out
}

func (k *tokens) tokenFor(teamID string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.asked[teamID]++
	if k.bad[teamID] > 0 {
		k.bad[teamID]--
		return "xoxb-revoked", nil
	}
	return "xoxb-sandbox-" + teamID, nil
}

func (k *tokens) count(teamID string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.asked[teamID]
}

// newDirectory returns a seeded fake Slack and a Directory pointed at it.
func newDirectory(t *testing.T) (*fakeSlack, *slackapi.Directory, *tokens) {
	t.Helper()
	f := newFakeSlack(t)
	seed(f)
	k := &tokens{asked: map[string]int{}, bad: map[string]int{}}
	d := slackapi.New(slackapi.Config{APIURL: f.apiURL(), TokenFor: k.tokenFor, Timeout: 2 * time.Second}, zaptest.NewLogger(t))
	return f, d, k
}
