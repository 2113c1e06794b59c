package identity

import "strings"

// Expect is what one step needs of a proof.
type Expect struct {
	Side Side
	// Subject is the "as" claimed. Empty: the caller compares it (a
	// Salesforce username is resolved to its user id first).
	Subject string
	// Team is a Slack step's workspace; Org a Salesforce step's org id.
	Team, Org string
	// Workflow and Step are the calling workflow's id and the update or
	// signal name: a step assertion must be bound to both.
	Workflow, Step string
}

// Check tells whether verified claims fit a step: the side, the workspace
// or org of the sign-in, the subject, and for a step assertion its
// workflow and step. A login token needs only the first three. Errors wrap
// the sentinels of this package.
func (c Claims) Check(want Expect) error {
	if c.Side != want.Side {
		return refusal(ErrWrongSide, want.Side, "this step is done on the %s side and needs a %s sign-in, not a %s one", want.Side, want.Side, c.Side)
	}
	switch want.Side {
	case SideSlack:
		if c.Team != want.Team {
			return refusal(ErrOtherWorkspace, want.Side, "the proof is of a sign-in to workspace %s, not %s", c.Team, want.Team)
		}
	case SideSalesforce:
		if !SameID(c.Org, want.Org) {
			return refusal(ErrOtherOrg, want.Side, "the proof is of a sign-in to org %s, not %s", c.Org, want.Org)
		}
	}
	if want.Subject != "" && !c.IsSubject(want.Subject) {
		return refusal(ErrOtherSubject, want.Side, "the proof is of %s, not of %s (\"as\")", c.Subject, want.Subject)
	}
	if c.Login {
		return nil
	}
	if c.Workflow != want.Workflow {
		return refusal(ErrOtherWorkflow, want.Side, "the proof is for workflow %s, not %s", c.Workflow, want.Workflow)
	}
	if c.Step != want.Step {
		return refusal(ErrOtherStep, want.Side, "the proof is for the step %q, not %q", c.Step, want.Step)
	}
	return nil
}

// IsSubject reports whether id names the claims' subject: exactly for a
// Slack member id; for a Salesforce user id, in its 15- or 18-character
// form.
func (c Claims) IsSubject(id string) bool {
	if c.Side == SideSalesforce {
		return SameID(c.Subject, id)
	}
	return c.Subject == id
}

// SameID compares Salesforce ids in their 15-character (case-sensitive)
// or 18-character (with a case-checksum suffix) forms.
func SameID(a, b string) bool {
	if len(a) >= 15 && len(b) >= 15 {
		return a[:15] == b[:15]
	}
	return a != "" && strings.EqualFold(a, b)
}
