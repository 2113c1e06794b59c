// Package worker assembles sfconnect's Temporal worker: the workflows, the
// activities and the clients they use, from the configuration. cmd/worker
// runs it as a process; the integration tests run it in theirs.
package worker

import (
	"context"
	"fmt"
	"net"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/metrics"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// NewActivities builds the activities' dependencies from the configuration;
// st is the open store. It fails without a key to verify proofs of
// identity with (config.Config.SigningKey: required outside sandbox mode).
func NewActivities(cfg config.Config, st store.Store, log *zap.Logger) (*activities.Activities, error) {
	key, err := cfg.SigningKey()
	if err != nil {
		return nil, err
	}
	verifier, err := identity.NewSigner(key)
	if err != nil {
		return nil, err
	}
	id, secret := cfg.SalesforceCredentials()
	return &activities.Activities{
		Store: st,
		Slack: slackapi.New(slackapi.Config{APIURL: cfg.SlackURL(), TokenFor: cfg.SlackTokenFor, AdminToken: cfg.SlackAdminToken()}, log.Named("slack")),
		Salesforce: salesforce.NewFactory(salesforce.Config{
			ClientID: id, ClientSecret: secret, SandboxAddr: sandboxAddr(cfg),
		}, log.Named("salesforce")),
		Log:                log,
		Verifier:           verifier,
		RequireProof:       cfg.ProofRequired(),
		SignInRedirectURIs: cfg.SignInRedirectURIs(),
		ConsoleURL:         cfg.ConsoleURL,
		InviteEvery:        cfg.InviteEvery,
		Jobs:               cfg.Jobs,
	}, nil
}

func sandboxAddr(cfg config.Config) string {
	if !cfg.Sandbox() {
		return ""
	}
	return cfg.SandboxAddr()
}

// New returns a worker on sfconnect's task queue with every workflow and
// activity registered; the activities read Temporal through c.
// Every update's refusal reaches its caller as one non-retryable error
// (refusals.go).
func New(c client.Client, acts *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	if acts.Temporal == nil {
		acts.Temporal = c
	}
	opts.Interceptors = append(append([]interceptor.WorkerInterceptor(nil), opts.Interceptors...), &refusals{})
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, acts)
	return w
}

// Register registers sfconnect's workflows and activities on any registry
// (a worker, a replayer, a test environment).
func Register(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
	RegisterActivity(any)
}, acts *activities.Activities) {
	workflows.RegisterWorkflows(r)
	r.RegisterActivity(acts)
}

// Observe serves the worker's metrics — the SDK's, through opts'
// MetricsHandler, and the product's, given to acts — at addr's /metrics,
// and counts connections by state from visibility every period. It returns
// the address served and a function that stops it all. With profiling, Go's
// profiles are served beside, at /debug/pprof/.
func Observe(ctx context.Context, addr string, profiling bool, opts *client.Options, acts *activities.Activities) (func(client.Client), string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	reg := metrics.NewRegistry()
	opts.MetricsHandler = metrics.NewHandler(reg)
	acts.Metrics = metrics.NewProduct(reg)
	srv := metrics.Serve(ln, reg, profiling)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	states := make([]string, 0, len(model.States))
	for _, s := range model.States {
		if s.Live() {
			states = append(states, string(s))
		}
	}
	watch := func(c client.Client) {
		go acts.Metrics.WatchConnections(wctx, c, workflows.ConnectionWorkflowName, workflows.StateKey.GetName(), states, 15*time.Second)
	}
	stop := func() {
		cancel()
		_ = srv.Close()
	}
	return watch, ln.Addr().String(), stop, nil
}
