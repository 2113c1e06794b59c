package guard

import (
	"context"
	"errors"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/proxy"
	wf "go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sfconnect/sfconnect/codec"
)

// writesHistory are the calls by which a caller's payloads reach a
// workflow's history or a schedule: Temporal records them before any
// worker sees them, so they are checked here, at the door. The worker's own
// task calls are not in the list: the worker encodes with the codec, and its
// payloads (results, markers, failures) are not a caller's input.
var writesHistory = map[string]func() proto.Message{
	wf.WorkflowService_StartWorkflowExecution_FullMethodName:           func() proto.Message { return &wf.StartWorkflowExecutionRequest{} },
	wf.WorkflowService_SignalWorkflowExecution_FullMethodName:          func() proto.Message { return &wf.SignalWorkflowExecutionRequest{} },
	wf.WorkflowService_SignalWithStartWorkflowExecution_FullMethodName: func() proto.Message { return &wf.SignalWithStartWorkflowExecutionRequest{} },
	wf.WorkflowService_UpdateWorkflowExecution_FullMethodName:          func() proto.Message { return &wf.UpdateWorkflowExecutionRequest{} },
	wf.WorkflowService_ExecuteMultiOperation_FullMethodName:            func() proto.Message { return &wf.ExecuteMultiOperationRequest{} },
	wf.WorkflowService_TerminateWorkflowExecution_FullMethodName:       func() proto.Message { return &wf.TerminateWorkflowExecutionRequest{} },
	wf.WorkflowService_StartBatchOperation_FullMethodName:              func() proto.Message { return &wf.StartBatchOperationRequest{} },
	wf.WorkflowService_CreateSchedule_FullMethodName:                   func() proto.Message { return &wf.CreateScheduleRequest{} },
	wf.WorkflowService_UpdateSchedule_FullMethodName:                   func() proto.Message { return &wf.UpdateScheduleRequest{} },
	wf.WorkflowService_StartActivityExecution_FullMethodName:           func() proto.Message { return &wf.StartActivityExecutionRequest{} },
	// Completing an activity from outside, by its id.
	wf.WorkflowService_RecordActivityTaskHeartbeatById_FullMethodName:  func() proto.Message { return &wf.RecordActivityTaskHeartbeatByIdRequest{} },
	wf.WorkflowService_RespondActivityTaskCompletedById_FullMethodName: func() proto.Message { return &wf.RespondActivityTaskCompletedByIdRequest{} },
	wf.WorkflowService_RespondActivityTaskFailedById_FullMethodName:    func() proto.Message { return &wf.RespondActivityTaskFailedByIdRequest{} },
	wf.WorkflowService_RespondActivityTaskCanceledById_FullMethodName:  func() proto.Message { return &wf.RespondActivityTaskCanceledByIdRequest{} },
}

// errNotSealed is a payload that says it is encrypted but does not decrypt
// with the deployment's keys: forged, or from another deployment.
var errNotSealed = errors.New("is not sealed with this deployment's keys: refused before it reached Temporal, nothing of it was recorded. " +
	"Send it through this deployment's codec (--codec-endpoint)")

// check refuses a call that would record a payload the codec did not seal.
// The payload is never quoted: it may be the very email it should not show.
func (g *Guard) check(ctx context.Context, method string, body []byte) error {
	newRequest, guarded := writesHistory[method]
	if !guarded {
		return nil
	}
	req := newRequest()
	if err := proto.Unmarshal(body, req); err != nil {
		return status.Errorf(codes.InvalidArgument, "guard: %s: the request does not parse: %v", shortName(method), err)
	}
	return proxy.VisitPayloads(ctx, req, proxy.VisitPayloadsOptions{
		// Search attributes are indexed by the server, so they cannot be
		// encrypted; the product's are ids and states, never personal.
		SkipSearchAttributes: true,
		Visitor: func(vc *proxy.VisitPayloadsContext, payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
			if _, header := vc.Parent.(*commonpb.Header); header {
				// Headers carry context propagation (tracing), not input.
				return payloads, nil
			}
			for _, p := range payloads {
				if string(p.GetMetadata()[converter.MetadataEncoding]) != codec.MetadataEncodingEncrypted {
					return nil, status.Errorf(codes.InvalidArgument, "sfconnect guard: a payload of %s %v", shortName(method), codec.ErrNotEncrypted)
				}
			}
			if _, err := g.codec.Decode(payloads); err != nil {
				return nil, status.Errorf(codes.InvalidArgument, "sfconnect guard: a payload of %s %v", shortName(method), errNotSealed)
			}
			return payloads, nil
		},
	})
}

// shortName is the method's name without its service: "SignalWorkflowExecution".
func shortName(method string) string {
	return method[strings.LastIndex(method, "/")+1:]
}
