package acceptance_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// shrinkTries bounds the requests (to both gateways) spent shrinking one
// divergence.
const shrinkTries = 300

// shrink makes d's request smaller while the pair still shows a
// divergence of d's kind: it removes operations, fragments, selections,
// directives, arguments, variable definitions, variables and the requests
// sent before, and puts fragments' selections in their place, one at a
// time, keeping each change
// that keeps the divergence, until none does or the tries or the run's
// time for shrinking run out. A document that does not parse is left as
// it is.
func (p *pair) shrink(t *testing.T, d divergence) divergence {
	start := time.Now()
	defer func() { *p.shrinkLeft -= time.Since(start) }()
	tries := 0
	more := func() bool { return tries < shrinkTries && time.Since(start) < *p.shrinkLeft }
	for progress := true; progress && more(); {
		progress = false
		for site := 0; more(); {
			j, ok := removeAt(d.job, site)
			if !ok {
				break
			}
			tries++
			if smaller, ok := p.reproduces(t, j, d.kind); ok {
				d, progress = smaller, true
				continue // the next site has this number now
			}
			site++
		}
	}
	return d
}

// reproduces sends j, after the requests sent before it, and returns its
// divergence of kind, if it has one. A slow answer (one that waited for
// the deadline) is kept for the report whatever the kind.
func (p *pair) reproduces(t *testing.T, j job, kind string) (divergence, bool) {
	for _, e := range j.earlier {
		p.send(t, p.fast, e)
		p.send(t, p.gqlgen, e)
	}
	var found divergence
	ok := false
	for _, d := range p.compare(t, j) {
		if d.kind == kind {
			found, ok = d, true
		}
		if strings.HasSuffix(d.kind, slowAnswer) && d.kind != kind &&
			!slices.ContainsFunc(p.slowShrunk, func(s divergence) bool { return s.kind == d.kind }) {
			p.slowShrunk = append(p.slowShrunk, d)
		}
	}
	return found, ok
}

// removeAt returns j without its removable part number site (counted over
// the document, then the variables' values, then the requests sent before
// it), and false when there are fewer.
func removeAt(j job, site int) (job, bool) {
	doc, err := parser.ParseQuery(&ast.Source{Input: j.req.Query})
	if err != nil {
		return j, false
	}
	r := &remover{doc: doc, target: site}
	r.document(doc)
	if r.done {
		prune(doc)
		var b strings.Builder
		formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(doc)
		j.req.Query = b.String()
		j.earlier = slices.Clone(j.earlier)
		for i := range j.earlier {
			j.earlier[i].req.Query = j.req.Query
		}
		return j, true
	}
	names := slices.Sorted(maps.Keys(j.req.Variables))
	if i := site - r.seen; i < len(names) {
		j.req.Variables = maps.Clone(j.req.Variables)
		delete(j.req.Variables, names[i])
		return j, true
	}
	if i := site - r.seen - len(names); i < len(j.earlier) {
		j.earlier = slices.Delete(slices.Clone(j.earlier), i, i+1)
		return j, true
	}
	return j, false
}

// remover removes the target-th removable part of a document, counting
// them in a fixed order.
type remover struct {
	doc          *ast.QueryDocument
	target, seen int
	done         bool
}

// here reports whether the part just met is the one to remove.
func (r *remover) here() bool {
	if r.done {
		return false
	}
	r.seen++
	if r.seen-1 == r.target {
		r.done = true
	}
	return r.done
}

func (r *remover) document(doc *ast.QueryDocument) {
	doc.Operations = deleteWhere(doc.Operations, func(*ast.OperationDefinition) bool { return len(doc.Operations) > 1 && r.here() })
	doc.Fragments = deleteWhere(doc.Fragments, func(*ast.FragmentDefinition) bool { return r.here() })
	for _, op := range doc.Operations {
		op.VariableDefinitions = deleteWhere(op.VariableDefinitions, func(*ast.VariableDefinition) bool { return r.here() })
		op.SelectionSet = r.selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		f.SelectionSet = r.selections(f.SelectionSet)
	}
}

// selections removes a selection of set (not its last one: a selection
// set is never empty), or a directive or argument of one, or goes on
// below.
func (r *remover) selections(set ast.SelectionSet) ast.SelectionSet {
	set = deleteWhere(set, func(ast.Selection) bool { return len(set) > 1 && r.here() })
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			s.Directives = r.directives(s.Directives)
			s.Arguments = deleteWhere(s.Arguments, func(*ast.Argument) bool { return r.here() })
			s.SelectionSet = r.selections(s.SelectionSet)
		case *ast.InlineFragment:
			s.Directives = r.directives(s.Directives)
			s.SelectionSet = r.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			s.Directives = r.directives(s.Directives)
		}
	}
	// A fragment's selections in its place, without the fragment.
	for i, sel := range set {
		var inner ast.SelectionSet
		switch s := sel.(type) {
		case *ast.InlineFragment:
			inner = s.SelectionSet
		case *ast.FragmentSpread:
			if f := r.doc.Fragments.ForName(s.Name); f != nil {
				inner = f.SelectionSet
			}
		}
		if inner != nil && r.here() {
			return slices.Concat(set[:i], inner, set[i+1:])
		}
	}
	return set
}

// directives removes a directive, or one of its arguments.
func (r *remover) directives(ds ast.DirectiveList) ast.DirectiveList {
	ds = deleteWhere(ds, func(*ast.Directive) bool { return r.here() })
	for _, d := range ds {
		d.Arguments = deleteWhere(d.Arguments, func(*ast.Argument) bool { return r.here() })
	}
	return ds
}

// deleteWhere is slices.DeleteFunc that calls del once per element, in
// order, until it reports true once.
func deleteWhere[S ~[]E, E any](s S, del func(E) bool) S {
	for i, e := range s {
		if del(e) {
			return slices.Delete(slices.Clone(s), i, i+1)
		}
	}
	return s
}

// prune removes what a removal left unused, which would make the document
// invalid: fragments spread nowhere, variables used nowhere in their
// operation.
func prune(doc *ast.QueryDocument) {
	for {
		spread := map[string]bool{}
		var vars map[string]bool
		var walk func(set ast.SelectionSet, seen []string)
		walk = func(set ast.SelectionSet, seen []string) {
			for _, sel := range set {
				var ds ast.DirectiveList
				switch s := sel.(type) {
				case *ast.Field:
					usesOf(s.Arguments, vars)
					ds = s.Directives
					walk(s.SelectionSet, seen)
				case *ast.InlineFragment:
					ds = s.Directives
					walk(s.SelectionSet, seen)
				case *ast.FragmentSpread:
					ds = s.Directives
					spread[s.Name] = true
					if f := doc.Fragments.ForName(s.Name); f != nil && !slices.Contains(seen, s.Name) {
						walk(f.SelectionSet, append(slices.Clip(seen), s.Name))
					}
				}
				for _, d := range ds {
					usesOf(d.Arguments, vars)
				}
			}
		}
		for _, op := range doc.Operations {
			vars = map[string]bool{}
			walk(op.SelectionSet, nil)
			op.VariableDefinitions = slices.DeleteFunc(op.VariableDefinitions, func(v *ast.VariableDefinition) bool { return !vars[v.Variable] })
		}
		n := len(doc.Fragments)
		doc.Fragments = slices.DeleteFunc(doc.Fragments, func(f *ast.FragmentDefinition) bool { return !spread[f.Name] })
		if len(doc.Fragments) == n {
			return
		}
	}
}

// usesOf adds the variables args use to vars.
func usesOf(args ast.ArgumentList, vars map[string]bool) {
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			vars[v.Raw] = true
		}
		for _, c := range v.Children {
			value(c.Value)
		}
	}
	for _, a := range args {
		value(a.Value)
	}
}
