package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/acme/dashboard-gateway/envflag"
	"github.com/acme/dashboard-gateway/simulator"
)

// config is what the flags and environment say.
type config struct {
	host           string
	basePort       int
	seed           uint64
	preset         string
	requireHeaders bool
	behaviors      map[string]simulator.Behavior // the preset with the per-service flags applied
}

// parseConfig reads the flags in args over the environment from getenv.
// It returns nil and no error when help was asked for.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.host, "host", "127.0.0.1", "`address` to listen on")
	services := simulator.Services()
	fs.IntVar(&cfg.basePort, "base-port", 9101, "`port` of the "+services[0]+" service; the others follow in order "+
		strings.Join(services, ", ")+"; 0 picks free ports")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the latency, fault and batch-order draws")
	fs.StringVar(&cfg.preset, "preset", "seed", "starting behaviour of every service: "+strings.Join(simulator.PresetNames(), ", ")+" (package simulator's Preset)")
	fs.BoolVar(&cfg.requireHeaders, "require-headers", false, "answer 400 when X-Request-Id or X-Timeout-Ms is missing or bad")
	overrides := make(map[string]simulator.Behavior)
	for _, svc := range services {
		fs.Func(svc, "behaviour `spec` of the "+svc+" service, overriding the preset, "+
			`e.g. "latency=100ms..1s,tail=2%:800ms,fault=500@30%", or "fault=503x2" to fail `+
			`only the first 2 calls; "" is healthy`,
			func(spec string) error {
				b, err := simulator.ParseBehavior(spec)
				overrides[svc] = b
				return err
			})
	}

	if err := envflag.Apply(fs, getenv, envName); err != nil {
		if e, ok := errors.AsType[*envflag.Error](err); ok {
			return nil, fmt.Errorf("environment %s for -%s: %w", e.Var, e.Flag, e.Err)
		}
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	behaviors, ok := simulator.Preset(cfg.preset)
	if !ok {
		return nil, fmt.Errorf("-preset: unknown preset %q (want %s)", cfg.preset, strings.Join(simulator.PresetNames(), ", "))
	}
	if maxPort := simulator.MaxBasePort(); cfg.basePort < 0 || cfg.basePort > maxPort {
		return nil, fmt.Errorf("-base-port: %d is not a port from 0 to %d", cfg.basePort, maxPort)
	}
	cfg.behaviors = behaviors
	for svc, b := range overrides {
		cfg.behaviors[svc] = b
	}
	return cfg, nil
}

// envName is the environment variable of a flag: SIM_BASE_PORT for base-port.
// The prefix keeps generic names such as HOST (set by some shells) and
// PROFILE from reaching the simulator by accident.
func envName(flagName string) string {
	return "SIM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
