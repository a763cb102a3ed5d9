// Command otelcol is a minimal OpenTelemetry Collector for developing and
// testing the gateway's tracing: an OTLP receiver (HTTP and gRPC) and a file
// exporter that writes OTLP JSON lines. It is built from the Collector's Go
// modules in this separate module, so the gateway's own module never depends
// on the Collector. It is not a production collector: it has no processors,
// no extensions and no other exporters.
//
// Run it with a config file, as any collector:
//
//	go run . --config config.example.yaml
//	go run . validate --config config.example.yaml
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/otelcol"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		// The command has printed the error already.
		os.Exit(1)
	}
}

// run executes the Collector's own command (run, validate, components,
// featuregate) with args.
func run(args []string) error {
	cmd := otelcol.NewCommand(otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{
			Command:     "otelcol",
			Description: "Minimal OpenTelemetry Collector for the dashboard gateway's development and tests",
			Version:     "dev",
		},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				// file: for --config paths, env: for ${env:VAR} in a config.
				ProviderFactories: []confmap.ProviderFactory{
					fileprovider.NewFactory(),
					envprovider.NewFactory(),
				},
				DefaultScheme: "env",
			},
		},
	})
	cmd.SetArgs(args)
	return cmd.Execute()
}
