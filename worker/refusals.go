package worker

import (
	"errors"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// RefusalType is the error type of an update's refusal that carried none.
const RefusalType = "Refused"

// refusals makes every update's refusal read as one: a single
// non-retryable application error with the refusal's own message and
// type. Without it, a validator's plain error reached the stock temporal
// CLI as "(type: wrapError, retryable: true)", which told the approver to
// try again; and a handler's refusal carried the whole chain of the
// activity that refused it. A retry of an update can only be refused the
// same way, so none is retryable.
type refusals struct {
	interceptor.WorkerInterceptorBase
}

func (*refusals) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &refusalsInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

type refusalsInbound struct {
	interceptor.WorkflowInboundInterceptorBase
}

func (r *refusalsInbound) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	return asRefusal(r.Next.ValidateUpdate(ctx, in))
}

func (r *refusalsInbound) ExecuteUpdate(ctx workflow.Context, in *interceptor.UpdateInput) (any, error) {
	out, err := r.Next.ExecuteUpdate(ctx, in)
	return out, asRefusal(err)
}

// asRefusal is err as one non-retryable application error: the message
// and type of the first application error in its chain (the one the
// caller is shown, sfclient.Describe), else err's text and RefusalType. A
// refusal that already is one is left as it is, details included.
func asRefusal(err error) error {
	if err == nil {
		return nil
	}
	var top *temporal.ApplicationError
	if errors.As(err, &top) && top == err && top.NonRetryable() {
		return err
	}
	msg, typ := err.Error(), RefusalType
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		msg, typ = app.Message(), app.Type()
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return err // a cancellation is not a refusal
	}
	return temporal.NewNonRetryableApplicationError(msg, typ, nil)
}
