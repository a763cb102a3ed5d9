package loaders

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestRootFields(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: "type Query { a: Int b: Int }"})
	for _, tc := range []struct {
		doc  string
		want int
	}{
		{"{ a }", 1},
		{"{ a __typename }", 1},
		{"{ __typename }", 0},
		{"{ a b }", 2},
		{"{ x: a y: a }", 2},
		{"{ ... on Query { a } }", 1},
		{"{ ... on Query { a } b }", 2},
		{"{ ...F } fragment F on Query { a }", 1},
		{"{ ...F ...F } fragment F on Query { a }", 2},
		{"{ ...F } fragment F on Query { ... on Query { a b } }", 2},
		{"{ " + strings.Repeat("... on Query { ", 70) + "a" + strings.Repeat(" }", 70) + " }", 2}, // too far to look
	} {
		doc, err := gqlparser.LoadQuery(schema, tc.doc)
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		if got := rootFields(doc.Operations[0].SelectionSet); got != tc.want {
			t.Errorf("rootFields(%s) = %d, want %d", tc.doc, got, tc.want)
		}
	}
}
