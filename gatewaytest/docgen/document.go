package docgen

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// The sizes of documents: selections per selection set and how deep
// fields nest (introspection less deep: its types nest without end).
const (
	maxSelections        = 3
	maxDepth             = 6
	maxIntrospectionDeep = 2
)

// builder is the state of one document being written.
type builder struct {
	*Generator
	doc       *Document
	fragments []*fragment
	sinks     []*[]*Variable    // the operation's variables, then those of each fragment being written
	unaliased map[string]string // "Type.field" with arguments -> their text where it has no alias
	invalid   string            // the defect still to make, "" once made or for none
	deferred  int               // how many deferred fragments the selection being written is in
	next      int               // the last number given to a variable, alias, label or fragment
}

// fragment is a named fragment.
type fragment struct {
	name, on string
	text     string // empty while it is being written
	vars     []*Variable
	spread   int // how many times it was spread
}

// field is a field written in a selection set, for merging with it again.
type field struct {
	key, text string // its response key, and what precedes its selection set
	def       *ast.FieldDefinition
}

// Document returns a new document: one operation most often, else two or
// three named ones sharing fragments; one in twelve has a defect made on
// purpose.
func (g *Generator) Document() *Document {
	b := &builder{Generator: g, doc: &Document{Features: Features{}}, unaliased: map[string]string{}}
	if g.chance(8) {
		b.invalid = invalids[g.r.IntN(len(invalids))]
		b.doc.Invalid = b.invalid
	}
	n := 1
	if g.chance(20) {
		n += 1 + g.r.IntN(2)
		b.doc.Features.add(FeatureOperations)
	}
	var defs []string
	for i := range n {
		name := ""
		if n > 1 || g.chance(40) {
			name = fmt.Sprintf("Q%d", i+1)
		}
		defs = append(defs, b.operation(name))
	}
	for _, f := range b.fragments {
		defs = append(defs, f.text)
	}
	text := strings.Join(defs, "\n")
	if b.take(InvalidSyntax) {
		text = strings.TrimSuffix(text, "}")
	}
	if b.invalid != "" { // a defect that found no place: none made
		b.doc.Invalid = ""
	}
	b.doc.Query = text
	return b.doc
}

// operation writes a query named name (anonymous if "").
func (b *builder) operation(name string) string {
	op := &Operation{Name: name}
	b.doc.Operations = append(b.doc.Operations, op)
	b.sinks = []*[]*Variable{&op.Variables}
	roots := 1
	if b.chance(30) {
		roots += 1 + b.r.IntN(2)
		b.doc.Features.add(FeatureRootFields)
	}
	body := b.selectionSet(b.schema.Query, 0, 0, roots)
	if b.take(InvalidUnusedVariable) {
		op.Variables = append(op.Variables, &Variable{Name: "unused", Type: ast.NamedType("Int", nil)})
	}
	var head strings.Builder
	head.WriteString("query")
	if name != "" {
		head.WriteString(" " + name)
	}
	if len(op.Variables) > 0 {
		defs := make([]string, len(op.Variables))
		for i, v := range op.Variables {
			defs[i] = "$" + v.Name + ": " + v.Type.String()
			if v.Default != "" {
				defs[i] += " = " + v.Default
			}
		}
		head.WriteString("(" + strings.Join(defs, ", ") + ")")
	}
	return head.String() + " " + body
}

// selectionSet writes the selection set of an object of type t, depth
// fields below the root (intro of them in introspection types), with n
// selections (a few at random when n is 0).
func (b *builder) selectionSet(t *ast.Definition, depth, intro, n int) string {
	if n == 0 {
		n = 1 + b.r.IntN(maxSelections)
	}
	var written []field
	parts := make([]string, 0, n)
	for range n {
		parts = append(parts, b.selection(t, depth, intro, &written))
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// selection writes one selection of an object of type t: a field (maybe
// one of written again, merged or in conflict), __typename, or a
// fragment.
func (b *builder) selection(t *ast.Definition, depth, intro int, written *[]field) string {
	leaves := depth >= maxDepth || intro >= maxIntrospectionDeep
	switch n := b.r.IntN(100); {
	case n < 10 && !leaves:
		return b.inlineFragment(t, depth, intro)
	case n < 20 && !leaves:
		return b.spread(t, depth, intro)
	case n < 30:
		b.doc.Features.add(FeatureTypename)
		if b.chance(20) {
			return b.alias() + ": __typename"
		}
		return "__typename"
	case n < 36 && len(*written) > 0:
		return b.again(t, depth, intro, (*written)[b.r.IntN(len(*written))])
	case n < 38 && b.take(InvalidUnknownField):
		return "noSuchField"
	}
	return b.field(t, depth, intro, written, leaves)
}

// field writes a field of t with its arguments, directives and selection
// set, only one without a selection set when leaves is set.
func (b *builder) field(t *ast.Definition, depth, intro int, written *[]field, leaves bool) string {
	var choices []*ast.FieldDefinition
	for _, fd := range t.Fields {
		isLeaf := b.schema.Types[fd.Type.Name()].Kind == ast.Scalar || b.schema.Types[fd.Type.Name()].Kind == ast.Enum
		if leaves && !isLeaf {
			continue
		}
		// Introspection is one root field in twenty.
		if strings.HasPrefix(fd.Name, "__") && !b.chance(5) {
			continue
		}
		choices = append(choices, fd)
	}
	if len(choices) == 0 {
		b.doc.Features.add(FeatureTypename)
		return "__typename"
	}
	fd := choices[b.r.IntN(len(choices))]
	args := b.arguments(fd)
	key, text := fd.Name, fd.Name+args
	// A field that takes arguments has the same ones wherever it has no
	// alias, so that no two fields of a response key conflict unless on
	// purpose.
	where := t.Name + "." + fd.Name
	prev, seen := b.unaliased[where]
	switch {
	case len(fd.Arguments) > 0 && seen && prev != args, b.chance(10):
		key = b.alias()
		text = key + ": " + text
		b.doc.Features.add(FeatureAlias)
	case len(fd.Arguments) > 0:
		b.unaliased[where] = args
	}
	*written = append(*written, field{key: key, text: text, def: fd})
	return text + b.directives(ast.LocationField) + b.sub(fd, depth, intro)
}

// again writes f again, with another selection set: merged, or, when that
// is the defect to make, with the same response key for another field.
func (b *builder) again(t *ast.Definition, depth, intro int, f field) string {
	if b.take(InvalidAliasConflict) {
		return f.key + ": __typename"
	}
	if f.key != f.def.Name {
		b.doc.Features.add(FeatureAliasMerged)
	} else {
		b.doc.Features.add(FeatureFieldMerged)
	}
	return f.text + b.directives(ast.LocationField) + b.sub(f.def, depth, intro)
}

// sub writes the selection set of fd's value, if it is an object.
func (b *builder) sub(fd *ast.FieldDefinition, depth, intro int) string {
	t := b.schema.Types[fd.Type.Name()]
	if t.Kind != ast.Object {
		return ""
	}
	if strings.HasPrefix(t.Name, "__") {
		intro++
		b.doc.Features.add(FeatureIntrospection)
	}
	return " " + b.selectionSet(t, depth+1, intro, 0)
}

// inlineFragment writes an inline fragment on t, with or without its type
// condition (or, as a defect, on another type).
func (b *builder) inlineFragment(t *ast.Definition, depth, intro int) string {
	text := "..."
	switch {
	case b.take(InvalidFragmentType):
		text += " on " + b.otherObject(t).Name
	case b.chance(50):
		text += " on " + t.Name
		b.doc.Features.add(FeatureInlineTyped)
	default:
		b.doc.Features.add(FeatureInline)
	}
	dirs, deferred := b.fragmentDirectives(ast.LocationInlineFragment)
	b.deferred += deferred
	defer func() { b.deferred -= deferred }()
	return text + dirs + " " + b.selectionSet(t, depth, intro, 0)
}

// spread writes a spread of a named fragment on t: one written before
// (then spread in several places) or a new one.
func (b *builder) spread(t *ast.Definition, depth, intro int) string {
	var f *fragment
	var done []*fragment
	for _, c := range b.fragments {
		if c.on == t.Name && c.text != "" {
			done = append(done, c)
		}
	}
	if len(done) > 0 && b.chance(50) {
		f = done[b.r.IntN(len(done))]
		b.doc.Features.add(FeatureFragmentReused)
	} else {
		f = b.fragment(t, depth, intro)
	}
	f.spread++
	for _, v := range f.vars {
		b.use(v)
	}
	dirs, deferred := b.fragmentDirectives(ast.LocationFragmentSpread)
	if deferred > 0 && f.spread > 1 {
		b.doc.Features.add(FeatureDeferReusedFragment)
	}
	b.doc.Features.add(FeatureFragment)
	return "..." + f.name + dirs
}

// fragment writes a new fragment on t, at depth.
func (b *builder) fragment(t *ast.Definition, depth, intro int) *fragment {
	b.next++
	f := &fragment{name: fmt.Sprintf("F%d", b.next), on: t.Name}
	b.fragments = append(b.fragments, f)
	b.sinks = append(b.sinks, &f.vars)
	// A fragment is written with nothing deferred around it: where it is
	// spread next, it may not be.
	outer := b.deferred
	b.deferred = 0
	body := b.selectionSet(t, depth, intro, 0)
	b.deferred = outer
	b.sinks = b.sinks[:len(b.sinks)-1]
	f.text = "fragment " + f.name + " on " + t.Name + " " + body
	return f
}

// otherObject returns an object type other than t.
func (b *builder) otherObject(t *ast.Definition) *ast.Definition {
	for _, name := range []string{"Money", "Profile"} {
		if o := b.schema.Types[name]; o != nil && o != t {
			return o
		}
	}
	return b.schema.Query
}

// alias returns a new alias.
func (b *builder) alias() string {
	b.next++
	return fmt.Sprintf("a%d", b.next)
}

// take reports whether defect is the one still to make, and makes it.
func (b *builder) take(defect string) bool {
	if b.invalid != defect {
		return false
	}
	b.invalid = ""
	return true
}
