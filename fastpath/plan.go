package fastpath

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// A plan is an operation with its selections collected and merged once, as
// GraphQL's CollectFields would for each object at run time: fragments and
// inline fragments expanded, @skip and @include decided (plans are per
// outcome of the operation's conditions), fields of the same response key
// merged, in the order of their first occurrence.
//
// A plan may split a Dashboard's fields into groups: group 0 goes in the
// initial response, group g > 0 is the deferred fragment defers[g-1], sent
// in a part of its own once its fields resolve (see defer.go).
type plan struct {
	root   []*field // of Query
	defers []string // the labels of the deferred groups, by group - 1
}

// field is one response key of an object's selection.
type field struct {
	key    string          // the response key (the alias, else the name)
	name   string          // the schema field
	quoted []byte          // `"key":`, written before the value
	elem   ast.PathElement // key in a path, made once: boxing it costs an allocation
	ast    *ast.Field      // its first occurrence: arguments and position
	sub    []*field        // the merged selection of its value's type, if an object
	group  int             // of a Dashboard field: its deferred group, 0 if none
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
// the fast path can run op at all: a query, no @stream, only the
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
			case "defer":
				if arg := d.Arguments.ForName("if"); arg != nil && arg.Value.Kind == ast.Variable {
					conds = append(conds, d)
				}
			default: // @stream, or one the fast path does not know
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
// its size (it expands fragments as execution would). With incremental
// set, the @defer fragments of Dashboard objects become deferred groups;
// without it, and everywhere else, a deferred fragment is delivered with
// its parent, as the incremental delivery RFC lets a server choose.
func compile(op *ast.OperationDefinition, vars map[string]any, incremental bool) *plan {
	c := &compiler{vars: vars, incremental: incremental}
	root := c.collect("Query", []ast.SelectionSet{op.SelectionSet})
	return &plan{root: root, defers: c.labels}
}

// compiler collects the selections of one plan.
type compiler struct {
	vars        map[string]any
	incremental bool
	labels      []string // of the deferred groups found so far
	groups      map[ast.Selection]int
}

// deferred returns the group of the fragment sel of an object of type
// typeName inside group outer: a new one when sel is deferred, else outer.
func (c *compiler) deferred(typeName string, sel ast.Selection, ds ast.DirectiveList, outer int) int {
	if !c.incremental || typeName != "Dashboard" {
		return outer
	}
	d := ds.ForName("defer")
	if d == nil {
		return outer
	}
	args := d.ArgumentMap(c.vars)
	if on, ok := args["if"].(bool); ok && !on {
		return outer
	}
	// A fragment met again (another dashboard of a list, or a spread used
	// twice) is the same group.
	if g, ok := c.groups[sel]; ok {
		return g
	}
	if c.groups == nil {
		c.groups = map[ast.Selection]int{}
	}
	label, _ := args["label"].(string)
	c.labels = append(c.labels, label)
	c.groups[sel] = len(c.labels)
	return len(c.labels)
}

// collect merges the selection sets of one object of type typeName.
func (c *compiler) collect(typeName string, sets []ast.SelectionSet) []*field {
	vars := c.vars
	var out []*field
	byKey := map[string]*field{}
	var subs map[*field][]ast.SelectionSet
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet, group int)
	walk = func(set ast.SelectionSet, group int) {
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
					f = &field{key: key, name: s.Name, ast: s, quoted: quotedKey(key), elem: ast.PathName(key), group: group}
					byKey[key] = f
					out = append(out, f)
				} else if group == 0 {
					f.group = 0 // selected outside any deferred fragment too
				}
				if len(s.SelectionSet) > 0 {
					if subs == nil {
						subs = map[*field][]ast.SelectionSet{}
					}
					subs[f] = append(subs[f], s.SelectionSet)
				}
			case *ast.InlineFragment:
				if (s.TypeCondition == "" || s.TypeCondition == typeName) && included(s.Directives, vars) {
					walk(s.SelectionSet, c.deferred(typeName, s, s.Directives, group))
				}
			case *ast.FragmentSpread:
				if visited[s.Name] || !included(s.Directives, vars) || s.Definition == nil || s.Definition.TypeCondition != typeName {
					continue
				}
				visited[s.Name] = true
				walk(s.Definition.SelectionSet, c.deferred(typeName, s, s.Directives, group))
			}
		}
	}
	for _, set := range sets {
		walk(set, 0)
	}
	for _, f := range out {
		if sets := subs[f]; len(sets) > 0 {
			f.sub = c.collect(f.ast.Definition.Type.Name(), sets)
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
