package production

import "testing"

// TestProduction runs the product's main paths on the production topology,
// in this order: each step leaves the state the next one starts from (the
// workspace T0DEMO0001 and the org acme, connected again and again).
func TestProduction(t *testing.T) {
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"DynamicConfig", testDynamicConfig},
		{"Lifecycle", testLifecycle},
		{"AutomaticMapping", testAutomaticMapping},
		{"SearchAttributeQueries", testSearchAttributeQueries},
		{"PlainSignalStopsAtTheGuard", testPlainSignalStopsAtTheGuard},
		{"CSVJobAcrossTwoWorkersOneKilled", testCSVJobWorkerKilled},
		{"ServerRestartMidApproval", testServerRestartMidApproval},
		{"SchemaAgain", testSchemaAgain},
	} {
		if !t.Run(step.name, step.run) {
			t.Fatalf("%s failed: the steps after it start from its state", step.name)
		}
	}
}
