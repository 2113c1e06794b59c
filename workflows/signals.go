package workflows

import (
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/model"
)

// receiveSignal takes the next signal of ch and decodes its payload into a
// T. The SDK's Receive into a T drops a payload it cannot decode (`{"as":
// 5}` for a string), with a log line on the worker as the only trace: the
// sender, who learns nothing of a signal's fate, would never know why
// nothing happened. So the payload is received raw (the codec has
// decrypted it) and decoded here, and its decoding error comes back as a
// refusal the caller keeps as an attempt. A signal without a payload is an
// empty T.
func receiveSignal[T any](ctx workflow.Context, ch workflow.ReceiveChannel) (T, error) {
	var raw converter.RawValue
	var v T
	ch.Receive(ctx, &raw)
	if raw.Payload() == nil {
		return v, nil
	}
	if err := converter.GetDefaultDataConverter().FromPayload(raw.Payload(), &v); err != nil {
		return v, invalidInput("the signal's payload could not be read: %s", boundReason(err.Error()))
	}
	return v, nil
}

// boundReason cuts a reason that quotes what it could not read.
func boundReason(s string) string {
	const most = 300
	if len(s) <= most {
		return s
	}
	return s[:most] + "…"
}

// keepAttempt keeps a job's refused signal, the newest MaxAttempts of
// them (bounded.go), so that a sender who signals in a loop cannot grow
// its state forever.
func (j *jobRun) keepAttempt(ctx workflow.Context, action model.Action, by string, err error) {
	j.s.Attempts = keepNewest(j.s.Attempts, &j.s.AttemptsDropped, MaxAttempts,
		Attempt{At: workflow.Now(ctx), Action: action, By: by, Via: "signal", Reason: reason(err)})
}
