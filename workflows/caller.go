package workflows

// Caller is who takes a human step: the claim (As) and its proof. Every
// step's payload embeds it, so that its JSON stays flat ({"as": …,
// "proof": …}) and a payload without a proof (the stock CLI's, in sandbox
// mode) still decodes.
type Caller struct {
	As    string `json:"as"`              // Slack member id, or Salesforce user id/username
	Proof string `json:"proof,omitempty"` // a console assertion or a `starter login` token (identity package)
}
