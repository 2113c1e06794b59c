package workflows

// TaskQueue is the task queue every sfconnect worker polls.
const TaskQueue = "sfconnect"

// WorkspaceWorkflowID is the ID of a workspace's registry workflow: one per
// Slack team, so every request of a workspace meets the same limit.
func WorkspaceWorkflowID(team string) string { return "sfconnect-workspace-" + team }

// ConnectionWorkflowID is the ID of the connection between a workspace and a
// Salesforce org. It is built from the org id, not its URL, so that it stays
// the same when the org's My Domain changes.
func ConnectionWorkflowID(team, orgID string) string {
	return "sfconnect-connection-" + team + "-" + orgID
}
