package workflows_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/workflows"
)

// The payloads of the stock CLI keep working: "as" and "proof" sit beside
// the step's own fields, and a payload without a proof decodes.
func TestCallerJSONIsFlat(t *testing.T) {
	var req workflows.ApproveRequest
	if err := json.Unmarshal([]byte(`{"matching_field":"Email","accept_terms":true,"as":"admin@acme.example","proof":"eyJ.x.y"}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.As != "admin@acme.example" || req.Proof != "eyJ.x.y" || req.MatchingField != "Email" {
		t.Fatalf("decoded %+v", req)
	}
	var bare workflows.ActivateRequest
	if err := json.Unmarshal([]byte(`{"as":"U0OWNER01"}`), &bare); err != nil || bare.As != "U0OWNER01" || bare.Proof != "" {
		t.Fatalf("stock payload: %+v %v", bare, err)
	}
	out, _ := json.Marshal(workflows.BannerRequest{On: true, Caller: workflows.Caller{As: "U0OWNER01"}})
	if string(out) != `{"on":true,"as":"U0OWNER01"}` {
		t.Fatalf("encoded %s", out)
	}
	for _, payload := range []any{
		workflows.ConnectionRequest{}, workflows.MigrateRequest{}, workflows.RejectRequest{}, workflows.DisconnectRequest{},
		workflows.ConnectionUpdate{}, workflows.ObjectsRequest{}, workflows.CreateWorkspaceInput{}, workflows.ImportRequest{},
		workflows.JobDecision{}, workflows.AutoMapRequest{}, workflows.AddMemberRequest{}, workflows.StartSignInRequest{},
		workflows.CompleteSignInRequest{}, workflows.ClearMemberRequest{}, workflows.SearchRequest{}, workflows.ExportRequest{},
	} {
		out, _ := json.Marshal(payload)
		if !strings.Contains(string(out), `"as":""`) || strings.Contains(string(out), "Caller") {
			t.Errorf("%T encodes as %s", payload, out)
		}
	}
}
