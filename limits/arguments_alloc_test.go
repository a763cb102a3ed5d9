package limits

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// Every field of every document has its arguments checked: a field the
// contract sets no argument rules for is passed without collecting its
// arguments (a map per field, ~3% of what a dashboard allocated).
func TestFieldWithoutRulesCostsNoAllocations(t *testing.T) {
	f := &ast.Field{
		Name:             "userId",
		ObjectDefinition: &ast.Definition{Name: "Dashboard"},
		Definition:       &ast.FieldDefinition{Name: "userId"},
	}
	vars := map[string]any{"id": "u1"}
	if n := testing.AllocsPerRun(100, func() { _ = checkArguments(f, vars) }); n != 0 {
		t.Errorf("checkArguments(Dashboard.userId) allocates %v times; want 0", n)
	}
}
