package model

import "testing"

func TestIDShapes(t *testing.T) {
	for _, c := range []struct {
		check func(string) bool
		ok    []string
		bad   []string
	}{
		{IsTeamID, []string{"T0DEMO0001", "T01"}, []string{"", "T", "T0", "t0DEMO", "T0DEMO 1", " T0DEMO0001", "E0ENT00001", "T0dEMO"}},
		{IsEnterpriseID, []string{"E0ENT00001"}, []string{"T0DEMO0001", "E", "E0ent"}},
		{IsSlackUserID, []string{"U0OWNER01", "W0123ABCD", "U0123456789A"}, []string{"U0OWNER0", "U0123456789AB", "U0OWNER01 ", "u0owner01", "X0OWNER01"}},
		{IsOrgID, []string{"00D000000000001AAA", "00D000000000001"}, []string{"00D00000000000", "00E000000000001AAA", "00D000000000001AA", "00D00000000000-AAA"}},
		{IsMyDomainName, []string{"acme", "acme--uat", "org01", "a-b"}, []string{"", "-acme", "acme-", "acme---uat", "Acme", "acme.my", "ac me"}},
	} {
		for _, s := range c.ok {
			if !c.check(s) {
				t.Errorf("%q refused", s)
			}
		}
		for _, s := range c.bad {
			if c.check(s) {
				t.Errorf("%q accepted", s)
			}
		}
	}
}
