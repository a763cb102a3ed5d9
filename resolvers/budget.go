package resolvers

import (
	"context"

	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/graph/model"
)

// dashboardFields are the Dashboard fields backed by a downstream service.
var dashboardFields = []string{"profile", "orders", "recommendations", "notifications", "wallet"}

// newDashboard returns the dashboard of userID with a tracker of its
// critical fields selected.
func (r *Resolver) newDashboard(userID string, critical int) *model.Dashboard {
	return &model.Dashboard{UserID: userID, Critical: deadline.NewCritical(critical)}
}

// criticalSelected counts the critical Dashboard fields selected below the
// current field (aliases count once each, skipped fields not at all).
func (r *Resolver) criticalSelected(ctx context.Context) int {
	n := 0
	for _, name := range dashboardFields {
		if _, optional := r.budgets[name]; !optional {
			n += countSelected(ctx, name)
		}
	}
	return n
}

// field prepares the resolution of Dashboard field name: a critical field
// must call the returned func when done, so optional fields know; an
// optional field gets a context that ends at its budget once the critical
// fields are in.
func (r *Resolver) field(ctx context.Context, d *model.Dashboard, name string) (context.Context, func()) {
	if budget, ok := r.budgets[name]; ok {
		return d.Critical.Optional(ctx, budget)
	}
	return ctx, d.Critical.Done
}

// child returns the context of a lookup below Dashboard field name (the
// products of orders and recommendations): under the field's budget when it
// is optional.
func (r *Resolver) child(ctx context.Context, d *model.Dashboard, name string) (context.Context, func()) {
	if budget, ok := r.budgets[name]; ok && d != nil {
		return d.Critical.Optional(ctx, budget)
	}
	return ctx, func() {}
}
