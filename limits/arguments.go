package limits

import (
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/contract"
)

// The argument limits of the public contract (see package contract).
const (
	// MaxUserIDs is the most ids dashboards(userIds) takes.
	MaxUserIDs = contract.MaxUserIDs
	// MaxFirst is the largest `first` a list field takes.
	MaxFirst = contract.MaxFirst
)

// argument returns the value of f's argument name with vars applied, as
// f.ArgumentMap(vars)[name] would, without building the map of every
// argument (about 2.4 KB per dashboard): the value written, or the
// variable's if the variable was sent, or else the definition's default;
// nil for none, or for a value vars cannot complete (validation refused
// those).
func argument(f *ast.Field, name string, vars map[string]any) any {
	if f.Definition == nil {
		return nil
	}
	def := f.Definition.Arguments.ForName(name)
	if def == nil {
		return nil
	}
	if a := f.Arguments.ForName(name); a != nil && a.Value != nil {
		if a.Value.Kind != ast.Variable {
			v, _ := a.Value.Value(vars)
			return v
		}
		if v, ok := vars[a.Value.Raw]; ok {
			return v
		}
	}
	if def.DefaultValue == nil {
		return nil
	}
	v, _ := def.DefaultValue.Value(vars)
	return v
}

// checkArguments checks the contract's argument rules for a field, with
// variables applied: ids of the contract's format, at most MaxUserIDs of
// them, first in 0..MaxFirst. Values are read as gqlgen will coerce them
// for the resolvers: a single value where a list is expected is a list of
// one, and an ID may be written as an integer.
func checkArguments(f *ast.Field, vars map[string]any) error {
	if f.ObjectDefinition == nil {
		return nil
	}
	// The arguments are collected only for the fields that have rules:
	// every field of every document comes here.
	switch f.ObjectDefinition.Name + "." + f.Name {
	case "Query.dashboard":
		return CheckUserID(argument(f, "userId", vars))
	case "Query.dashboards":
		ids := graphql.CoerceList(argument(f, "userIds", vars))
		if len(ids) > MaxUserIDs {
			return apierror.BadInput("dashboards takes at most %d userIds, not %d", MaxUserIDs, len(ids))
		}
		for _, id := range ids {
			if err := CheckUserID(id); err != nil {
				return err
			}
		}
	case "Dashboard.orders", "Dashboard.recommendations", "Dashboard.notifications":
		return checkFirst(f.Name, argument(f, "first", vars))
	}
	return nil
}

// CheckUserID returns a BAD_USER_INPUT error unless id, coerced as an ID,
// is of the contract's id format.
func CheckUserID(id any) error {
	s, err := graphql.UnmarshalID(id)
	if err != nil || !contract.ValidID(s) {
		return badUserID()
	}
	return nil
}

// CheckUserIDs is CheckUserID for the ids a resolver received, and their
// number.
func CheckUserIDs(ids ...string) error {
	if len(ids) > MaxUserIDs {
		return apierror.BadInput("dashboards takes at most %d userIds, not %d", MaxUserIDs, len(ids))
	}
	for _, id := range ids {
		if !contract.ValidID(id) {
			return badUserID()
		}
	}
	return nil
}

func badUserID() error {
	return apierror.BadInput("userId must be 1 to 64 characters from A-Z, a-z, 0-9, _ and -")
}

func checkFirst(field string, v any) error {
	var n int64
	switch first := v.(type) {
	case nil:
		return nil // null: the default applies
	case int64:
		n = first
	case int:
		n = int64(first)
	case json.Number:
		i, err := first.Int64()
		if err != nil {
			return apierror.BadInput("%s(first:) must be a whole number", field)
		}
		n = i
	default:
		return apierror.BadInput("%s(first:) must be a whole number", field)
	}
	if n < 0 || n > MaxFirst {
		return apierror.BadInput("%s(first:) must be between 0 and %d", field, MaxFirst)
	}
	return nil
}
