package limits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/graph"
)

// genDocument turns fuzz bytes into a GraphQL document of a few
// operations and fragments that spread each other (cycles and unknown
// names included), with nesting, aliases, arguments, directives, inline
// fragments and repetition. Each byte writes at most one selection or
// repeats one up to 64 times.
func genDocument(data []byte) string {
	g := generator{data: data}
	nFrags := g.next() % 9
	nOps := 1 + g.next()%3
	var b strings.Builder
	for i := range nOps {
		fmt.Fprintf(&b, "query Q%d ", i)
		if g.next()%4 == 0 {
			b.WriteString("($n: Int, $ids: [ID!]) ")
		}
		g.set(&b, nFrags, 0)
		b.WriteByte('\n')
	}
	for i := range nFrags {
		fmt.Fprintf(&b, "fragment F%d on %s ", i, []string{"Query", "Dashboard"}[g.next()%2])
		g.set(&b, nFrags, 0)
		b.WriteByte('\n')
	}
	return b.String()
}

type generator struct {
	data []byte
	pos  int
}

func (g *generator) next() int {
	if g.pos >= len(g.data) {
		return 0
	}
	g.pos++
	return int(g.data[g.pos-1])
}

var genFields = []string{"__typename", "userId", `dashboard(userId: "u1")`, "dashboards(userIds: $ids)", "orders(first: $n)", "items", "product", "name", "wallet", "__type(name: \"Query\")", "ofType", "nope"}

// set writes a selection set: selections until a closing byte or the end.
func (g *generator) set(b *strings.Builder, nFrags, depth int) {
	b.WriteString("{ ")
	var last string
	n := 0
	defer func() {
		if n == 0 {
			b.WriteString("__typename ") // no empty selection sets
		}
		b.WriteString("} ")
	}()
	for ; g.pos < len(g.data) && n < 16; n++ {
		op := g.next()
		var sel strings.Builder
		switch op % 8 {
		case 0: // close
			if n > 0 {
				return
			}
			sel.WriteString("__typename")
		case 1, 2: // a field, maybe aliased, maybe with a directive
			if op&0x10 != 0 {
				fmt.Fprintf(&sel, "a%d: ", op>>5)
			}
			sel.WriteString(genFields[g.next()%len(genFields)])
			if op&0x20 != 0 {
				sel.WriteString(" @skip(if: false)")
			}
		case 3: // a field with a selection set
			sel.WriteString(genFields[2+g.next()%(len(genFields)-2)] + " ")
			if depth < 12 {
				g.set(&sel, nFrags, depth+1)
			} else {
				sel.WriteString("{ __typename }")
			}
		case 4, 5: // a spread, of any fragment or an unknown one
			fmt.Fprintf(&sel, "...F%d", g.next()%(nFrags+1))
		case 6: // an inline fragment
			sel.WriteString("... ")
			if depth < 12 {
				g.set(&sel, nFrags, depth+1)
			} else {
				sel.WriteString("{ __typename }")
			}
		case 7: // the last selection again, up to 64 times
			if last == "" {
				n--
			} else {
				b.WriteString(strings.Repeat(last+" ", g.next()%64))
			}
			continue
		}
		last = sel.String()
		b.WriteString(last + " ")
	}
}

// FuzzDocumentLimits measures generated documents: the work is linear in
// the document (at most a few visits per token, plus MaxNodes for the
// repeated fields), the memoized figures agree with expanding every
// fragment (when that is affordable), and gqlparser's validation of every
// accepted document takes bounded time.
func FuzzDocumentLimits(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 7, 60})
	f.Add([]byte{3, 1, 0, 4, 1, 4, 1, 1, 0, 0, 4, 2, 4, 2, 1, 0, 0, 4, 3, 4, 3, 0})
	f.Add([]byte{2, 2, 4, 0, 3, 3, 3, 1, 10, 0, 0, 0, 7, 63, 6, 1, 0, 0, 5, 1, 0})
	f.Add([]byte("\x08\x01\x04\x01\x00\x04\x02\x04\x02\x00\x04\x03\x04\x03\x00\x04\x04\x04\x04\x00\x04\x05\x04\x05\x00\x04\x06\x04\x06\x00\x04\x07\x04\x07\x00"))
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	f.Fuzz(func(t *testing.T, data []byte) {
		query := genDocument(data)
		l := Limits{}.withDefaults()
		start := time.Now()
		m, err := Document{}.check(context.Background(), query)
		elapsed := time.Since(start)
		switch reasonOf(err) {
		case ReasonQueryLength, ReasonTokens:
			return
		}
		if n := tokens(t, query); m.Work > n+l.MaxNodes {
			t.Errorf("visited %d nodes for %d tokens; want at most tokens + MaxNodes\n%s", m.Work, n, query)
		}
		if elapsed > 2*time.Second { // only an explosion takes this long
			t.Errorf("measured in %v\n%s", elapsed, query)
		}
		doc, perr := parser.ParseQuery(&ast.Source{Input: query})
		if perr != nil {
			t.Fatalf("generated an invalid document: %v\n%s", perr, query)
		}
		if err == nil || reasonOf(err) != "GRAPHQL_VALIDATION_FAILED" {
			checkAgainstExpansion(t, doc, m)
		}
		if err != nil {
			return
		}
		start = time.Now()
		errs := validator.ValidateWithRules(schema, doc, ValidationRules())
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("validated in %v (%d errors)\n%s", elapsed, len(errs), query)
		}
		if len(errs) == 0 {
			for _, op := range doc.Operations {
				c := coster{ctx: context.Background(), vars: map[string]any{"n": int64(3), "ids": []any{"u1"}}, frags: map[*ast.FragmentDefinition]int64{}}
				if _, err := c.set(op.SelectionSet); err != nil && !isInputError(err) {
					t.Errorf("cost: %v\n%s", err, query)
				}
				if c.work > m.Selections {
					t.Errorf("cost visited %d selections of %d written\n%s", c.work, m.Selections, query)
				}
			}
		}
	})
}

func isInputError(err error) bool {
	e, ok := errors.AsType[*apierror.Error](err)
	return ok && e.Code == apierror.BadUserInput
}

// checkAgainstExpansion expands every operation of doc naively, when its
// measures say that is affordable, and compares.
func checkAgainstExpansion(t *testing.T, doc *ast.QueryDocument, m measures) {
	t.Helper()
	if m.Fields > 5000 || m.Spreads > 5000 {
		return
	}
	var want measures
	for _, op := range doc.Operations {
		s := expand(doc, op.SelectionSet)
		want.Fields = max(want.Fields, s.fields)
		want.Spreads = max(want.Spreads, s.spreads)
		want.Aliases = max(want.Aliases, s.aliases)
		want.RootFields = max(want.RootFields, s.top)
		want.Depth = max(want.Depth, s.depth)
	}
	if want.Fields != m.Fields || want.Spreads != m.Spreads || want.Aliases != m.Aliases || want.RootFields != m.RootFields || want.Depth != m.Depth {
		t.Errorf("measured %v; expanding gives fields=%d spreads=%d aliases=%d root-fields=%d depth=%d",
			m, want.Fields, want.Spreads, want.Aliases, want.RootFields, want.Depth)
	}
}

// expand measures set by expanding every spread, the slow way.
func expand(doc *ast.QueryDocument, set ast.SelectionSet) shape {
	var s shape
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			c := expand(doc, sel.SelectionSet)
			s.fields += 1 + c.fields
			s.spreads += c.spreads
			s.aliases += c.aliases
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases++
			}
			s.top++
			s.depth = max(s.depth, 1+c.depth)
		case *ast.InlineFragment:
			c := expand(doc, sel.SelectionSet)
			c.spreads++
			s.add(c)
		case *ast.FragmentSpread:
			var c shape
			if def := doc.Fragments.ForName(sel.Name); def != nil {
				c = expand(doc, def.SelectionSet)
			}
			c.spreads++
			s.add(c)
		}
	}
	return s
}
