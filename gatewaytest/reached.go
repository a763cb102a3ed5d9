package gatewaytest

import (
	"strings"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/graph"
)

// Reached returns the services a GraphQL request can reach, in the order
// of contract.Services: those that back a field (contract.Service.Fields)
// the schema has. A service declared ahead of its field is configured and
// simulated, but no request calls it, so the end-to-end tests that expect
// a call to every service (or a failing field for each) go over these.
func Reached() []string {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var out []string
	for _, s := range contract.Services() {
		for _, f := range s.Fields {
			typ, name, _ := strings.Cut(f, ".")
			if def := schema.Types[typ]; def != nil && def.Fields.ForName(name) != nil {
				out = append(out, s.Name)
				break
			}
		}
	}
	return out
}
