package fastpath

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// writer writes a response's data, as gqlgen's executor would, byte for
// byte, and reports the errors met on the way with their paths. The
// generated writer of each type (schema_gen.go) drives it: each writes
// one value and reports whether it is valid; an invalid value (a null in a
// non-null position) makes its nearest nullable ancestor null, as the
// specification's null propagation does, once every sibling was written
// (their errors count too).
type writer struct {
	x    *execution
	ctx  context.Context // the response's: errors are added to it
	b    []byte
	path ast.Path // of the value being written

	// seq numbers the objects written and the cuts made, so that the
	// parts of an object a cut removed are not sent (defer.go).
	seq  int
	cuts []cut
}

// cut is a nullable value replaced by null from byte at on.
type cut struct{ seq, at int }

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

// writer returns a writer for the response of ctx, from the pool.
func (x *execution) writer(ctx context.Context) *writer {
	w, ok := x.s.writers.Get().(*writer)
	if !ok {
		w = &writer{path: make(ast.Path, 0, 8)}
	}
	w.x, w.ctx = x, ctx
	return w
}

// bytes returns what w wrote, in a slice of its own size, and gives w back
// to the pool (release).
func (w *writer) bytes() []byte {
	out := slices.Clone(w.b)
	w.release()
	return out
}

// release gives w back to the pool (a buffer past maxPooled is dropped);
// what it wrote is gone.
func (w *writer) release() {
	s := w.x.s
	b := w.b[:0]
	if cap(b) > maxPooled {
		b = nil
	}
	*w = writer{b: b, path: w.path[:0], cuts: w.cuts[:0]}
	s.writers.Put(w)
}

// Write implements io.Writer, for the marshalers of scalars the generated
// code does not write itself.
func (w *writer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// enter and leave keep w.path: the path of what is being written, copied
// only when an error is met.
func (w *writer) enter(el ast.PathElement) { w.path = append(w.path, el) }
func (w *writer) leave()                   { w.path = w.path[:len(w.path)-1] }

// begin starts writing an object, whose node (if any) is n.
func (w *writer) begin(n *node) {
	if n != nil {
		w.seq++
		n.seq, n.pos = w.seq, len(w.b)
	}
	w.b = append(w.b, '{')
}

// end ends writing an object.
func (w *writer) end() { w.b = append(w.b, '}') }

// key starts the member of field f.
func (w *writer) key(f *field) {
	if w.b[len(w.b)-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, f.quoted...)
}

// cutFrom replaces what was written from start on with null: a nullable
// value holding an invalid one.
func (w *writer) cutFrom(start int) {
	w.seq++
	w.cuts = append(w.cuts, cut{seq: w.seq, at: start})
	w.b = append(w.b[:start], "null"...)
}

func (w *writer) null() { w.b = append(w.b, "null"...) }

// str writes s as gqlgen's MarshalString and MarshalID do: '"', '\\' and
// control characters escaped, everything else as it is.
func (w *writer) str(s string) {
	const hex = "0123456789ABCDEF"
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

// enum writes an enum value as gqlgen's generated enums marshal
// themselves: strconv.Quote of its name.
func (w *writer) enum(s string) { w.b = strconv.AppendQuote(w.b, s) }

func (w *writer) int(i int64) { w.b = strconv.AppendInt(w.b, i, 10) }

func (w *writer) bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

// float writes f as gqlgen's MarshalFloatContext does (%g); NaN and the
// infinities are an error at the field, and null (gqlgen finds them only
// while writing, too late to propagate the null).
func (w *writer) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		graphql.AddError(w.ctx, gqlerror.WrapPath(slices.Clone(w.path), errors.New("cannot marshal infinite no NaN float values")))
		w.null()
		return
	}
	w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
}

// time writes t as gqlgen's MarshalTime does (RFC 3339 with nanoseconds as
// needed), and reports false for the zero time, which MarshalTime makes
// null.
func (w *writer) time(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
	return true
}

// marshal writes a scalar with its own gqlgen marshaler.
func (w *writer) marshal(m graphql.Marshaler) {
	if m == nil {
		w.null()
		return
	}
	m.MarshalGQL(w)
}

// marshalContext writes a scalar with its own context marshaler; its
// error is the field's, as gqlgen reports it, and the value null.
func (w *writer) marshalContext(m graphql.ContextMarshaler) {
	start := len(w.b)
	if err := m.MarshalGQLContext(w.ctx, w); err != nil {
		w.b = w.b[:start]
		graphql.AddError(w.ctx, gqlerror.WrapPath(slices.Clone(w.path), err))
		w.null()
	}
}

// fail reports err as the error of field f at w.path, as gqlgen reports
// a resolver's (with the field's location) or a panic's (without), and
// writes null.
func (w *writer) fail(err error, f *field) {
	if !apierror.ErrorsLeft(w.ctx) { // past the answer's cap: not built
		apierror.Drop(w.ctx)
		w.null()
		return
	}
	path := slices.Clone(w.path)
	switch e := err.(type) {
	case recovered:
		graphql.AddError(w.ctx, onPath(e.err, path))
		w.null()
		return
	case argErr:
		graphql.AddError(w.ctx, onPath(e.err, append(path, e.rel...)))
		w.null()
		return
	case batchErr:
		addBatchError(w.ctx, e.err, path)
		w.null()
		return
	}
	var loc []gqlerror.Location
	if p := f.ast.Position; p != nil && p.Line != 0 {
		loc = []gqlerror.Location{{Line: p.Line, Column: p.Column}}
	}
	if e, ok := errors.AsType[*gqlerror.Error](err); ok {
		if e.Locations == nil {
			e.Locations = loc
		}
		graphql.AddError(w.ctx, onPath(err, path))
	} else {
		e := gqlerror.WrapPath(path, err)
		e.Locations = loc
		graphql.AddError(w.ctx, e)
	}
	w.null()
}

// addBatchError is graphql.AddBatchError for an explicit path.
func addBatchError(ctx context.Context, err error, path ast.Path) {
	if list, ok := err.(gqlerror.List); ok {
		for _, item := range list {
			if item == nil {
				continue
			}
			if item.Path == nil {
				cloned := *item
				cloned.Path = path
				item = &cloned
			}
			graphql.AddError(ctx, item)
		}
		return
	}
	if e, ok := errors.AsType[*gqlerror.Error](err); ok {
		if e.Path == nil {
			cloned := *e
			cloned.Path = path
			e = &cloned
		}
		graphql.AddError(ctx, e)
		return
	}
	graphql.AddError(ctx, gqlerror.WrapPath(path, err))
}

// onPath is graphql.ErrorOnPath for an explicit path.
func onPath(err error, path ast.Path) error {
	if e, ok := errors.AsType[*gqlerror.Error](err); ok {
		if e.Path == nil {
			e.Path = path
		}
		return err
	}
	return gqlerror.WrapPath(path, err)
}

// failSlot reports the error of a resolver field's slot (nil: a field
// that was never resolved, a bug).
func (w *writer) failSlot(s *slot, f *field) {
	if s == nil {
		w.fail(errUnresolved, f)
		return
	}
	w.fail(s.err, f)
}

// errUnresolved is a resolver field the resolve phase did not resolve.
var errUnresolved = errors.New("fastpath: field not resolved")

// invalidNull reports a null in a non-null position at w.path, as gqlgen
// does (an *graphql.InvalidNullError, which the presenter shows as an
// internal error), and writes null. declared is the type that forbade it.
func (w *writer) invalidNull(f *field, declared string, source graphql.NullSource) {
	path := slices.Clone(w.path)
	_, element := path[len(path)-1].(ast.PathIndex)
	e := &graphql.InvalidNullError{
		Object: f.typ.object, Field: f.typ.name, DeclaredType: declared,
		Source: source, ListElement: element, Path: path,
	}
	graphql.AddError(w.ctx, gqlerror.WrapPath(path, e))
	w.null()
}

// call calls a model's method for the writer; a panic is the field's
// error, as gqlgen makes it.
func call[T any](w *writer, m func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered{w.x.opCtx.Recover(w.ctx, p)}
		}
	}()
	return m()
}

// writeInitial writes the initial response's data: every field but the
// deferred ones. The root fields are non-null: an invalid one makes the
// data null.
func (x *execution) writeInitial(ctx context.Context) []byte {
	w := x.writer(ctx)
	if !x.s.types["Query"].write(w, x.plan.root, nil, x.root, 0) {
		w.b = append(w.b[:0], "null"...)
		w.seq++
		w.cuts = append(w.cuts, cut{seq: w.seq, at: 0})
	}
	x.cuts = slices.Clone(w.cuts) // w goes back to the pool
	if graphqlhttp.Recycle(ctx, w.release) {
		return w.b // w goes back once the answer is written
	}
	return w.bytes()
}
