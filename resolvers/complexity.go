package resolvers

import "github.com/acme/dashboard-gateway/graph"

// ItemsPerOrder is what the cost of an order's items assumes: the contract
// does not bound them, so the cost of `items` counts this many.
const ItemsPerOrder = 4

// Complexity returns the cost of each field for gqlgen's complexity limit:
// every field costs 1 plus what it selects, and list fields multiply what
// they select by how many elements they may return: `first` (default 10),
// the number of userIds, ItemsPerOrder. The cost of an operation thus
// grows with the downstream work it can cause.
func Complexity() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	c.Query.Dashboards = func(child int, userIDs []string) int { return 1 + len(userIDs)*child }
	c.Dashboard.Orders = func(child int, first *int) int { return 1 + firstArg(first)*child }
	c.Dashboard.Recommendations = func(child int, first *int) int { return 1 + firstArg(first)*child }
	c.Dashboard.Notifications = func(child int, first *int, _ *bool) int { return 1 + firstArg(first)*child }
	c.Order.Items = func(child int) int { return 1 + ItemsPerOrder*child }
	return c
}
