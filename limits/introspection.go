package limits

import "github.com/vektah/gqlparser/v2/ast"

// IntrospectionWeight is what each field of an introspection answer
// (under __schema or __type) costs. The schema is known, so the count is
// exact: the fields the answer will have, walking the schema as the
// executor will. Each costs 10 because introspection runs on gqlgen's
// executor, not the fast path: ten aliased __schema reading every type's
// fields (8,641 fields) took 35 ms and 9 MB, about ten times a dashboard
// field's cost (docs/security.md#introspection-cost). GraphiQL's schema
// query (1,673 fields here) costs 16,730.
const IntrospectionWeight = 10

// introspection returns what the answer of the introspection field f
// (Query.__schema or Query.__type) costs, at most c.introLeft fields
// counted: past them the cost is saturated, and the walk stops. Without a
// schema, f costs its selection's fields as written, weighted.
func (c *coster) introspection(f *ast.Field) int64 {
	var root any
	obj := f.Definition.Type.Name()
	if c.schema == nil {
		return sat(1, satMul(IntrospectionWeight, written(f.SelectionSet)))
	}
	switch obj {
	case "__Schema":
		root = c.schema
	case "__Type":
		name, _ := argument(f, "name", c.vars).(string)
		def := c.schema.Types[name]
		if def == nil {
			return IntrospectionWeight // null
		}
		root = def
	}
	n := c.walk(f.SelectionSet, obj, root)
	if c.introLeft < 0 {
		return maxCount
	}
	return satMul(IntrospectionWeight, 1+n)
}

// written counts the fields of set as written, fragments included.
func written(set ast.SelectionSet) int64 {
	var n int64
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n = sat(n, sat(1, written(sel.SelectionSet)))
		case *ast.InlineFragment:
			n = sat(n, written(sel.SelectionSet))
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				n = sat(n, written(sel.Definition.SelectionSet))
			}
		}
	}
	return n
}

// walk counts the fields of the answer of set on v, a value of the
// introspection type obj, until c.introLeft runs out.
func (c *coster) walk(set ast.SelectionSet, obj string, v any) int64 {
	var n int64
	for _, sel := range set {
		if c.introLeft < 0 {
			return n
		}
		switch sel := sel.(type) {
		case *ast.Field:
			c.introLeft--
			n++
			kind, items := c.members(obj, v, sel.Name)
			for _, item := range items {
				n += c.walk(sel.SelectionSet, kind, item)
			}
		case *ast.InlineFragment:
			n += c.walk(sel.SelectionSet, obj, v)
		case *ast.FragmentSpread:
			if sel.Definition != nil {
				n += c.walk(sel.Definition.SelectionSet, obj, v)
			}
		}
	}
	return n
}

// members returns the introspection type of the field name of v (of type
// obj) and its values: none for a scalar or a null, one for an object,
// each element of a list.
func (c *coster) members(obj string, v any, name string) (string, []any) {
	switch obj + "." + name {
	case "__Schema.types":
		return "__Type", values(c.schema.Types)
	case "__Schema.queryType":
		return "__Type", one(c.schema.Query)
	case "__Schema.mutationType":
		return "__Type", one(c.schema.Mutation)
	case "__Schema.subscriptionType":
		return "__Type", one(c.schema.Subscription)
	case "__Schema.directives":
		return "__Directive", values(c.schema.Directives)
	case "__Directive.args":
		return "__InputValue", each(v.(*ast.DirectiveDefinition).Arguments)
	case "__Field.args":
		return "__InputValue", each(v.(*ast.FieldDefinition).Arguments)
	case "__Field.type":
		return "__Type", []any{v.(*ast.FieldDefinition).Type}
	case "__InputValue.type":
		switch v := v.(type) {
		case *ast.ArgumentDefinition:
			return "__Type", []any{v.Type}
		case *ast.FieldDefinition:
			return "__Type", []any{v.Type}
		}
	case "__Type.ofType":
		if t, ok := v.(*ast.Type); ok {
			if t.NonNull {
				inner := *t
				inner.NonNull = false
				return "__Type", []any{&inner}
			}
			if t.Elem != nil {
				return "__Type", []any{t.Elem}
			}
		}
	case "__Type.fields", "__Type.inputFields", "__Type.enumValues", "__Type.interfaces", "__Type.possibleTypes":
		return c.typeMembers(v, name)
	}
	return "", nil
}

// typeMembers returns the list name of the __Type v: a named type's (a
// type reference without wrappers is its definition's), none of a list
// or non-null wrapper.
func (c *coster) typeMembers(v any, name string) (string, []any) {
	def, ok := v.(*ast.Definition)
	if t, isRef := v.(*ast.Type); isRef && !t.NonNull && t.Elem == nil {
		def, ok = c.schema.Types[t.NamedType], true
	}
	if !ok || def == nil {
		return "", nil
	}
	switch name {
	case "fields":
		if def.Kind == ast.Object || def.Kind == ast.Interface {
			return "__Field", each(def.Fields)
		}
	case "inputFields":
		if def.Kind == ast.InputObject {
			return "__InputValue", each(def.Fields)
		}
	case "enumValues":
		return "__EnumValue", each(def.EnumValues)
	case "interfaces":
		items := make([]any, 0, len(def.Interfaces))
		for _, i := range def.Interfaces {
			items = append(items, c.schema.Types[i])
		}
		return "__Type", items
	case "possibleTypes":
		return "__Type", each(c.schema.PossibleTypes[def.Name])
	}
	return "", nil
}

func one(def *ast.Definition) []any {
	if def == nil {
		return nil
	}
	return []any{def}
}

func each[T any](list []T) []any {
	items := make([]any, len(list))
	for i, x := range list {
		items[i] = x
	}
	return items
}

// values returns m's values as a list of introspection values.
func values[V any](m map[string]V) []any {
	out := make([]any, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
