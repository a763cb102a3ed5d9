// Package docgen generates random GraphQL requests from a schema, for
// differential tests: documents with aliases (merged and conflicting),
// named and inline fragments, @skip, @include and @defer (with literals and
// variables, labels, nesting, fragments spread in several places), several
// root fields and operations, variables with defaults and explicit nulls,
// list coercion, the edges of Int arguments, __typename and introspection;
// then, for each document, requests: an operation to run, its variables
// and whether the client accepts incremental delivery.
//
// Everything comes from the schema (the types, fields, arguments and
// directives it declares), so new fields are covered without a change
// here; only the values are chosen for this gateway: IDs are mostly the
// simulator's users (u1..u40), sometimes unknown or invalid. Most documents
// are valid; a few are made invalid on purpose ([Document.Invalid]), and
// some requests give variables that do not coerce.
//
// A Generator is deterministic: the same schema and seed give the same
// documents and requests, in the same order. It is test support, not safe
// for concurrent use, and it does not send anything.
package docgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Generator makes documents and requests from one seeded stream.
type Generator struct {
	schema *ast.Schema
	r      *rand.Rand
}

// New returns a Generator of documents for schema, seeded by seed.
func New(schema *ast.Schema, seed uint64) *Generator {
	return &Generator{schema: schema, r: rand.New(rand.NewPCG(seed, 0x646f6367656e))}
}

// Document is a generated GraphQL document.
type Document struct {
	// Query is the document's text.
	Query string
	// Operations are the document's operations, in order.
	Operations []*Operation
	// Invalid names the defect made on purpose (an Invalid* constant), or
	// is "" when the document was meant to be valid.
	Invalid string
	// Features are what the document uses (the Feature constants).
	Features Features
}

// Operation is one operation of a Document.
type Operation struct {
	// Name is the operation's name; "" for an anonymous one.
	Name string
	// Variables are the variables it defines, those of the fragments it
	// spreads included.
	Variables []*Variable
}

// Variable is a variable definition.
type Variable struct {
	Name    string
	Type    *ast.Type
	Default string // its default value as written, "" for none
	// Use is where it was first used: "field.argument" or
	// "@directive.argument", e.g. "dashboard.userId" or "@defer.if".
	Use string
	// Strict is whether that place takes no null (its type is non-null),
	// whatever the variable's own type says.
	Strict bool
}

// Request is one request of a Document.
type Request struct {
	// Query is the document's text.
	Query string
	// OperationName selects the operation to run; "" for none.
	OperationName string
	// Variables are the request's variables as JSON values; nil for none.
	Variables map[string]any
	// Incremental is whether the client accepts incremental delivery
	// (Accept: multipart/mixed;deferSpec=20220824, application/json).
	Incremental bool
	// Features are the document's and the request's own features.
	Features Features
}

// Features is a set of Feature names.
type Features map[string]bool

func (f Features) add(names ...string) {
	for _, n := range names {
		f[n] = true
	}
}

// Sorted returns the features' names in order.
func (f Features) Sorted() []string {
	out := make([]string, 0, len(f))
	for n := range f {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Request returns a request of d: one of its operations (rarely none or
// an unknown one, when there are several), variables for it, and whether
// the client accepts incremental delivery. The same document may be sent
// many times with different requests.
func (g *Generator) Request(d *Document) Request {
	req := Request{Query: d.Query, Incremental: g.chance(50), Features: Features{}}
	for n := range d.Features {
		req.Features[n] = true
	}
	if req.Incremental {
		req.Features.add(FeatureIncremental)
	}
	op := d.Operations[g.r.IntN(len(d.Operations))]
	switch {
	case len(d.Operations) > 1 && g.chance(3):
		req.Features.add(FeatureNoOperationName)
	case len(d.Operations) > 1 && g.chance(3):
		req.OperationName = "Unknown"
		req.Features.add(FeatureUnknownOperation)
	case op.Name != "" && (len(d.Operations) > 1 || g.chance(50)):
		req.OperationName = op.Name
	}
	for _, v := range op.Variables {
		optional := !v.Type.NonNull || v.Default != ""
		switch {
		case optional && g.chance(25):
			req.Features.add(FeatureVariableOmitted)
			continue
		case optional && g.chance(20), !optional && g.chance(2):
			req.Features.add(FeatureVariableNull, "null "+v.Use)
			if v.Strict {
				req.Features.add(FeatureNullToNonNull)
			}
			setVar(&req, v.Name, nil)
			continue
		case !optional && g.chance(1):
			req.Features.add(FeatureVariableMissing)
			continue
		}
		setVar(&req, v.Name, g.value(v.Type, v.Use, req.Features))
	}
	return req
}

func setVar(req *Request, name string, v any) {
	if req.Variables == nil {
		req.Variables = map[string]any{}
	}
	req.Variables[name] = v
}

// value returns a JSON value for a variable of type t used at use.
func (g *Generator) value(t *ast.Type, use string, f Features) any {
	if t.Elem != nil {
		if g.chance(25) {
			f.add(FeatureListCoercionVariable)
			return g.value(t.Elem, use, f)
		}
		list := []any{}
		for range g.r.IntN(4) {
			list = append(list, g.value(t.Elem, use, f))
		}
		return list
	}
	if g.chance(1) {
		f.add(FeatureVariableWrongType)
		return map[string]any{"not": "a " + t.NamedType}
	}
	def := g.schema.Types[t.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[g.r.IntN(len(def.EnumValues))].Name
	case def.Kind == ast.InputObject:
		obj := map[string]any{}
		for _, fd := range def.Fields {
			if fd.Type.NonNull || g.chance(50) {
				obj[fd.Name] = g.value(fd.Type, use, f)
			}
		}
		return obj
	}
	switch t.NamedType {
	case "ID":
		return g.id(f)
	case "Int":
		n := g.int(f)
		return n
	case "Float":
		return 0.5
	case "Boolean":
		return g.chance(50)
	case "String":
		if use == "@defer.label" {
			f.add(FeatureDeferLabelVariable)
			return fmt.Sprintf("V%d", g.r.IntN(3))
		}
		return g.typeName()
	}
	return nil
}

// id returns a user id: mostly a known one, sometimes unknown or invalid.
func (g *Generator) id(f Features) string {
	switch n := g.r.IntN(100); {
	case n < 92:
		return fmt.Sprintf("u%d", 1+g.r.IntN(40))
	case n < 97:
		f.add(FeatureUnknownID)
		return "u999999"
	default:
		f.add(FeatureInvalidID)
		return []string{"..", "", strings.Repeat("x", 65)}[g.r.IntN(3)]
	}
}

// int returns an Int at the edges of the contract's `first` (0..50),
// outside them one time in ten.
func (g *Generator) int(f Features) int {
	n := []int{0, 1, 2, 10, 50}[g.r.IntN(5)]
	if g.chance(10) {
		n = []int{51, -1}[g.r.IntN(2)]
	}
	f.add(fmt.Sprintf("int %d", n))
	return n
}

// typeName returns a String: a type of the schema, sometimes not one.
func (g *Generator) typeName() string {
	if g.chance(10) {
		return "NoSuchType"
	}
	names := make([]string, 0, len(g.schema.Types))
	for n := range g.schema.Types {
		names = append(names, n)
	}
	slices.Sort(names)
	return names[g.r.IntN(len(names))]
}

// chance reports true percent times in 100.
func (g *Generator) chance(percent int) bool { return g.r.IntN(100) < percent }
