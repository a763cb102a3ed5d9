// Command gqlgen regenerates the code that derives from schema.graphqls:
// gqlgen's executor and models (graph/), the resolvers' stubs (resolvers/),
// and, through the fastpathgen plugin, the fast path's field table and
// writers (fastpath/schema_gen.go). Run it from the module's root:
//
//	go run ./cmd/gqlgen
//
// It is gqlgen's own `generate` (configured by gqlgen.yml) with the plugin
// added; CI runs it and fails if the committed code differs.
package main

import (
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/acme/dashboard-gateway/fastpath/fastpathgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	return api.Generate(cfg, api.AddPlugin(fastpathgen.New("fastpath/schema_gen.go", "fastpath")))
}
