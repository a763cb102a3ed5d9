// Package dashboard builds users' dashboards from the downstream services,
// field by field, for the resolvers both executors call: it checks and
// authorizes the users asked for, fetches what each selected field needs
// through the operation's loaders, under the field's budget, and returns the
// public models the answers become (each service's file in package
// downstream says how). It knows nothing of selection sets: its callers say
// what is selected. There is no HTTP here and no waiting on anything but
// the loaders, which return at the caller's deadline.
package dashboard

import (
	"context"
	"errors"
	"slices"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/budget"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/loaders"
)

// Options configure a Service.
type Options struct {
	// Budgets makes Dashboard fields optional, each with its own budget
	// counted from the request's start: once it has passed and the
	// dashboard's other (critical) fields are in, the field stops waiting
	// and is null with UPSTREAM_TIMEOUT (reason field_budget). Keys are
	// names of Fields.
	// Nil or empty: no field is optional, every one waits for its data
	// until the request's deadline. See package budget.
	Budgets budget.Budgets
	// RequireIdentity refuses requests without an authenticated identity
	// (package auth) instead of treating them as "authentication off".
	RequireIdentity bool
}

// Dashboard is one user's dashboard while an operation builds it: the user,
// and the budgets of its fields (see budget.Dashboard, which gqlgen binds
// the schema's Dashboard type to).
type Dashboard = budget.Dashboard

// Builder builds the dashboards of one operation, field by field: Service
// does, and tests stand in for it to make a field fail in ways the services
// cannot (a panic). Every method is safe for concurrent use.
type Builder interface {
	Open(ctx context.Context, userIDs []string, sel Selection) ([]*Dashboard, error)
	Profile(ctx context.Context, d *Dashboard) (*model.Profile, error)
	Orders(ctx context.Context, d *Dashboard, first *int, parts OrderParts) ([]*model.Order, error)
	Recommendations(ctx context.Context, d *Dashboard, first *int, products bool) ([]*model.Recommendation, error)
	Notifications(ctx context.Context, d *Dashboard, first *int, unreadOnly *bool) (*model.NotificationFeed, error)
	Wallet(ctx context.Context, d *Dashboard) (*model.Wallet, error)
	Shipments(ctx context.Context, orders []*model.Order) ([]*model.Shipment, error)
}

var _ Builder = (*Service)(nil)

// Service builds dashboards. It holds no per-request state: the
// operation's loaders come from the context (package loaders).
type Service struct {
	budgets         budget.Budgets
	requireIdentity bool
}

// New returns a Service.
func New(o Options) *Service {
	return &Service{budgets: o.Budgets, requireIdentity: o.RequireIdentity}
}

// Fields are the Dashboard fields a downstream service backs, as
// contract.Services declares them. Read it, never change it.
var Fields = contract.FieldsOf("Dashboard")

// Selection is what an operation selects of each dashboard.
type Selection struct {
	// Fields names the service-backed fields selected (see Fields), once
	// per response key: `a: orders b: orders` is orders twice.
	Fields []string
}

// Open returns the dashboards of userIDs, once it has checked the ids (the
// values the caller received, after any coercion) and that the caller may
// read them. Their profiles, if selected, are fetched together at once,
// and the operation's loaders learn what the dashboards' selection will
// look up (loaders.Expect).
func (s *Service) Open(ctx context.Context, userIDs []string, sel Selection) ([]*Dashboard, error) {
	if err := limits.CheckUserIDs(userIDs...); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, userIDs...); err != nil {
		return nil, err
	}
	boards := make([]Dashboard, len(userIDs)) // one allocation for them all
	out := make([]*Dashboard, len(userIDs))
	for i, id := range userIDs {
		boards[i].UserID = id
		boards[i].Fields.Track(s.budgets, sel.Fields)
		out[i] = &boards[i]
	}
	l, ok := loaders.FromContext(ctx)
	if ok {
		l.Expect(lookups(len(userIDs), sel))
	}
	if slices.Contains(sel.Fields, "profile") {
		if !ok {
			return nil, errNoLoaders
		}
		l.PrefetchProfiles(ctx, userIDs)
	}
	return out, nil
}

// lookups returns the most lists n dashboards selected as sel look up in
// each batch endpoint: their profiles together (Open's), and for each
// dashboard the products of each orders and recommendations field, and
// the shipments of each orders field.
func lookups(n int, sel Selection) loaders.Expected {
	var e loaders.Expected
	for _, f := range sel.Fields {
		switch f {
		case "profile":
			e.Profiles = 1
		case "orders":
			e.Products += n
			e.Shipments += n
		case "recommendations":
			e.Products += n
		}
	}
	return e
}

// authorize returns FORBIDDEN unless the caller may read the dashboards of
// every one of userIDs: its own, or any with the admin scope. Without an
// identity in the context authentication is off, unless the Service was
// told it is required.
func (s *Service) authorize(ctx context.Context, userIDs ...string) error {
	id, ok := auth.FromContext(ctx)
	if !ok {
		if s.requireIdentity {
			return apierror.Denied(apierror.Unauthenticated, "authentication required")
		}
		return nil
	}
	for _, userID := range userIDs {
		if !id.CanRead(userID) {
			return apierror.Denied(apierror.Forbidden, "you may read only your own dashboard")
		}
	}
	return nil
}

// errNoLoaders is a wiring bug: the executor did not give the operation
// its loaders (loaders.Extension).
var errNoLoaders = errors.New("dashboard: the operation has no loaders")

func operation(ctx context.Context) (*loaders.Loaders, error) {
	l, ok := loaders.FromContext(ctx)
	if !ok {
		return nil, errNoLoaders
	}
	return l, nil
}
