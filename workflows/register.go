package workflows

import "go.temporal.io/sdk/workflow"

// WorkflowRegistry is what workflows register on: a worker, a replayer, a
// test environment.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
}

// RegisterWorkflows registers every workflow of sfconnect under its name,
// the one list the worker, the replayer and the tests share.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(WorkspaceWorkflow, workflow.RegisterOptions{Name: WorkspaceWorkflowName})
	r.RegisterWorkflowWithOptions(ConnectionWorkflow, workflow.RegisterOptions{Name: ConnectionWorkflowName})
	r.RegisterWorkflowWithOptions(AutoMapWorkflow, workflow.RegisterOptions{Name: AutoMapWorkflowName})
	r.RegisterWorkflowWithOptions(JobWorkflow, workflow.RegisterOptions{Name: JobWorkflowName})
	r.RegisterWorkflowWithOptions(CreateWorkspaceWorkflow, workflow.RegisterOptions{Name: CreateWorkspaceWorkflowName})
}
