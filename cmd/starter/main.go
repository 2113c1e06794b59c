// Command starter is the operators' CLI of sfconnect (see package starter).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/logging"
	"github.com/sfconnect/sfconnect/starter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(starter.ExitUsage)
	}
	os.Exit(starter.Run(ctx, os.Args[1:], starter.Env{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Config: cfg,
		Dial: func() (client.Client, error) {
			// The CLI's output is for people: the SDK's own log lines stay out of it.
			opts, err := cfg.ClientOptions(logging.Temporal(zap.NewNop()))
			if err != nil {
				return nil, err
			}
			return client.Dial(opts)
		},
	}))
}
