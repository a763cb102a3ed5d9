package limits

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// ValidationRules returns gqlparser's validation rules without their name
// suggestions ("Did you mean ...?"), for gqlgen's executor
// (SetDefaultRulesFn, with SetDisableSuggestion(true) for the two rules it
// swaps itself). A suggestion compares the unknown name with every
// candidate (edit distance: the product of their lengths), every time
// validation meets it: an unknown field of 64 characters costs 14 µs per
// visit with suggestions and under 1 µs without, and one fragment on an
// unknown type named with 19 KB took 15 ms, whatever the introspection
// setting (gqlgen only turns off the field suggestions). Without them the
// limits of Document bound validation. They also named types and
// arguments that introspection hides.
func ValidationRules() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct {
		name string
		rule core.Rule
	}{
		{"FieldsOnCorrectType", rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{"ScalarLeafs", rules.ScalarLeafsRuleWithoutSuggestions},
		{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},
		{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.name)
		r.AddRule(swap.rule.Name, swap.rule.RuleFunc)
	}
	r.AddRule(DeferLabelsRule.Name, DeferLabelsRule.RuleFunc)
	return r
}

// DeferLabelsRule is the incremental delivery RFC's rule that gqlparser
// lacks (graphql-js has it): a @defer's label is a static string, unique in
// the document. A label names a part for the client; one taken from a
// variable could differ between two requests that share a plan.
var DeferLabelsRule = core.Rule{
	Name: "DeferLabels",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		seen := map[string]bool{}
		observers.OnDirective(func(_ *core.Walker, d *ast.Directive) {
			if d.Name != "defer" {
				return
			}
			arg := d.Arguments.ForName("label")
			if arg == nil || arg.Value == nil || arg.Value.Kind == ast.NullValue {
				return
			}
			if arg.Value.Kind != ast.StringValue && arg.Value.Kind != ast.BlockValue {
				addError(core.Message(`The "label" argument of @defer must be a static string.`), core.At(arg.Position))
				return
			}
			if seen[arg.Value.Raw] {
				addError(core.Message(`The label %q of @defer is used more than once: labels must be unique in the document.`, arg.Value.Raw), core.At(arg.Position))
			}
			seen[arg.Value.Raw] = true
		})
	},
}
