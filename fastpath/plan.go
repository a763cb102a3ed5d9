package fastpath

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// A plan is an operation with its selections collected and merged once, as
// GraphQL's CollectFields would for each object at run time: fragments and
// inline fragments expanded, @skip and @include decided (plans are per
// outcome of the operation's conditions), fields of the same response key
// merged, in the order of their first occurrence.
type plan struct {
	root []*field // of Query
}

// field is one response key of an object's selection.
type field struct {
	key    string     // the response key (the alias, else the name)
	name   string     // the schema field
	quoted []byte     // `"key":`, written before the value
	ast    *ast.Field // its first occurrence: arguments and position
	sub    []*field   // the merged selection of its value's type, if an object
}

// objectFields are the fields the fast path can write, per object type; a
// document asking for anything else (introspection, a field added to the
// schema since) is left to gqlgen's executor.
var objectFields = map[string]map[string]bool{
	"Query":            set("__typename", "dashboard", "dashboards"),
	"Dashboard":        set("__typename", "userId", "profile", "orders", "recommendations", "notifications", "wallet"),
	"Profile":          set("__typename", "id", "name", "email", "avatarUrl", "tier", "memberSince"),
	"Order":            set("__typename", "id", "status", "placedAt", "total", "items"),
	"OrderItem":        set("__typename", "quantity", "unitPrice", "product"),
	"Product":          set("__typename", "id", "name", "price", "imageUrl", "inStock"),
	"Recommendation":   set("__typename", "score", "reason", "product"),
	"NotificationFeed": set("__typename", "unreadCount", "items"),
	"Notification":     set("__typename", "id", "kind", "title", "createdAt", "read"),
	"Wallet":           set("__typename", "balance", "loyaltyPoints"),
	"Money":            set("__typename", "amountMinor", "currency", "formatted"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// conditions returns the @skip and @include directives of op that depend on
// variables, in a fixed order (fragments included, each once), and whether
// the fast path can run op at all: a query, no @defer or @stream, only the
// fields of objectFields. The validated document is trusted otherwise.
func conditions(op *ast.OperationDefinition) (conds []*ast.Directive, ok bool) {
	if op.Operation != ast.Query {
		return nil, false
	}
	seen := map[string]bool{}
	var walk func(set ast.SelectionSet) bool
	dirs := func(ds ast.DirectiveList) bool {
		for _, d := range ds {
			switch d.Name {
			case "skip", "include":
				if arg := d.Arguments.ForName("if"); arg != nil && arg.Value.Kind == ast.Variable {
					conds = append(conds, d)
				}
			default: // @defer, @stream, or one the fast path does not know
				return false
			}
		}
		return true
	}
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.ObjectDefinition == nil || !objectFields[s.ObjectDefinition.Name][s.Name] || !dirs(s.Directives) || !walk(s.SelectionSet) {
					return false
				}
			case *ast.InlineFragment:
				if !dirs(s.Directives) || !walk(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				if s.Definition == nil || !dirs(s.Directives) {
					return false
				}
				if !seen[s.Name] {
					seen[s.Name] = true
					if !walk(s.Definition.SelectionSet) {
						return false
					}
				}
			}
		}
		return true
	}
	return conds, walk(op.SelectionSet)
}

// compile returns the plan of op for the values of vars: the limits bound
// its size (it expands fragments as execution would).
func compile(op *ast.OperationDefinition, vars map[string]any) *plan {
	return &plan{root: collect("Query", []ast.SelectionSet{op.SelectionSet}, vars)}
}

// collect merges the selection sets of one object of type typeName.
func collect(typeName string, sets []ast.SelectionSet, vars map[string]any) []*field {
	var out []*field
	byKey := map[string]*field{}
	var subs map[*field][]ast.SelectionSet
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !included(s.Directives, vars) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				f := byKey[key]
				if f == nil {
					f = &field{key: key, name: s.Name, ast: s, quoted: quotedKey(key)}
					byKey[key] = f
					out = append(out, f)
				}
				if len(s.SelectionSet) > 0 {
					if subs == nil {
						subs = map[*field][]ast.SelectionSet{}
					}
					subs[f] = append(subs[f], s.SelectionSet)
				}
			case *ast.InlineFragment:
				if (s.TypeCondition == "" || s.TypeCondition == typeName) && included(s.Directives, vars) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if visited[s.Name] || !included(s.Directives, vars) || s.Definition == nil || s.Definition.TypeCondition != typeName {
					continue
				}
				visited[s.Name] = true
				walk(s.Definition.SelectionSet)
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	for _, f := range out {
		if sets := subs[f]; len(sets) > 0 {
			f.sub = collect(f.ast.Definition.Type.Name(), sets, vars)
		}
	}
	return out
}

// included decides @skip and @include, as GraphQL's CollectFields does.
func included(ds ast.DirectiveList, vars map[string]any) bool {
	for _, d := range ds {
		v, _ := d.ArgumentMap(vars)["if"].(bool)
		switch {
		case d.Name == "skip" && v:
			return false
		case d.Name == "include" && !v:
			return false
		}
	}
	return true
}

// quotedKey returns `"key":`. Response keys are GraphQL names: nothing in
// them needs escaping.
func quotedKey(key string) []byte {
	b := make([]byte, 0, len(key)+3)
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// mask returns which of conds hold for vars, one bit each (at most 64 are
// planned; more make the operation the executor's).
func mask(conds []*ast.Directive, vars map[string]any) uint64 {
	var m uint64
	for i, d := range conds {
		if v, _ := d.ArgumentMap(vars)["if"].(bool); v {
			m |= 1 << i
		}
	}
	return m
}
