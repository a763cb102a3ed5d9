package fastpath

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/graph"
)

// Every field reachable from Query, with every argument, is either written
// by the fast path, which then passes on every argument the schema gives
// it, or makes an operation selecting it fall back to gqlgen's executor
// with a reason: nothing is ignored. A field added to the schema is
// covered by the generated code, or counted as a fallback.
func TestEverySchemaFieldIsServedOrFallsBack(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	types := schemaTypes()
	served, fellBack := 0, 0
	var walk func(path []*ast.FieldDefinition, typeName string)
	seen := map[string]bool{}
	walk = func(path []*ast.FieldDefinition, typeName string) {
		if seen[typeName] {
			return
		}
		seen[typeName] = true
		for _, def := range schema.Types[typeName].Fields {
			if strings.HasPrefix(def.Name, "__") && def.Name != "__schema" && def.Name != "__type" {
				continue
			}
			at := append(path[:len(path):len(path)], def)
			doc := document(schema, at)
			q, errs := gqlparser.LoadQuery(schema, doc)
			if errs != nil {
				t.Fatalf("%s: %v", doc, errs)
			}
			a := analyze(q.Operations[0], types)
			name := typeName + "." + def.Name
			ft := types[typeName].fieldNamed(def.Name)
			switch {
			case ft != nil && a.reason != "":
				t.Errorf("%s is in the fast path's table, yet %s falls back (%s)", name, doc, a.reason)
			case ft == nil && a.reason == "":
				t.Errorf("%s is not in the fast path's table, yet %s does not fall back", name, doc)
			case ft == nil:
				fellBack++
				continue // introspection: its types are gqlgen's
			}
			served++
			var args []string
			for _, arg := range def.Arguments {
				args = append(args, arg.Name)
			}
			if !slices.Equal(ft.args, args) {
				t.Errorf("%s: the fast path passes on arguments %q; the schema has %q", name, ft.args, args)
			}
			if elem := schema.Types[def.Type.Name()]; elem.Kind == ast.Object {
				walk(at, elem.Name)
			}
		}
	}
	walk(nil, "Query")
	t.Logf("%d fields served, %d falling back", served, fellBack)
	if served < 40 {
		t.Errorf("only %d fields served; the walk went wrong", served)
	}
}

// fieldNamed returns t's field named name, or nil.
func (t *objectType) fieldNamed(name string) *fieldType {
	if t == nil {
		return nil
	}
	return t.fields[name]
}

// document selects the fields of path, one under the other, each with a
// value for every argument its type requires.
func document(schema *ast.Schema, path []*ast.FieldDefinition) string {
	var b strings.Builder
	b.WriteString("{ ")
	for _, def := range path {
		b.WriteString(def.Name)
		var args []string
		for _, arg := range def.Arguments {
			if arg.Type.NonNull && arg.DefaultValue == nil {
				args = append(args, arg.Name+": "+value(schema, arg.Type))
			}
		}
		if len(args) > 0 {
			b.WriteString("(" + strings.Join(args, ", ") + ")")
		}
		b.WriteString(" { ")
	}
	b.WriteString("__typename")
	b.WriteString(strings.Repeat(" }", len(path)+1))
	last := schema.Types[path[len(path)-1].Type.Name()]
	if last.Kind != ast.Object && last.Kind != ast.Interface && last.Kind != ast.Union {
		// A leaf: no selection under it.
		s := b.String()
		i := strings.LastIndex(s, "{ __typename }")
		return s[:i] + strings.TrimPrefix(s[i:], "{ __typename }")
	}
	return b.String()
}

// value is a literal of type t.
func value(schema *ast.Schema, t *ast.Type) string {
	if t.Elem != nil {
		return "[" + value(schema, t.Elem) + "]"
	}
	switch def := schema.Types[t.Name()]; {
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case t.Name() == "Int":
		return "1"
	case t.Name() == "Float":
		return "1.5"
	case t.Name() == "Boolean":
		return "true"
	default:
		return fmt.Sprintf("%q", "u1")
	}
}
