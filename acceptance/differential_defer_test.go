package acceptance_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/acme/dashboard-gateway/gatewaytest/docgen"
)

// checkIncremental checks, on its own, the answer inc of one gateway to a
// client accepting incremental delivery against its answer plain to the
// same request from a JSON client: no part is empty, every part is where
// a deferred fragment of the document is and has its label, and the parts
// merged into the initial payload make plain's data and errors. It returns
// what is wrong, a line each, the first word the kind.
func checkIncremental(req docgen.Request, inc, plain answer) []string {
	var problems []string
	if plain.media == "multipart/mixed" {
		problems = append(problems, "multipart answer to a JSON client")
	}
	if inc.malformed != "" || plain.malformed != "" {
		return problems // the comparison across paths shows it
	}
	if inc.media != "multipart/mixed" {
		if inc.status != plain.status || !bytes.Equal(inc.data, plain.data) || !slices.Equal(inc.errors, plain.errors) {
			problems = append(problems, "JSON answer to an incremental client differs from the JSON client's")
		}
		return problems
	}
	sites := deferSites(req)
	for _, r := range inc.incremental {
		if string(r.Data) == "{}" {
			problems = append(problems, "empty part: "+r.String())
		}
		path, label := siteOf(r)
		switch {
		case sites[path+" @"+label]:
		case slices.ContainsFunc(keys(sites), func(s string) bool { return strings.HasPrefix(s, path+" @") }):
			problems = append(problems, fmt.Sprintf("part labelled as no deferred fragment at its path: %q is none of %v: %s", label, keys(sites), r))
		default:
			problems = append(problems, fmt.Sprintf("part outside any deferred fragment: %s is none of %v: %s", path, keys(sites), r))
		}
	}
	data, errs, err := merge(inc)
	if err != nil {
		return append(problems, "parts do not merge: "+err.Error())
	}
	var want any
	if err := unmarshal(plain.data, &want); err != nil {
		return append(problems, "JSON answer's data unreadable: "+err.Error())
	}
	if !reflect.DeepEqual(data, want) {
		problems = append(problems, fmt.Sprintf("merged data differs from the JSON answer's: %s, JSON %s", canonical(data), canonical(want)))
	}
	if !slices.Equal(errs, plain.errors) {
		problems = append(problems, fmt.Sprintf("merged errors differ from the JSON answer's: %v, JSON %v", errs, plain.errors))
	}
	return problems
}

// merge applies the incremental results of a to its initial data, and
// returns the data and every error, canonical and sorted.
func merge(a answer) (any, []string, error) {
	var data any
	if err := unmarshal(a.data, &data); err != nil {
		return nil, nil, err
	}
	errs := slices.Clone(a.errors)
	for _, r := range a.incremental {
		target := data
		for _, el := range r.Path {
			switch key := el.(type) {
			case string:
				m, _ := target.(map[string]any)
				target = m[key]
			case json.Number:
				i, _ := key.Int64()
				list, _ := target.([]any)
				if i < 0 || int(i) >= len(list) {
					return nil, nil, fmt.Errorf("path %v: no element %d", r.Path, i)
				}
				target = list[i]
			}
		}
		obj, ok := target.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("path %v: not an object in the data", r.Path)
		}
		var part map[string]any
		if err := unmarshal(r.Data, &part); err != nil {
			return nil, nil, err
		}
		mergeObjects(obj, part)
		errs = append(errs, canonicalErrors(r.Errors)...)
	}
	slices.Sort(errs)
	return data, errs, nil
}

func mergeObjects(dst, src map[string]any) {
	for k, v := range src {
		d, dOK := dst[k].(map[string]any)
		s, sOK := v.(map[string]any)
		if dOK && sOK {
			mergeObjects(d, s)
			continue
		}
		dst[k] = v
	}
}

func unmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// siteOf returns where a result goes: its path without list indices, and
// its label.
func siteOf(r incremental) (path, label string) {
	var keys []string
	for _, el := range r.Path {
		if s, ok := el.(string); ok {
			keys = append(keys, s)
		}
	}
	if r.Label != nil {
		label = *r.Label
	}
	return strings.Join(keys, "."), label
}

// deferSites returns where the deferred fragments of the operation req
// runs are, as "path @label": the response keys to the object the
// fragment is in, and its label (a variable's value for one from a
// variable). Conditions are not decided: a site may have no part.
func deferSites(req docgen.Request) map[string]bool {
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		return nil
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return nil
	}
	sites := map[string]bool{}
	var walk func(set ast.SelectionSet, path []string, entered []string)
	deferred := func(ds ast.DirectiveList, path []string) {
		d := ds.ForName("defer")
		if d == nil {
			return
		}
		label := ""
		if arg := d.Arguments.ForName("label"); arg != nil {
			label = labelOf(arg.Value, op, req.Variables)
		}
		sites[strings.Join(path, ".")+" @"+label] = true
	}
	walk = func(set ast.SelectionSet, path []string, entered []string) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				walk(s.SelectionSet, append(slices.Clip(path), key), entered)
			case *ast.InlineFragment:
				deferred(s.Directives, path)
				walk(s.SelectionSet, path, entered)
			case *ast.FragmentSpread:
				deferred(s.Directives, path)
				if def := doc.Fragments.ForName(s.Name); def != nil && !slices.Contains(entered, s.Name) {
					walk(def.SelectionSet, path, append(slices.Clip(entered), s.Name))
				}
			}
		}
	}
	walk(op.SelectionSet, nil, nil)
	return sites
}

// labelOf returns the value of a label argument: the literal, or the
// variable's value in vars or its default.
func labelOf(v *ast.Value, op *ast.OperationDefinition, vars map[string]any) string {
	switch v.Kind {
	case ast.NullValue:
		return ""
	case ast.Variable:
	default:
		return v.Raw
	}
	if s, ok := vars[v.Raw].(string); ok {
		return s
	}
	if _, given := vars[v.Raw]; !given {
		if def := op.VariableDefinitions.ForName(v.Raw); def != nil && def.DefaultValue != nil {
			return def.DefaultValue.Raw
		}
	}
	return ""
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
