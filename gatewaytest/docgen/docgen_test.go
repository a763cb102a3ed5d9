package docgen_test

import (
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/acme/dashboard-gateway/gatewaytest/docgen"
	"github.com/acme/dashboard-gateway/graph"
)

var schema = graph.NewExecutableSchema(graph.Config{}).Schema()

// sample returns n documents of seed and one request of each, as JSON.
func sample(tb testing.TB, seed uint64, n int) []string {
	tb.Helper()
	g := docgen.New(schema, seed)
	var out []string
	for range n {
		d := g.Document()
		b, err := json.Marshal(g.Request(d))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := sample(t, 7, 50), sample(t, 7, 50)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 7, request %d:\n%s\nthen\n%s\nwant the same", i, a[i], b[i])
		}
	}
	if other := sample(t, 8, 50); other[0] == a[0] {
		t.Errorf("seeds 7 and 8 begin with the same request %s; want another", a[0])
	}
}

// validate returns the document's parse or validation errors.
func validate(query string) error {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return err
	}
	if errs := validator.Validate(schema, doc); len(errs) > 0 {
		return errs
	}
	return nil
}

// Documents are valid unless a defect was made on purpose, and that is
// one in ten or so.
func TestValidity(t *testing.T) {
	const n = 1000
	g := docgen.New(schema, 1)
	invalid := map[string]int{}
	for i := range n {
		d := g.Document()
		err := validate(d.Query)
		switch {
		case d.Invalid == "" && err != nil:
			t.Errorf("document %d: %v; want it valid:\n%s", i, err, d.Query)
		case d.Invalid != "" && err == nil:
			t.Errorf("document %d: valid; want it invalid (%s):\n%s", i, d.Invalid, d.Query)
		}
		if d.Invalid != "" {
			invalid[d.Invalid]++
		}
	}
	total := 0
	for _, c := range invalid {
		total += c
	}
	if total < n/20 || total > n/8 {
		t.Errorf("%d of %d documents invalid (%v); want 5%% to 12%%", total, n, invalid)
	}
}

// Every feature and defect comes up within a thousand documents or so.
func TestCoverage(t *testing.T) {
	want := []string{
		docgen.FeatureOperations, docgen.FeatureRootFields, docgen.FeatureAlias, docgen.FeatureAliasMerged,
		docgen.FeatureFieldMerged, docgen.FeatureFragment, docgen.FeatureFragmentReused, docgen.FeatureInline,
		docgen.FeatureInlineTyped, docgen.FeatureDeferNested, docgen.FeatureDeferReusedFragment,
		docgen.FeatureDeferLabelVariable, docgen.FeatureTypename, docgen.FeatureIntrospection,
		docgen.FeatureArgumentOmitted, docgen.FeatureNullLiteral, docgen.FeatureListCoercionLiteral,
		docgen.FeatureListCoercionVariable, docgen.FeatureVariableDefault, docgen.FeatureNullableWithDefault,
		docgen.FeatureVariableOmitted, docgen.FeatureVariableNull, docgen.FeatureNullToNonNull,
		docgen.FeatureVariableMissing, docgen.FeatureVariableWrongType, docgen.FeatureUnknownID,
		docgen.FeatureInvalidID, docgen.FeatureIncremental, docgen.FeatureNoOperationName,
		docgen.FeatureUnknownOperation,
		"@skip.if literal", "@skip.if variable", "@include.if literal", "@include.if variable",
		"@defer", "@defer.label literal", "@defer.if literal", "@defer.if variable",
		"null @defer.if", "null @skip.if", "null @include.if", "null dashboard.userId", "null dashboards.userIds",
		"null orders.first", "int 0", "int 1", "int 50", "int 51", "int -1",
	}
	const n = 1500
	g := docgen.New(schema, 1)
	seen := docgen.Features{}
	invalid := map[string]bool{}
	for range n {
		d := g.Document()
		invalid[d.Invalid] = true
		for range 3 {
			for f := range g.Request(d).Features {
				seen[f] = true
			}
		}
	}
	for _, f := range want {
		if !seen[f] {
			t.Errorf("no request of %d documents has %q", n, f)
		}
	}
	for _, defect := range []string{
		docgen.InvalidAliasConflict, docgen.InvalidUnknownField, docgen.InvalidMissingArgument,
		docgen.InvalidLiteralType, docgen.InvalidUndefinedVariable, docgen.InvalidUnusedVariable,
		docgen.InvalidFragmentType, docgen.InvalidUnknownDirective, docgen.InvalidSyntax,
	} {
		if !invalid[defect] {
			t.Errorf("no document of %d has the defect %q", n, defect)
		}
	}
}
