package fastpath

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The schema as the generated code knows it (schema_gen.go): every object
// type, its fields, how each one's value is had, and its writer.
type (
	objectType struct {
		name   string
		fields map[string]*fieldType
		// async: some field is a resolver, so the type's deferred
		// fragments are worth a part of their own (see compiler.deferred).
		async bool
		// write writes an object of the type (see writer): obj is its Go
		// value, as its fields' resolvers take it.
		write func(w *writer, sel *selection, obj any, n *node, group int) bool
	}
	fieldType struct {
		id     int    // its case in its type's writer
		object string // the type it belongs to
		name   string
		// elem names the field's type, unwrapped, when it is an object
		// type: its selection is planned.
		elem string
		kind fieldKind
		// resolve calls the field's resolver with its arguments (kindResolver).
		resolve func(ctx context.Context, x *execution, f *field, obj any) (any, error)
		// batch calls the field's batch resolver for a list of objects
		// (kindBatch): a result or an error for each.
		batch func(ctx context.Context, x *execution, f *field, parents []any) ([]any, error)
		// get returns the field's value when it is not a resolver's, for
		// the resolvers below it (kindPlain, object-typed fields).
		get func(ctx context.Context, x *execution, f *field, obj any) (any, error)
		// source is what a null of it comes from, for the error
		// reporting one in a non-null position.
		source graphql.NullSource
		// args are the arguments the generated code passes on: all of the
		// schema's.
		args []string
	}
)

// fieldKind is how a field's value is had.
type fieldKind uint8

const (
	// kindPlain: a struct field, or a method without a context, read while
	// writing.
	kindPlain fieldKind = iota
	// kindResolver: one of gqlgen's resolvers, or a method with a context:
	// resolved concurrently with the others before anything is written.
	kindResolver
	// kindBatch: one of gqlgen's batch resolvers: resolved once for the
	// objects of a list (gqlgen's batch: true), concurrently with the rest.
	kindBatch
	// kindTypename: __typename.
	kindTypename
)

// typename is every object type's __typename.
var typename = &fieldType{name: "__typename", kind: kindTypename}

// A plan is an operation with its selections collected and merged once, as
// GraphQL's CollectFields would for each object at run time: fragments and
// inline fragments expanded, @skip and @include decided (a plan is for one
// outcome of the operation's conditions), fields of the same response key
// merged, in the order of their first occurrence.
//
// For a client that takes incremental delivery, a plan may split an
// object's fields into groups: group 0 goes with its object, group g > 0 is
// the deferred fragments labelled labels[g-1], sent in a part of their own
// once their fields resolve (defer.go).
type plan struct {
	root   *selection // of Query
	labels []string   // of the deferred groups, by group - 1
	size   int        // bytes, roughly: what keeping it costs, its document included once cached
}

// selection is the merged selection of one object.
type selection struct {
	fields []*field
	// groups lists the deferred groups among fields, each once.
	groups []int
	// visit: some field is a resolver, has one below it, or is deferred:
	// the object is visited before writing (run.go).
	visit bool
	// batches: some field is a batch resolver's, resolved once for every
	// object of a list (batch.go).
	batches bool
}

// field is one response key of a selection.
type field struct {
	typ    *fieldType
	key    string
	quoted []byte          // `"key":`, written before the value
	elem   ast.PathElement // key in a path, made once: boxing it costs an allocation
	ast    *ast.Field      // its first occurrence: arguments and position
	// sels are the selection sets of every occurrence, as gqlgen's
	// CollectFields gives them to its resolvers.
	sels  ast.SelectionSet
	sub   *selection // of its value's type, if an object type
	group int
	// work: a resolver, or resolvers or deferred fragments below it.
	work bool
}

// analysis is what is known of one validated operation whatever its
// variables: whether the fast path runs it, and the variables its
// conditions (@skip, @include and @defer's `if`) read, whose values the
// plans depend on.
type analysis struct {
	reason Reason
	vars   []string
	doc    int // the estimated bytes of its document, which keeping it keeps
	size   int // bytes, roughly: what keeping it costs
}

// mask returns which of a's variables are true and which null or absent
// in vars (an absent one reads as null: a @defer's `if` then defers, and
// validation allows no other absent condition): a plan's key.
func (a *analysis) mask(vars map[string]any) mask {
	var m mask
	for i, name := range a.vars {
		switch v := vars[name]; v {
		case true:
			m.true |= 1 << i
		case nil:
			m.null |= 1 << i
		}
	}
	return m
}

// mask is the values of an operation's condition variables, a bit each.
type mask struct{ true, null uint64 }

// analyze checks that op can be planned: a query of fields the generated
// code knows, with no directive but @skip, @include and @defer, each
// fragment checked once. The validated document is trusted otherwise.
func analyze(op *ast.OperationDefinition, types map[string]*objectType) analysis {
	if op.Operation != ast.Query {
		return analysis{reason: ReasonNotQuery}
	}
	var a analysis
	seen := map[string]bool{}
	known := map[string]bool{}
	directives := func(ds ast.DirectiveList) Reason {
		for _, d := range ds {
			switch d.Name {
			case "skip", "include", "defer":
			default:
				return ReasonDirective
			}
			if arg := d.Arguments.ForName("if"); arg != nil && arg.Value.Kind == ast.Variable && !known[arg.Value.Raw] {
				known[arg.Value.Raw] = true
				a.vars = append(a.vars, arg.Value.Raw)
			}
		}
		return ""
	}
	var walk func(ast.SelectionSet) Reason
	walk = func(set ast.SelectionSet) Reason {
		for _, sel := range set {
			var r Reason
			switch s := sel.(type) {
			case *ast.Field:
				r = directives(s.Directives)
				if r == "" {
					r = fieldReason(s, types)
				}
				if r == "" {
					r = walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				if r = directives(s.Directives); r == "" {
					r = walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				r = directives(s.Directives)
				if r == "" && !seen[s.Name] {
					seen[s.Name] = true
					r = walk(s.Definition.SelectionSet)
				}
			}
			if r != "" {
				return r
			}
		}
		return ""
	}
	if a.reason = walk(op.SelectionSet); a.reason == "" && len(a.vars) > 64 {
		a.reason = ReasonConditions
	}
	return a
}

// fieldReason says why field s cannot be planned, or "".
func fieldReason(s *ast.Field, types map[string]*objectType) Reason {
	if s.Name == "__typename" {
		return ""
	}
	if s.Name == "__schema" || s.Name == "__type" {
		return ReasonIntrospection
	}
	if s.ObjectDefinition == nil {
		return ReasonField
	}
	t := types[s.ObjectDefinition.Name]
	if t == nil || t.fields[s.Name] == nil {
		return ReasonField
	}
	for _, a := range s.Arguments {
		if !slices.Contains(t.fields[s.Name].args, a.Name) {
			return ReasonArgument
		}
	}
	return ""
}

// compile returns the plan of op for the values of vars. The limits bound
// its size (it expands fragments as execution would). With incremental
// set, the deferred fragments of objects of an async type become deferred
// groups; without it, and everywhere else, a deferred fragment is
// delivered with its parent, as the incremental delivery RFC lets a server
// choose.
func compile(ctx context.Context, types map[string]*objectType, op *ast.OperationDefinition, vars map[string]any, incremental bool) *plan {
	c := &compiler{ctx: ctx, types: types, vars: vars, incremental: incremental}
	// The query's own deferred fragments are not: a null propagating out
	// of one would null the data already sent.
	root := c.collect("Query", []ast.SelectionSet{op.SelectionSet}, false, true)
	return &plan{root: root, labels: c.labels, size: planSize + c.size}
}

// compiler collects the selections of one plan.
type compiler struct {
	ctx         context.Context
	types       map[string]*objectType
	vars        map[string]any
	incremental bool
	labels      []string // of the deferred groups found so far
	size        int
}

// collect merges the selection sets of one object of type typeName. Its
// deferred fragments become groups when deferring is set; those of the
// objects below it when below is.
func (c *compiler) collect(typeName string, sets []ast.SelectionSet, deferring, below bool) *selection {
	t := c.types[typeName]
	sel := &selection{}
	byKey := map[string]*field{}
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet, group int)
	walk = func(set ast.SelectionSet, group int) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if !included(s.Directives, c.vars) {
					continue
				}
				f := byKey[s.Alias]
				if f == nil {
					f = &field{key: s.Alias, ast: s, quoted: quotedKey(s.Alias), elem: ast.PathName(s.Alias), group: group, typ: typename}
					if s.Name != "__typename" {
						f.typ = t.fields[s.Name]
					}
					byKey[s.Alias] = f
					sel.fields = append(sel.fields, f)
					c.size += fieldSize + len(s.Alias)
				} else if group == 0 {
					f.group = 0 // selected outside any deferred fragment too
				}
				f.sels = append(f.sels, s.SelectionSet...)
				c.size += selectionSize * len(s.SelectionSet)
			case *ast.InlineFragment:
				if (s.TypeCondition == "" || s.TypeCondition == typeName) && included(s.Directives, c.vars) {
					walk(s.SelectionSet, c.deferred(t, deferring, s.Directives, group))
				}
			case *ast.FragmentSpread:
				if visited[s.Name] || !included(s.Directives, c.vars) || s.Definition.TypeCondition != typeName {
					continue
				}
				visited[s.Name] = true
				walk(s.Definition.SelectionSet, c.deferred(t, deferring, s.Directives, group))
			}
		}
	}
	for _, set := range sets {
		if c.ctx.Err() != nil {
			break // the answer will not be wanted; a short plan is never run
		}
		walk(set, 0)
	}
	seen := map[int]bool{}
	for _, f := range sel.fields {
		if f.group > 0 && !seen[f.group] {
			seen[f.group] = true
			sel.groups = append(sel.groups, f.group)
		}
		if f.typ.elem != "" && len(f.sels) > 0 {
			// A deferred field's value goes whole into its part: nothing
			// below it is deferred again.
			f.sub = c.collect(f.typ.elem, []ast.SelectionSet{f.sels}, below && f.group == 0, below && f.group == 0)
		}
		f.work = f.typ.kind == kindResolver || f.typ.kind == kindBatch || f.sub != nil && f.sub.visit
		sel.visit = sel.visit || f.work || f.group > 0
		sel.batches = sel.batches || f.typ.kind == kindBatch
		if !f.work {
			f.sels = nil // only the resolvers' field contexts need them
		}
	}
	return sel
}

// What a plan costs in memory, roughly (measured against the heap's
// growth): a field, an occurrence of a selection merged into one, and a
// plan and its entry in the cache.
const (
	fieldSize     = 256
	selectionSize = 16
	planSize      = 512
)

// deferred returns the group of a fragment with directives ds met in group
// outer of an object of type t: a deferred group when the fragment is
// deferred and deferring applies, else outer. Deferred fragments with the
// same label (the empty label included) are one group, so that a part is
// known by its object's path and its label.
func (c *compiler) deferred(t *objectType, deferring bool, ds ast.DirectiveList, outer int) int {
	if !c.incremental || !deferring || outer != 0 || !t.async {
		return outer
	}
	d := ds.ForName("defer")
	if d == nil {
		return outer
	}
	var label string
	if arg := d.Arguments.ForName("label"); arg != nil && arg.Value.Kind != ast.NullValue {
		label = arg.Value.Raw // static: validation refuses variables (limits.ValidationRules)
	}
	if arg := d.Arguments.ForName("if"); arg != nil {
		if v, err := arg.Value.Value(c.vars); err == nil && v == false {
			return outer
		}
	}
	for g, l := range c.labels {
		if l == label {
			return g + 1
		}
	}
	c.labels = append(c.labels, label)
	return len(c.labels)
}

// included decides @skip and @include, as GraphQL's CollectFields does (a
// null `if` never comes here: package coercion refuses it).
func included(ds ast.DirectiveList, vars map[string]any) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		v, _ := arg.Value.Value(vars)
		switch {
		case d.Name == "skip" && v == true:
			return false
		case d.Name == "include" && v != true:
			return false
		}
	}
	return true
}

// quotedKey returns `"key":`. Response keys are GraphQL names: nothing in
// them needs escaping.
func quotedKey(key string) []byte {
	b := make([]byte, 0, len(key)+3)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}
