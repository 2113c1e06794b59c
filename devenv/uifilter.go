package devenv

// UIFilterExample is the Web UI list filter the default run's banner
// suggests: Temporal's list filter syntax joins conditions with AND (a
// comma is malformed SQL to it). testsuite checks it, and the README's
// queries, against the dev server.
const UIFilterExample = `SfWorkspace = "T0DEMO0001" AND SfState = "pending_approval"`
