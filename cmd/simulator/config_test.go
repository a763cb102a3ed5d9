package main

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/simulator"
)

func TestParseConfig(t *testing.T) {
	longtail := simulator.Behavior{Latency: simulator.Latency{
		Min: 15 * time.Millisecond, Max: 25 * time.Millisecond, TailShare: 0.02, Tail: 800 * time.Millisecond,
	}}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config // behaviors compared for the services listed in it
	}{
		{"defaults", nil, nil, config{
			host: "127.0.0.1", basePort: 9101, seed: 1, preset: "seed",
			behaviors: simulator.Seed(),
		}},
		{"flags", []string{"-host", "0.0.0.0", "-base-port", "9200", "-seed", "7", "-preset", "healthy", "-require-headers"}, nil, config{
			host: "0.0.0.0", basePort: 9200, seed: 7, preset: "healthy", requireHeaders: true,
			behaviors: map[string]simulator.Behavior{simulator.Orders: {}},
		}},
		{"environment", nil, map[string]string{"SIM_HOST": "::1", "SIM_BASE_PORT": "0", "SIM_SEED": "3", "SIM_PRESET": "longtail", "SIM_REQUIRE_HEADERS": "true"}, config{
			host: "::1", basePort: 0, seed: 3, preset: "longtail", requireHeaders: true,
			behaviors: map[string]simulator.Behavior{simulator.Wallet: longtail},
		}},
		{"flag wins", []string{"-seed", "5", "-orders", "fault=hang"}, map[string]string{"SIM_SEED": "4", "SIM_ORDERS": "fault=reset"}, config{
			host: "127.0.0.1", basePort: 9101, seed: 5, preset: "seed",
			behaviors: map[string]simulator.Behavior{simulator.Orders: {Fault: simulator.FaultHang}},
		}},
		{"service overrides preset", []string{"-preset", "longtail", "-wallet", "", "-catalog", "fault=500@10%"}, nil, config{
			host: "127.0.0.1", basePort: 9101, seed: 1, preset: "longtail",
			behaviors: map[string]simulator.Behavior{
				simulator.Wallet:  {},
				simulator.Catalog: {Fault: simulator.FaultStatus500, FaultRate: 0.1},
				simulator.Profile: longtail,
			},
		}},
		{"fault count", []string{"-orders", "fault=503x2,latency=5ms"}, nil, config{
			host: "127.0.0.1", basePort: 9101, seed: 1, preset: "seed",
			behaviors: map[string]simulator.Behavior{
				simulator.Orders: {Latency: simulator.Latency{Min: 5 * time.Millisecond}, Fault: simulator.FaultStatus503, FaultCalls: 2},
			},
		}},
		{"service from environment", nil, map[string]string{"SIM_RECOMMENDATIONS": "latency=5ms"}, config{
			host: "127.0.0.1", basePort: 9101, seed: 1, preset: "seed",
			behaviors: map[string]simulator.Behavior{
				simulator.Recommendations: {Latency: simulator.Latency{Min: 5 * time.Millisecond}},
				simulator.Orders:          simulator.Seed()[simulator.Orders],
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("parseConfig(%q, %v): %v", tt.args, tt.env, err)
			}
			if got.host != tt.want.host || got.basePort != tt.want.basePort || got.seed != tt.want.seed ||
				got.preset != tt.want.preset || got.requireHeaders != tt.want.requireHeaders {
				t.Errorf("parseConfig(%q, %v) = %+v; want %+v", tt.args, tt.env, *got, tt.want)
			}
			for svc, want := range tt.want.behaviors {
				if got.behaviors[svc] != want {
					t.Errorf("parseConfig(%q, %v) %s behaviour %q; want %q", tt.args, tt.env, svc, got.behaviors[svc], want)
				}
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantFlag string
	}{
		{"bad port", []string{"-base-port", "http"}, nil, "-base-port"},
		{"port out of range", []string{"-base-port", strconv.Itoa(simulator.MaxBasePort() + 1)}, nil, "-base-port"},
		{"bad seed", []string{"-seed", "-1"}, nil, "-seed"},
		{"bad preset", []string{"-preset", "chaos"}, nil, "-preset"},
		{"bad behaviour", []string{"-orders", "fault=teapot"}, nil, "-orders"},
		{"bad bool", []string{"-require-headers=maybe"}, nil, "-require-headers"},
		{"unknown flag", []string{"-billing", "x"}, nil, "-billing"},
		{"argument", []string{"extra"}, nil, `"extra"`},
		{"bad environment", nil, map[string]string{"SIM_BASE_PORT": "x"}, "SIM_BASE_PORT for -base-port"},
		{"bad behaviour in environment", nil, map[string]string{"SIM_WALLET": "latency=soon"}, "SIM_WALLET for -wallet"},
		{"share and count", []string{"-catalog", "fault=500x2@10%"}, nil, "-catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantFlag) {
				t.Errorf("parseConfig(%q, %v) error %v; want one naming %s", tt.args, tt.env, err, tt.wantFlag)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	cfg, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &out)
	if cfg != nil || err != nil || !strings.Contains(out.String(), "-base-port") || !strings.Contains(out.String(), "fault=503x2") {
		t.Errorf("parseConfig(-h) = %v, %v, printed %q; want nil, nil and the usage", cfg, err, out.String())
	}
}
