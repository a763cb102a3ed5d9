package limits

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ctxEvery is how many nodes a walk visits between looks at its context.
const ctxEvery = 1024

// measures are a document's figures. Fields, Spreads, Depth, Aliases and
// RootFields are the largest of any operation.
type measures struct {
	Operations int // operations defined
	Fragments  int // fragments defined, and names spread but not defined
	Selections int // fields, spreads and inline fragments as written
	Variables  int // defined by an operation, the most of any

	Fields, Spreads, Aliases, RootFields, Deferred int64
	Depth                                          int

	Nodes   int64 // of every operation and fragment definition, expanded
	Repeats int64 // weighted pairs of fields sharing a response path

	// Work is the nodes the measuring visited: linear in the document,
	// plus at most Limits.MaxNodes for the repeated fields.
	Work int
}

// shape is what a selection set amounts to with every fragment it spreads
// expanded. Counts saturate at maxCount: a few dozen fragments that each
// spread the previous one twice expand to more than any integer holds.
type shape struct {
	fields  int64 // fields, __typename included
	spreads int64 // fragment spreads and inline fragments
	nodes   int64 // fields, spreads, arguments, values, directives
	aliases int64 // fields under an alias
	top     int64 // fields at the set's own level
	defers  int64 // fragments deferred (@defer)
	depth   int   // deepest nesting of fields; a field is 1
}

const maxCount = 1 << 62

// sat returns a+b, or maxCount when that is more.
func sat(a, b int64) int64 {
	if a >= maxCount-b {
		return maxCount
	}
	return a + b
}

// satMul returns a*b for a, b >= 0, or maxCount when that is more.
func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > maxCount/b {
		return maxCount
	}
	return a * b
}

func (s *shape) add(o shape) {
	s.fields = sat(s.fields, o.fields)
	s.spreads = sat(s.spreads, o.spreads)
	s.nodes = sat(s.nodes, o.nodes)
	s.aliases = sat(s.aliases, o.aliases)
	s.top = sat(s.top, o.top)
	s.defers = sat(s.defers, o.defers)
	s.depth = max(s.depth, o.depth)
}

// fragment is a fragment definition and, once measured, its shape.
type fragment struct {
	def      *ast.FragmentDefinition
	visiting bool // being measured: a spread of it now is a cycle
	measured bool
	shape    shape
}

// measurer measures one document. Each fragment is measured once, the
// first time it is spread, and its shape is reused for every other spread,
// so measuring is linear in the document however it expands.
type measurer struct {
	ctx        context.Context
	frags      map[string]*fragment // the first definition of each name
	unknown    map[string]bool      // names spread but not defined
	selections int
	work       int
}

// measure measures doc and checks it against l, cheapest limits first.
func measure(ctx context.Context, doc *ast.QueryDocument, l Limits) (out measures, err error) {
	m := &measurer{ctx: ctx, frags: make(map[string]*fragment, len(doc.Fragments)), unknown: map[string]bool{}}
	defer func() { out.Work = m.work }()
	for _, f := range doc.Fragments {
		if m.frags[f.Name] == nil {
			m.frags[f.Name] = &fragment{def: f}
		}
	}
	ops := make([]shape, len(doc.Operations))
	for i, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return out, err
		}
		s.nodes = sat(s.nodes, variableNodes(op.VariableDefinitions)+directiveNodes(op.Directives))
		ops[i] = s
	}
	// Every fragment definition is validated on its own too, duplicates and
	// unused ones included.
	var nodes int64
	for _, f := range doc.Fragments {
		var s shape
		var err error
		if fr := m.frags[f.Name]; fr.def == f {
			s, err = m.fragment(fr, nil)
		} else {
			s, err = m.set(f.SelectionSet)
		}
		if err != nil {
			return out, err
		}
		nodes = sat(nodes, sat(s.nodes, directiveNodes(f.Directives)))
	}
	out.Operations = len(doc.Operations)
	out.Fragments = len(doc.Fragments) + len(m.unknown)
	out.Selections = m.selections
	for _, op := range doc.Operations {
		out.Variables = max(out.Variables, len(op.VariableDefinitions))
	}
	for _, s := range ops {
		out.Fields = max(out.Fields, s.fields)
		out.Spreads = max(out.Spreads, s.spreads)
		out.Aliases = max(out.Aliases, s.aliases)
		out.RootFields = max(out.RootFields, s.top)
		out.Deferred = max(out.Deferred, s.defers)
		out.Depth = max(out.Depth, s.depth)
		nodes = sat(nodes, s.nodes)
	}
	out.Nodes = nodes

	switch {
	case out.Operations > l.MaxOperations:
		return out, limit(ReasonOperations, "the document defines %d operations; the limit is %d", out.Operations, l.MaxOperations)
	case out.Fragments > l.MaxFragments:
		return out, limit(ReasonFragments, "the document defines or spreads %d fragments; the limit is %d", out.Fragments, l.MaxFragments)
	case out.Selections > l.MaxSelections:
		return out, limit(ReasonSelections, "the document has %d selections (fields and fragments as written); the limit is %d", out.Selections, l.MaxSelections)
	case out.Variables > l.MaxVariables:
		return out, limit(ReasonVariables, "an operation defines %d variables; the limit is %d", out.Variables, l.MaxVariables)
	}
	for i, s := range ops {
		if err := checkOperation(doc.Operations[i], s, l); err != nil {
			return out, err
		}
	}
	if out.Nodes > int64(l.MaxNodes) {
		return out, limit(ReasonNodes, "the document is too large to validate: more than %d nodes with its fragments expanded", l.MaxNodes)
	}
	r := repeats{measurer: m, max: int64(l.MaxRepeats)}
	err = r.document(doc)
	out.Repeats = r.pairs
	return out, err
}

// checkOperation checks the shape of one operation: how much it expands
// to first, since a fragment bomb is over every limit at once.
func checkOperation(op *ast.OperationDefinition, s shape, l Limits) error {
	name := operationName(op)
	switch {
	case s.fields > int64(l.MaxFields):
		return limit(ReasonFields, "%s asks for more than %d fields in all, fragments expanded", name, l.MaxFields)
	case s.spreads > int64(l.MaxSpreads):
		return limit(ReasonSpreads, "%s enters more than %d fragments, fragments expanded", name, l.MaxSpreads)
	case s.depth > l.MaxDepth:
		return limit(ReasonDepth, "%s nests deeper than %d levels", name, l.MaxDepth)
	case s.aliases > int64(l.MaxAliases):
		return limit(ReasonAliases, "%s uses more than %d aliases", name, l.MaxAliases)
	case s.top > int64(l.MaxRootFields):
		return limit(ReasonRootFields, "%s asks for more than %d top-level fields", name, l.MaxRootFields)
	case s.defers > int64(l.MaxDeferred):
		return limit(ReasonDeferred, "%s defers more than %d fragments, fragments expanded", name, l.MaxDeferred)
	}
	return nil
}

// visit counts a node visited and looks at the context now and then.
func (m *measurer) visit() error {
	m.work++
	if m.work%ctxEvery == 0 {
		return m.ctx.Err()
	}
	return nil
}

// set measures a selection set as written, fragments it spreads included.
func (m *measurer) set(set ast.SelectionSet) (shape, error) {
	var s shape
	for _, sel := range set {
		if err := m.visit(); err != nil {
			return s, err
		}
		m.selections++
		switch sel := sel.(type) {
		case *ast.Field:
			child, err := m.set(sel.SelectionSet)
			if err != nil {
				return s, err
			}
			child.top = 1
			child.fields = sat(child.fields, 1)
			child.nodes = sat(child.nodes, fieldNodes(sel))
			child.depth++
			if sel.Alias != "" && sel.Alias != sel.Name {
				child.aliases = sat(child.aliases, 1)
			}
			s.add(child)
		case *ast.InlineFragment:
			child, err := m.set(sel.SelectionSet)
			if err != nil {
				return s, err
			}
			s.add(child)
			s.spreads = sat(s.spreads, 1)
			s.nodes = sat(s.nodes, 1+directiveNodes(sel.Directives))
			s.defers = sat(s.defers, deferNodes(sel.Directives))
		case *ast.FragmentSpread:
			fr := m.frags[sel.Name]
			if fr == nil {
				m.unknown[sel.Name] = true // validation reports it
			} else {
				child, err := m.fragment(fr, sel)
				if err != nil {
					return s, err
				}
				s.add(child)
			}
			s.spreads = sat(s.spreads, 1)
			s.nodes = sat(s.nodes, 1+directiveNodes(sel.Directives))
			s.defers = sat(s.defers, deferNodes(sel.Directives))
		}
	}
	return s, nil
}

// deferNodes counts the @defer among dirs (validation allows one).
func deferNodes(dirs ast.DirectiveList) int64 {
	var n int64
	for _, d := range dirs {
		if d.Name == "defer" {
			n++
		}
	}
	return n
}

// fragment returns the shape of fr, measuring it the first time; spread is
// the spread that reached it (nil for the definition on its own).
func (m *measurer) fragment(fr *fragment, spread *ast.FragmentSpread) (shape, error) {
	switch {
	case fr.measured:
		return fr.shape, nil
	case fr.visiting:
		return shape{}, cycleError(spread)
	}
	fr.visiting = true
	s, err := m.set(fr.def.SelectionSet)
	fr.visiting = false
	if err != nil {
		return shape{}, err
	}
	fr.shape, fr.measured = s, true
	return s, nil
}

// cycleError is the error validation gives a fragment spread within itself.
func cycleError(spread *ast.FragmentSpread) *gqlerror.Error {
	err := gqlerror.ErrorPosf(spread.Position, "Cannot spread fragment %q within itself.", spread.Name)
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// fieldNodes counts a field, its arguments with their values, and its
// directives.
func fieldNodes(f *ast.Field) int64 {
	return 1 + argumentNodes(f.Arguments) + directiveNodes(f.Directives)
}

func argumentNodes(args ast.ArgumentList) int64 {
	var n int64
	for _, a := range args {
		n = sat(n, 1+valueNodes(a.Value))
	}
	return n
}

func directiveNodes(dirs ast.DirectiveList) int64 {
	var n int64
	for _, d := range dirs {
		n = sat(n, 1+argumentNodes(d.Arguments))
	}
	return n
}

func variableNodes(vars ast.VariableDefinitionList) int64 {
	var n int64
	for _, v := range vars {
		n = sat(n, 1+valueNodes(v.DefaultValue)+directiveNodes(v.Directives))
	}
	return n
}

// valueNodes counts a value and the values in it. The parser bounds how
// deeply they nest.
func valueNodes(v *ast.Value) int64 {
	if v == nil {
		return 0
	}
	n := int64(1)
	for _, c := range v.Children {
		n = sat(n, valueNodes(c.Value))
	}
	return n
}

// String describes the measures, for tests and logs.
func (m measures) String() string {
	return fmt.Sprintf("operations=%d fragments=%d selections=%d variables=%d fields=%d spreads=%d depth=%d aliases=%d root-fields=%d deferred=%d nodes=%d repeats=%d work=%d",
		m.Operations, m.Fragments, m.Selections, m.Variables, m.Fields, m.Spreads, m.Depth, m.Aliases, m.RootFields, m.Deferred, m.Nodes, m.Repeats, m.Work)
}
