// Package workflows holds sfconnect's durable workflows:
//
//   - WorkspaceWorkflow, one per Slack workspace: the registry of its
//     connections, Step 1 (request) and the limit of 20 orgs;
//   - ConnectionWorkflow, one per workspace and Salesforce org: Step 2
//     (approve or reject), Step 3 (activate), expiry with reminders, and
//     disconnect.
//
// Message names (updates, signals, queries), workflow-ID builders and search
// attribute keys are exported constants here, next to the workflows that own
// them, and are the public interface documented in the README.
package workflows
