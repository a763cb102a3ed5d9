package limits

import (
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
	return r
}
