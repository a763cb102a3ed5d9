package dashboard

import (
	"context"

	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/graph/model"
)

// newDashboard returns the dashboard of userID with a tracker of its
// critical fields selected.
func newDashboard(userID string, critical int) *model.Dashboard {
	return &model.Dashboard{UserID: userID, Critical: deadline.NewCritical(critical)}
}

// field prepares the resolution of Dashboard field name: a critical field
// must call the returned func when done, so optional fields know; an
// optional field gets a context that ends at its budget once the critical
// fields are in.
func (s *Service) field(ctx context.Context, d *model.Dashboard, name string) (context.Context, func()) {
	if budget, ok := s.budgets[name]; ok {
		return d.Critical.Optional(ctx, budget)
	}
	return ctx, d.Critical.Done
}
