// Package fastpathgen is the gqlgen plugin that writes what package
// fastpath derives from the schema (fastpath/schema_gen.go): from the schema
// and gqlgen's bindings of it, the fields the fast path can plan, with how
// each one's value is had (a struct field, a method, or one of gqlgen's
// resolvers, called with its arguments coerced as gqlgen's generated code
// coerces them), and a JSON writer per type that writes what gqlgen's
// marshalers would, byte for byte.
//
// A field it cannot write (an interface, union or input-object type, a map
// model, a streamed or batched field, arguments of a kind it does not
// coerce) is left out of the table, which makes every operation selecting
// it run on gqlgen's executor instead: nothing is ignored. Run it through
// cmd/gqlgen, which is gqlgen's generate with this plugin added.
package fastpathgen

import (
	"fmt"
	"go/types"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/99designs/gqlgen/codegen/templates"
	"github.com/vektah/gqlparser/v2/ast"
)

// Plugin writes fastpath's generated code.
type Plugin struct {
	filename string // e.g. fastpath/schema_gen.go
	pkg      string // its package name
}

// New returns the plugin writing package pkg's file filename.
func New(filename, pkg string) *Plugin { return &Plugin{filename: filename, pkg: pkg} }

// Name implements plugin.Plugin.
func (*Plugin) Name() string { return "fastpathgen" }

// GenerateCode implements plugin.CodeGenerator.
func (p *Plugin) GenerateCode(data *codegen.Data) error {
	g := &generator{data: data, writers: map[string]*config.TypeReference{}, unmarshalers: map[string]*config.TypeReference{}}
	g.plan()
	return templates.Render(templates.Options{
		PackageName:     p.pkg,
		Filename:        p.filename,
		GeneratedHeader: true,
		Packages:        data.Config.Packages,
		Template: `{{ reserveImport "context" }}
{{ reserveImport "github.com/99designs/gqlgen/graphql" }}
{{ reserveImport "github.com/vektah/gqlparser/v2/ast" }}
{{ .Code }}`,
		Data: g,
	})
}

// generator holds what the schema gives the generated code.
type generator struct {
	data    *codegen.Data
	objects []*object
	// The value writers and argument unmarshalers needed, by name.
	writers      map[string]*config.TypeReference
	unmarshalers map[string]*config.TypeReference
}

// object is one object type the fast path writes, and its fields it can.
type object struct {
	*codegen.Object
	fields  []*codegen.Field
	skipped []string // fields left to gqlgen, and why
	async   bool
}

// plan picks the object types and fields the fast path can write.
func (g *generator) plan() {
	for _, o := range g.data.Objects {
		if strings.HasPrefix(o.Name, "__") || o.Kind != ast.Object || (o.Root && o.Definition != g.data.Schema.Query) {
			continue
		}
		obj := &object{Object: o}
		for _, f := range o.Fields {
			if f.Name == "__typename" {
				continue
			}
			if why := g.unsupported(f); why != "" {
				obj.skipped = append(obj.skipped, f.Name+": "+why)
				continue
			}
			obj.fields = append(obj.fields, f)
			obj.async = obj.async || concurrent(f)
			g.need(f.TypeReference)
			for _, a := range f.Args {
				g.needUnmarshal(a.TypeReference)
			}
		}
		g.objects = append(g.objects, obj)
	}
	sort.Slice(g.objects, func(i, j int) bool { return g.objects[i].Name < g.objects[j].Name })
}

// concurrent reports whether f's value is had by a call that may wait: a
// resolver or a method taking a context.
func concurrent(f *codegen.Field) bool { return f.IsResolver || f.MethodHasContext }

// unsupported says why field f cannot be written by the fast path, or "".
func (g *generator) unsupported(f *codegen.Field) string {
	switch {
	case f.Stream:
		return "streamed"
	case f.Batch && (!f.IsResolver || f.Object.Root):
		return "batch field without a resolver"
	case len(f.ImplDirectives()) > 0:
		return "directives"
	case f.VOkFunc:
		return "method returning (value, bool)"
	case !f.IsResolver && !f.IsMethod() && !f.IsVariable():
		return "map model"
	case codegen.GetInlineArgsMetadata(f.Object.Name, f.Name) != nil:
		return "inline arguments"
	}
	for _, a := range f.Args {
		if why := g.unmarshalable(a.TypeReference); why != "" {
			return "argument " + a.Name + ": " + why
		}
	}
	return g.writable(f.TypeReference)
}

// writable says why values of ref cannot be written, or "".
func (g *generator) writable(ref *config.TypeReference) string {
	switch {
	case ref.IsPtrToSlice() || ref.IsPtrToPtr() || ref.IsPtrToIntf():
		return "pointer to a slice, pointer or interface"
	case ref.IsSlice():
		return g.writable(ref.Elem())
	}
	switch ref.Definition.Kind {
	case ast.Object:
		if g.objectOf(ref.Definition.Name) == nil {
			return "type " + ref.Definition.Name + " is not written"
		}
		if _, ok := ref.GO.Underlying().(*types.Struct); !ok && !ref.IsPtr() {
			return "model of kind " + ref.GO.Underlying().String()
		}
		return ""
	case ast.Scalar, ast.Enum:
		if g.scalarWriter(ref) == "" && ref.Marshaler == nil && !ref.IsMarshaler {
			return "scalar without a marshaler"
		}
		if ref.HasEnumValues() {
			return "enum with bound values"
		}
		return ""
	}
	return "type of kind " + string(ref.Definition.Kind)
}

// objectOf returns the codegen object named name, if it is written.
func (g *generator) objectOf(name string) *codegen.Object {
	for _, o := range g.data.Objects {
		if o.Name == name && o.Kind == ast.Object && !strings.HasPrefix(name, "__") && (!o.Root || o.Definition == g.data.Schema.Query) {
			return o
		}
	}
	return nil
}

// unmarshalable says why arguments of type ref cannot be coerced, or "".
func (g *generator) unmarshalable(ref *config.TypeReference) string {
	switch {
	case ref.IsPtrToSlice() || ref.IsPtrToPtr() || ref.IsPtrToIntf():
		return "pointer to a slice, pointer or interface"
	case ref.IsSlice():
		return g.unmarshalable(ref.Elem())
	case ref.Definition.Kind == ast.InputObject:
		return "input object"
	case ref.HasEnumValues():
		return "enum with bound values"
	case ref.Unmarshaler == nil && !ref.IsMarshaler:
		return "no unmarshaler"
	}
	return ""
}

// need records the value writers ref needs.
func (g *generator) need(ref *config.TypeReference) {
	name := writerName(ref)
	if _, ok := g.writers[name]; ok {
		return
	}
	g.writers[name] = ref
	if ref.IsSlice() {
		g.need(ref.Elem())
	}
}

// needUnmarshal records the argument unmarshalers ref needs.
func (g *generator) needUnmarshal(ref *config.TypeReference) {
	name := ref.UnmarshalFunc()
	if _, ok := g.unmarshalers[name]; ok {
		return
	}
	g.unmarshalers[name] = ref
	if ref.IsSlice() {
		g.needUnmarshal(ref.Elem())
	}
}

// writerName names the writer of values of ref, after gqlgen's marshaler
// of them.
func writerName(ref *config.TypeReference) string {
	return "write" + strings.TrimPrefix(ref.MarshalFunc(), "marshal")
}

// ref returns how the generated file names t, importing its package.
func ref(t types.Type) string { return templates.CurrentImports.LookupType(t) }

// Code returns the generated file's body. It runs while the file renders,
// so that the packages it names are imported.
func (g *generator) Code() string {
	var b strings.Builder
	g.table(&b)
	for _, o := range g.objects {
		g.objectWriter(&b, o)
	}
	names := sortedKeys(g.writers)
	for _, name := range names {
		g.valueWriter(&b, name, g.writers[name])
	}
	for _, o := range g.objects {
		for _, f := range o.fields {
			g.accessors(&b, o, f)
		}
	}
	for _, name := range sortedKeys(g.unmarshalers) {
		g.unmarshaler(&b, name, g.unmarshalers[name])
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// p writes a line of code.
func p(b *strings.Builder, format string, args ...any) {
	fmt.Fprintf(b, format, args...)
	b.WriteByte('\n')
}

// table writes schemaTypes: the object types, their fields and how each is
// had and written.
func (g *generator) table(b *strings.Builder) {
	p(b, "// schemaTypes returns the object types of the schema as the fast path")
	p(b, "// plans and writes them: every field it can write. A field missing here")
	p(b, "// (an operation selecting it runs on gqlgen's executor):")
	for _, o := range g.objects {
		for _, s := range o.skipped {
			p(b, "//   - %s.%s", o.Name, s)
		}
	}
	p(b, "func schemaTypes() map[string]*objectType {")
	p(b, "\treturn map[string]*objectType{")
	for _, o := range g.objects {
		p(b, "\t\t%q: {name: %q, async: %v, write: %s, fields: map[string]*fieldType{", o.Name, o.Name, o.async, g.objectDispatch(o))
		for i, f := range o.fields {
			kind, resolve, get, batch := "kindPlain", "nil", "nil", "nil"
			if f.Batch {
				kind, batch = "kindBatch", accessorName("batch", o, f)
			} else if concurrent(f) {
				kind, resolve = "kindResolver", accessorName("resolve", o, f)
			} else if f.TypeReference.Definition.Kind == ast.Object {
				get = accessorName("get", o, f)
			}
			elem := ""
			if f.TypeReference.Definition.Kind == ast.Object {
				elem = f.TypeReference.Definition.Name
			}
			entry := fmt.Sprintf("id: %d, object: %q, name: %q, kind: %s, source: %s", i+1, o.Name, f.Name, kind, nullSource(f))
			if elem != "" {
				entry += fmt.Sprintf(", elem: %q", elem)
			}
			if resolve != "nil" {
				entry += ", resolve: " + resolve
			}
			if get != "nil" {
				entry += ", get: " + get
			}
			if batch != "nil" {
				entry += ", batch: " + batch
			}
			if len(f.Args) > 0 {
				var names []string
				for _, a := range f.Args {
					names = append(names, strconv.Quote(a.Name))
				}
				entry += ", args: []string{" + strings.Join(names, ", ") + "}"
			}
			p(b, "\t\t\t%q: {%s},", f.Name, entry)
		}
		p(b, "\t\t}},")
	}
	p(b, "\t}")
	p(b, "}")
	p(b, "")
}

// nullSource is what gqlgen's InvalidNullError says a null of f came from.
func nullSource(f *codegen.Field) string {
	switch {
	case f.IsResolver:
		return "graphql.NullSourceResolver"
	case f.IsMethod():
		return "graphql.NullSourceModelMethod"
	}
	return "graphql.NullSourceModelField"
}

func accessorName(prefix string, o *object, f *codegen.Field) string {
	return prefix + o.Name + "_" + f.Name
}

func objectWriterName(o *codegen.Object) string { return "write" + o.Name }

// objectDispatch is the table's write func of o: its writer, for a value
// as its resolvers take it.
func (g *generator) objectDispatch(o *object) string {
	if o.Root {
		return fmt.Sprintf("func(w *writer, sel *selection, _ any, n *node, group int) bool { return %s(w, sel, n, group) }", objectWriterName(o.Object))
	}
	return fmt.Sprintf("func(w *writer, sel *selection, obj any, n *node, group int) bool { v, _ := obj.(%s); return %s(w, sel, v, n, group) }",
		ref(o.Reference()), objectWriterName(o.Object))
}

// objectWriter writes the writer of o's objects: each field of group in
// the selection, in its order.
func (g *generator) objectWriter(b *strings.Builder, o *object) {
	p(b, "// %s writes a %s of the selection sel: its fields of group.", objectWriterName(o.Object), o.Name)
	if o.Root {
		p(b, "func %s(w *writer, sel *selection, n *node, group int) bool {", objectWriterName(o.Object))
	} else {
		p(b, "func %s(w *writer, sel *selection, obj %s, n *node, group int) bool {", objectWriterName(o.Object), ref(o.Reference()))
	}
	p(b, "\tok := true")
	p(b, "\tw.begin(n)")
	p(b, "\tfor i, f := range sel.fields {")
	p(b, "\t\t_ = i // not every type's fields use it")
	p(b, "\t\tif f.group != group {")
	p(b, "\t\t\tcontinue")
	p(b, "\t\t}")
	p(b, "\t\tw.key(f)")
	p(b, "\t\tswitch f.typ.id {")
	p(b, "\t\tcase 0:")
	p(b, "\t\t\tw.str(%q)", o.Name)
	for i, f := range o.fields {
		p(b, "\t\tcase %d: // %s: %s", i+1, f.Name, f.TypeReference.GQL.String())
		g.fieldCase(b, o, f)
	}
	p(b, "\t\t}")
	p(b, "\t}")
	p(b, "\tw.end()")
	p(b, "\treturn ok")
	p(b, "}")
	p(b, "")
}

// fieldCase writes the case of field f in its object's writer.
func (g *generator) fieldCase(b *strings.Builder, o *object, f *codegen.Field) {
	ref := f.TypeReference
	if inline := g.inlineScalar(ref, "obj."+f.GoFieldName); f.IsVariable() && inline != "" {
		p(b, "\t\t\t%s", inline)
		return
	}
	p(b, "\t\t\tw.enter(f.elem)")
	invalid := "" // what a field's error does to its object's validity
	if ref.GQL.NonNull {
		invalid = "ok = false"
	}
	switch {
	case concurrent(f):
		p(b, "\t\t\tif s := n.at(i); s == nil || s.err != nil {")
		p(b, "\t\t\t\tw.failSlot(s, f)")
		if invalid != "" {
			p(b, "\t\t\t\t%s", invalid)
		}
		p(b, "\t\t\t} else {")
		p(b, "\t\t\t\tv, _ := s.v.(%s)", g.goType(ref))
		p(b, "\t\t\t\tok = w.%s(f, v, s.kid) && ok", writerName(ref))
		p(b, "\t\t\t}")
	case f.IsVariable():
		p(b, "\t\t\tok = w.%s(f, obj.%s, n.kid(i)) && ok", writerName(ref), f.GoFieldName)
	default: // a method
		p(b, "\t\t\tvar v %s", g.goType(ref))
		p(b, "\t\t\tvar err error")
		p(b, "\t\t\tif s := n.at(i); s != nil {")
		p(b, "\t\t\t\tv, _ = s.v.(%s)", g.goType(ref))
		p(b, "\t\t\t\terr = s.err")
		p(b, "\t\t\t} else {")
		p(b, "\t\t\t\tv, err = call(w, func() (%s, error) { %s })", g.goType(ref), g.methodCall(f, "w.x", "w.ctx"))
		p(b, "\t\t\t}")
		p(b, "\t\t\tif err != nil {")
		p(b, "\t\t\t\tw.fail(err, f)")
		if invalid != "" {
			p(b, "\t\t\t\t%s", invalid)
		}
		p(b, "\t\t\t} else {")
		p(b, "\t\t\t\tok = w.%s(f, v, n.kid(i)) && ok", writerName(ref))
		p(b, "\t\t\t}")
	}
	p(b, "\t\t\tw.leave()")
}

// goType is the Go type of values of ref.
func (g *generator) goType(r *config.TypeReference) string { return ref(r.GO) }

// methodCall returns the body of a func (v, error) calling f's method on
// obj, its arguments coerced first (x is the execution, ctx its context).
func (g *generator) methodCall(f *codegen.Field, x, ctx string) string {
	var b strings.Builder
	args := g.coerceArgs(&b, f, x, "nil")
	if f.MethodHasContext {
		args = append([]string{ctx}, args...)
	}
	call := fmt.Sprintf("obj.%s(%s)", f.GoFieldName, strings.Join(args, ", "))
	if f.NoErr {
		fmt.Fprintf(&b, "return %s, nil", call)
	} else {
		fmt.Fprintf(&b, "return %s", call)
	}
	return b.String()
}

// coerceArgs writes the coercion of f's arguments, each into a variable,
// returning zero (the zero value's expression for the caller's other
// result) and the error on failure; it returns the variables' names.
func (g *generator) coerceArgs(b *strings.Builder, f *codegen.Field, x, zero string) []string {
	if len(f.Args) == 0 {
		return nil
	}
	fmt.Fprintf(b, "args := f.ast.ArgumentMap(%s.opCtx.Variables); ", x)
	var names []string
	for i, a := range f.Args {
		name := fmt.Sprintf("arg%d", i)
		fmt.Fprintf(b, "var %s %s; if v, ok := args[%q]; ok { var err error; if %s, err = %s(v); err != nil { return %s, argError(%q, err) } }; ",
			name, ref(a.TypeReference.GO), a.Name, name, a.TypeReference.UnmarshalFunc(), zero, a.Name)
		names = append(names, name)
	}
	fmt.Fprintf(b, "if err := %s.checkArgs(f); err != nil { return %s, err }; ", x, zero)
	return names
}

// accessors writes how field f of o is had for the resolve phase: its
// resolver call, or, for an object-typed plain field, its value.
func (g *generator) accessors(b *strings.Builder, o *object, f *codegen.Field) {
	var body strings.Builder
	switch {
	case f.Batch:
		g.batchAccessor(b, o, f)
		return
	case f.IsResolver:
		args := g.coerceArgs(&body, f, "x", "nil")
		call := []string{"ctx"}
		if !o.Root {
			call = append(call, "obj")
		}
		call = append(call, args...)
		fmt.Fprintf(&body, "return x.s.resolvers.%s().%s(%s)", templates.ToGo(o.Name), f.GoFieldName, strings.Join(call, ", "))
	case f.MethodHasContext || f.TypeReference.Definition.Kind == ast.Object:
		if f.IsVariable() {
			fmt.Fprintf(&body, "return obj.%s, nil", f.GoFieldName)
		} else {
			body.WriteString(g.methodCall(f, "x", "ctx"))
		}
	default:
		return
	}
	name := accessorName("get", o, f)
	if concurrent(f) {
		name = accessorName("resolve", o, f)
	}
	p(b, "func %s(ctx context.Context, x *execution, f *field, objAny any) (any, error) {", name)
	if !o.Root {
		p(b, "\tobj, _ := objAny.(%s)", ref(o.Reference()))
	}
	p(b, "\t_ = ctx")
	p(b, "\t%s", body.String())
	p(b, "}")
	p(b, "")
}

// batchAccessor writes how batch field f of o is resolved for a list of
// objects at once: its batch resolver, called with the parents as gqlgen
// calls it (a slice of pointers), the results as the runtime takes them.
func (g *generator) batchAccessor(b *strings.Builder, o *object, f *codegen.Field) {
	p(b, "func %s(ctx context.Context, x *execution, f *field, parents []any) ([]any, error) {", accessorName("batch", o, f))
	p(b, "	objs := make([]%s, len(parents))", ref(o.Reference()))
	p(b, "	for i, p := range parents {")
	p(b, "		objs[i], _ = p.(%s)", ref(o.Reference()))
	p(b, "	}")
	var body strings.Builder
	args := g.coerceArgs(&body, f, "x", "nil")
	if body.Len() > 0 {
		p(b, "	%s", body.String())
	}
	call := append([]string{"ctx", "objs"}, args...)
	p(b, "	res, err := x.s.resolvers.%s().%s(%s)", templates.ToGo(o.Name), f.GoFieldName, strings.Join(call, ", "))
	p(b, "	out := make([]any, len(res))")
	p(b, "	for i := range res {")
	p(b, "		out[i] = res[i]")
	p(b, "	}")
	p(b, "	return out, err")
	p(b, "}")
	p(b, "")
}

// scalarWriter returns the writer method of a scalar's value (not its
// pointer) when the fast path writes it itself, and how to convert the
// value for it: gqlgen's own marshalers, and the enums gqlgen generates.
func (g *generator) scalarWriter(r *config.TypeReference) string {
	if r.Marshaler != nil {
		switch r.Marshaler.Pkg().Path() + "." + r.Marshaler.Name() {
		case "github.com/99designs/gqlgen/graphql.MarshalString", "github.com/99designs/gqlgen/graphql.MarshalID":
			return "str:string"
		case "github.com/99designs/gqlgen/graphql.MarshalInt", "github.com/99designs/gqlgen/graphql.MarshalInt64", "github.com/99designs/gqlgen/graphql.MarshalInt32":
			return "int:int64"
		case "github.com/99designs/gqlgen/graphql.MarshalBoolean":
			return "bool:bool"
		case "github.com/99designs/gqlgen/graphql.MarshalFloatContext", "github.com/99designs/gqlgen/graphql.MarshalFloat":
			return "float:float64"
		case "github.com/99designs/gqlgen/graphql.MarshalTime":
			return "time:"
		}
		return ""
	}
	if r.IsMarshaler && r.Definition.Kind == ast.Enum && g.generatedEnum(r) {
		return "enum:string"
	}
	return ""
}

// generatedEnum reports whether r's Go type is an enum gqlgen's modelgen
// generated (a string whose MarshalGQL writes strconv.Quote of it): its
// MarshalGQL is declared in the models file.
func (g *generator) generatedEnum(r *config.TypeReference) bool {
	t := r.GO
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	if !ok {
		return false
	}
	if basic, ok := named.Underlying().(*types.Basic); !ok || basic.Kind() != types.String {
		return false
	}
	pkg := g.data.Config.Packages.Load(named.Obj().Pkg().Path())
	if pkg == nil || pkg.Fset == nil {
		return false
	}
	for m := range named.Methods() {
		if m.Name() == "MarshalGQL" {
			file := pkg.Fset.Position(m.Pos()).Filename
			return filepath.Clean(file) == filepath.Clean(g.data.Config.Model.Filename) ||
				filepath.Base(file) == filepath.Base(g.data.Config.Model.Filename) && g.data.Config.Model.ImportPath() == named.Obj().Pkg().Path()
		}
	}
	return false
}

// inlineScalar returns the statement writing the non-null scalar expr of
// ref in place, when it needs no checks, else "".
func (g *generator) inlineScalar(r *config.TypeReference, expr string) string {
	if !r.GQL.NonNull || r.IsPtr() || r.IsSlice() {
		return ""
	}
	w, conv, _ := strings.Cut(g.scalarWriter(r), ":")
	switch w {
	case "str", "int", "bool", "enum":
		return fmt.Sprintf("w.%s(%s(%s))", w, conv, expr)
	}
	return ""
}

// valueWriter writes the writer of values of ref: null, a scalar, an
// object or a list, reporting whether it is valid (not a null where ref is
// non-null).
func (g *generator) valueWriter(b *strings.Builder, name string, r *config.TypeReference) {
	gql := r.GQL.String()
	p(b, "// %s writes a %s.", name, gql)
	p(b, "func (w *writer) %s(f *field, v %s, n *node) bool {", name, g.goType(r))
	p(b, "\t_ = n")
	nilable := r.IsNilable()
	if nilable {
		p(b, "\tif v == nil {")
		if r.GQL.NonNull {
			p(b, "\t\tw.invalidNull(f, %q, f.typ.source)", gql)
			p(b, "\t\treturn false")
		} else {
			p(b, "\t\tw.null()")
			p(b, "\t\treturn true")
		}
		p(b, "\t}")
	}
	deref := "v"
	if r.IsPtr() {
		deref = "*v"
	}
	switch {
	case r.IsSlice():
		if !r.GQL.NonNull {
			p(b, "\tstart := len(w.b)")
		}
		p(b, "\tok := true")
		p(b, "\tw.b = append(w.b, '[')")
		p(b, "\tfor i := range v {")
		p(b, "\t\tif i > 0 {")
		p(b, "\t\t\tw.b = append(w.b, ',')")
		p(b, "\t\t}")
		p(b, "\t\tw.enter(ast.PathIndex(i))")
		p(b, "\t\tok = w.%s(f, v[i], n.elem(i)) && ok", writerName(r.Elem()))
		p(b, "\t\tw.leave()")
		p(b, "\t}")
		p(b, "\tw.b = append(w.b, ']')")
		g.result(b, r, "ok")
	case r.Definition.Kind == ast.Object:
		obj := "v"
		if !r.IsPtr() {
			obj = "&v"
		}
		if !r.GQL.NonNull {
			p(b, "\tstart := len(w.b)")
		}
		p(b, "\tok := %s(w, f.sub, %s, n, 0)", objectWriterName(g.objectOf(r.Definition.Name)), obj)
		g.result(b, r, "ok")
	default:
		w, conv, _ := strings.Cut(g.scalarWriter(r), ":")
		switch {
		case w == "time":
			p(b, "\tif !w.time(%s) {", deref)
			if r.GQL.NonNull {
				p(b, "\t\tw.invalidNull(f, %q, graphql.NullSourceMarshaler)", gql)
				p(b, "\t\treturn false")
			} else {
				p(b, "\t\tw.null()")
			}
			p(b, "\t}")
		case w != "":
			p(b, "\tw.%s(%s(%s))", w, conv, deref)
		case r.Marshaler != nil && r.IsContext:
			p(b, "\tw.marshalContext(%s(%s))", callName(r.Marshaler), castFor(r, deref))
		case r.Marshaler != nil:
			p(b, "\tw.marshal(%s(%s))", callName(r.Marshaler), castFor(r, deref))
		case r.IsContext:
			p(b, "\tw.marshalContext(v)")
		default:
			p(b, "\tw.marshal(v)")
		}
		p(b, "\treturn true")
	}
	p(b, "}")
	p(b, "")
}

// result ends a value writer of an object or list whose validity is ok: a
// nullable one turns an invalid value into null (and is valid).
func (g *generator) result(b *strings.Builder, r *config.TypeReference, ok string) {
	if r.GQL.NonNull {
		p(b, "\treturn %s", ok)
		return
	}
	p(b, "\tif !%s {", ok)
	p(b, "\t\tw.cutFrom(start)")
	p(b, "\t}")
	p(b, "\treturn true")
}

// callName names a marshaler or unmarshaler function, importing it.
func callName(f *types.Func) string {
	pkg := templates.CurrentImports.Lookup(f.Pkg().Path())
	return pkg + "." + f.Name()
}

// castFor converts a value for its marshaler, as gqlgen does.
func castFor(r *config.TypeReference, v string) string {
	if r.CastType != nil {
		return ref(r.CastType) + "(" + v + ")"
	}
	return v
}

// unmarshaler writes the coercion of an argument's value of type r,
// mirroring gqlgen's generated unmarshalers.
func (g *generator) unmarshaler(b *strings.Builder, name string, r *config.TypeReference) {
	p(b, "func %s(v any) (%s, error) {", name, g.goType(r))
	if r.IsNilable() && !r.GQL.NonNull {
		p(b, "\tif v == nil {")
		p(b, "\t\treturn nil, nil")
		p(b, "\t}")
	}
	switch {
	case r.IsSlice():
		p(b, "\tlist := graphql.CoerceList(v)")
		p(b, "\tres := make(%s, len(list))", g.goType(r))
		p(b, "\tfor i := range list {")
		p(b, "\t\tvar err error")
		p(b, "\t\tif res[i], err = %s(list[i]); err != nil {", r.Elem().UnmarshalFunc())
		p(b, "\t\t\treturn nil, argError(i, err)")
		p(b, "\t\t}")
		p(b, "\t}")
		p(b, "\treturn res, nil")
	case r.Unmarshaler != nil:
		call := callName(r.Unmarshaler) + "(v)"
		if r.IsContext {
			call = callName(r.Unmarshaler) + "(context.Background(), v)"
		}
		target := r.GO
		if r.IsPtr() {
			target = r.GO.(*types.Pointer).Elem()
		}
		p(b, "\ttmp, err := %s", call)
		p(b, "\tres := %s(tmp)", ref(target))
		if r.IsPtr() {
			p(b, "\treturn &res, err")
		} else {
			p(b, "\treturn res, err")
		}
	default: // IsMarshaler
		if r.IsPtr() {
			p(b, "\tres := new(%s)", ref(r.GO.(*types.Pointer).Elem()))
		} else {
			p(b, "\tvar res %s", g.goType(r))
		}
		p(b, "\terr := res.UnmarshalGQL(v)")
		p(b, "\treturn res, err")
	}
	p(b, "}")
	p(b, "")
}
