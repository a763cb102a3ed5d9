package limits

import "github.com/vektah/gqlparser/v2/ast"

// repeats counts, for every operation and fragment definition, the pairs
// of fields that share a response path once fragments are expanded (the
// same name at the same place: `a { x } a { x }` has two pairs, a and
// a.x). gqlparser's OverlappingFieldsCanBeMerged compares every such pair,
// so a field written n times costs validation n² comparisons, and an
// operation pays again for each fragment it shares with another. A pair
// weighs the product of its fields' sizes (1 plus their argument nodes),
// since their arguments are compared too.
//
// It walks each definition expanded, so it runs only on a document whose
// expanded nodes are within Limits.MaxNodes, and stops at the limit.
type repeats struct {
	*measurer
	max   int64
	pairs int64
	// paths numbers the response paths of the definition being walked:
	// the key is the parent path's number and a response name.
	paths map[pathKey]*path
}

type pathKey struct {
	parent int
	name   string
}

type path struct {
	id     int
	weight int64 // of the fields seen at this path so far
}

func (r *repeats) document(doc *ast.QueryDocument) error {
	r.paths = map[pathKey]*path{}
	for _, op := range doc.Operations {
		if err := r.root(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := r.root(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

func (r *repeats) root(set ast.SelectionSet) error {
	clear(r.paths)
	return r.set(set, 0)
}

func (r *repeats) set(set ast.SelectionSet, parent int) error {
	for _, sel := range set {
		if err := r.visit(); err != nil {
			return err
		}
		switch sel := sel.(type) {
		case *ast.Field:
			name := sel.Alias
			if name == "" {
				name = sel.Name
			}
			k := pathKey{parent, name}
			p := r.paths[k]
			if p == nil {
				p = &path{id: len(r.paths) + 1}
				r.paths[k] = p
			}
			w := 1 + argumentNodes(sel.Arguments)
			r.pairs = sat(r.pairs, satMul(p.weight, w))
			p.weight = sat(p.weight, w)
			if r.pairs > r.max {
				return limit(ReasonRepeats, "the document repeats fields under the same name too often: more than %d pairs of them to compare", r.max)
			}
			if err := r.set(sel.SelectionSet, p.id); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := r.set(sel.SelectionSet, parent); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if fr := r.frags[sel.Name]; fr != nil {
				if err := r.set(fr.def.SelectionSet, parent); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
