package limits

import (
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/downstream"
)

// checkArguments checks the contract's argument rules for a field, with
// variables applied: ids of the contract's format, at most MaxUserIDs of
// them, first in 0..MaxFirst.
func checkArguments(f *ast.Field, vars map[string]any) error {
	if f.ObjectDefinition == nil {
		return nil
	}
	args := f.ArgumentMap(vars)
	switch f.ObjectDefinition.Name + "." + f.Name {
	case "Query.dashboard":
		return CheckUserID(args["userId"])
	case "Query.dashboards":
		ids, _ := args["userIds"].([]any)
		if len(ids) > MaxUserIDs {
			return apierror.BadInput("dashboards takes at most %d userIds, not %d", MaxUserIDs, len(ids))
		}
		for _, id := range ids {
			if err := CheckUserID(id); err != nil {
				return err
			}
		}
	case "Dashboard.orders", "Dashboard.recommendations", "Dashboard.notifications":
		return checkFirst(f.Name, args["first"])
	}
	return nil
}

// CheckUserID returns a BAD_USER_INPUT error unless id is a string of the
// contract's id format.
func CheckUserID(id any) error {
	s, ok := id.(string)
	if !ok || !downstream.ValidID(s) {
		return apierror.BadInput("userId must be 1 to 64 characters from A-Z, a-z, 0-9, _ and -")
	}
	return nil
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
