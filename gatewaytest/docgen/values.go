package docgen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// arguments writes fd's arguments: each required one, and each optional
// one most of the time (else left to its default); "" for none.
func (b *builder) arguments(fd *ast.FieldDefinition) string {
	var args []string
	for _, a := range fd.Arguments {
		required := a.Type.NonNull && a.DefaultValue == nil
		switch {
		case required && b.take(InvalidMissingArgument):
			continue
		case !required && b.chance(30):
			b.doc.Features.add(FeatureArgumentOmitted)
			continue
		}
		args = append(args, a.Name+": "+b.input(a.Type, fd.Name+"."+a.Name))
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// directives writes the directives of a field: now and then @skip or
// @include, rarely both.
func (b *builder) directives(loc ast.DirectiveLocation) string {
	text, _ := b.someDirectives(loc, 12, "")
	return text
}

// fragmentDirectives writes the directives of a fragment, @defer more
// often than others, and reports whether it is deferred (1) or not (0).
func (b *builder) fragmentDirectives(loc ast.DirectiveLocation) (string, int) {
	return b.someDirectives(loc, 35, "defer")
}

// someDirectives writes, percent times in 100, one or two of the schema's
// directives allowed at loc, favouring preferred, and reports whether
// @defer is one of them.
func (b *builder) someDirectives(loc ast.DirectiveLocation, percent int, preferred string) (string, int) {
	if b.take(InvalidUnknownDirective) {
		return " @noSuchDirective", 0
	}
	if !b.chance(percent) {
		return "", 0
	}
	var names []string
	for name, d := range b.schema.Directives {
		if slices.Contains(d.Locations, loc) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", 0
	}
	slices.Sort(names)
	if slices.Contains(names, preferred) && b.chance(60) {
		names = slices.Insert(slices.DeleteFunc(names, func(n string) bool { return n == preferred }), 0, preferred)
	} else {
		b.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	}
	n := 1
	if b.chance(10) {
		n = min(2, len(names)) // none is repeatable
	}
	var text string
	deferred := 0
	for _, name := range names[:n] {
		if name == "defer" {
			deferred = 1
			if b.deferred > 0 {
				b.doc.Features.add(FeatureDeferNested)
			}
		}
		text += " " + b.directive(b.schema.Directives[name])
	}
	return text, deferred
}

// directive writes @d with its required arguments and most optional ones.
func (b *builder) directive(d *ast.DirectiveDefinition) string {
	b.doc.Features.add("@" + d.Name)
	var args []string
	for _, a := range d.Arguments {
		required := a.Type.NonNull && a.DefaultValue == nil
		if !required && !b.chance(60) {
			continue
		}
		use := "@" + d.Name + "." + a.Name
		var value string
		if use == "@defer.label" && !b.chance(15) {
			value = b.label()
		} else {
			value = b.input(a.Type, use)
		}
		if strings.HasPrefix(value, "$") {
			b.doc.Features.add(use + " variable")
		} else {
			b.doc.Features.add(use + " literal")
		}
		args = append(args, a.Name+": "+value)
	}
	if len(args) == 0 {
		return "@" + d.Name
	}
	return "@" + d.Name + "(" + strings.Join(args, ", ") + ")"
}

// label returns a new static label.
func (b *builder) label() string {
	b.next++
	return strconv.Quote(fmt.Sprintf("L%d", b.next))
}

// input writes a value of type t for use: a variable one time in three,
// else a literal.
func (b *builder) input(t *ast.Type, use string) string {
	if b.take(InvalidUndefinedVariable) {
		return "$undefined"
	}
	if b.chance(35) {
		return b.variable(t, use)
	}
	return b.literal(t, use)
}

// variable returns a variable for a place of type t: one of the
// operation's of the same type and use, or a new one, of type t or, when a
// default lets it, a nullable one in a non-null place (or a non-null one
// in a nullable place).
func (b *builder) variable(t *ast.Type, use string) string {
	if b.chance(20) {
		for _, v := range *b.sinks[0] {
			if v.Use == use && v.Type.String() == t.String() {
				b.use(v)
				return "$" + v.Name
			}
		}
	}
	b.next++
	v := &Variable{Name: fmt.Sprintf("v%d", b.next), Type: t, Use: use, Strict: t.NonNull}
	switch {
	case t.NonNull && b.chance(30):
		nullable := *t
		nullable.NonNull = false
		v.Type, v.Default = &nullable, b.literal(t, use)
		b.doc.Features.add(FeatureNullableWithDefault)
	case b.chance(25):
		v.Default = b.literal(t, use)
		b.doc.Features.add(FeatureVariableDefault)
	case !t.NonNull && b.chance(15):
		strict := *t
		strict.NonNull = true
		v.Type = &strict
	}
	b.use(v)
	return "$" + v.Name
}

// use declares v in the operation and in every fragment being written.
func (b *builder) use(v *Variable) {
	for _, sink := range b.sinks {
		if !slices.Contains(*sink, v) {
			*sink = append(*sink, v)
		}
	}
}

// literal writes a literal of type t for use.
func (b *builder) literal(t *ast.Type, use string) string {
	f := b.doc.Features
	if !t.NonNull && b.chance(8) {
		f.add(FeatureNullLiteral, "null "+use)
		return "null"
	}
	if b.take(InvalidLiteralType) {
		return "{ wrong: 1 }"
	}
	if t.Elem != nil {
		if b.chance(25) {
			f.add(FeatureListCoercionLiteral)
			return b.literal(t.Elem, use)
		}
		elems := make([]string, b.r.IntN(4))
		for i := range elems {
			elems[i] = b.literal(t.Elem, use)
		}
		return "[" + strings.Join(elems, ", ") + "]"
	}
	def := b.schema.Types[t.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[b.r.IntN(len(def.EnumValues))].Name
	case def.Kind == ast.InputObject:
		var fields []string
		for _, fd := range def.Fields {
			if fd.Type.NonNull || b.chance(50) {
				fields = append(fields, fd.Name+": "+b.literal(fd.Type, use))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch t.NamedType {
	case "ID":
		return strconv.Quote(b.id(f))
	case "Int":
		return strconv.Itoa(b.int(f))
	case "Float":
		return "0.5"
	case "Boolean":
		return strconv.FormatBool(b.chance(50))
	case "String":
		if use == "@defer.label" {
			return b.label()
		}
		return strconv.Quote(b.typeName())
	}
	return "null"
}
