package dashboard

import (
	"context"

	"github.com/acme/dashboard-gateway/budget"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graph/model"
	"github.com/acme/dashboard-gateway/loaders"
)

// The data of each service-backed Dashboard field. Each resolves under the
// context its dashboard's budget.Fields gives it (a budget of its own when
// the field is optional, see Options.Budgets), and passes the services'
// errors through budget.Err, so that giving up at the budget reads as such.

// Profile returns the user's profile.
func (s *Service) Profile(ctx context.Context, d *Dashboard) (*model.Profile, error) {
	return resolve(ctx, d, "profile", func(ctx context.Context, l *loaders.Loaders) (*model.Profile, error) {
		p, err := l.Profile(ctx, d.UserID)
		if err != nil {
			return nil, err
		}
		return p.Model(), nil
	})
}

// OrderParts says what is selected of each order beyond the order itself.
type OrderParts struct {
	// Products: every item's product, looked up with the list.
	Products bool
	// Shipments: the orders' shipments, which Shipments returns; they are
	// asked for as soon as the list arrives, alongside the products.
	Shipments bool
}

// Orders returns the user's latest orders, at most first (nil: the
// default), with what parts says of them.
func (s *Service) Orders(ctx context.Context, d *Dashboard, first *int, parts OrderParts) ([]*model.Order, error) {
	return resolve(ctx, d, "orders", func(ctx context.Context, l *loaders.Loaders) ([]*model.Order, error) {
		list, err := l.Orders(ctx, d.UserID, firstArg(first))
		if err != nil {
			return nil, err
		}
		if parts.Shipments {
			ids := make([]string, len(list))
			for i, o := range list {
				ids[i] = o.ID
			}
			l.PrefetchShipments(ctx, ids)
		}
		out := downstream.OrderModels(list)
		if parts.Products {
			found := lookUpProducts(ctx, l, orderProductIDs(list))
			for i, o := range list {
				for j, it := range o.Items {
					out[i].Items[j].SetProduct(found.product(it.ProductID))
				}
			}
		}
		return out, nil
	})
}

// Recommendations returns the products picked for the user, at most first;
// with products, the products themselves, looked up together.
func (s *Service) Recommendations(ctx context.Context, d *Dashboard, first *int, products bool) ([]*model.Recommendation, error) {
	return resolve(ctx, d, "recommendations", func(ctx context.Context, l *loaders.Loaders) ([]*model.Recommendation, error) {
		list, err := l.Recommendations(ctx, d.UserID, firstArg(first))
		if err != nil {
			return nil, err
		}
		out := downstream.RecommendationModels(list)
		if products {
			ids := make([]string, len(list))
			for i, r := range list {
				ids[i] = r.ProductID
			}
			found := lookUpProducts(ctx, l, ids)
			for i, r := range list {
				out[i].SetProduct(found.product(r.ProductID))
			}
		}
		return out, nil
	})
}

// Notifications returns the user's notification feed: at most first
// notifications (nil: the default), only unread ones with unreadOnly.
func (s *Service) Notifications(ctx context.Context, d *Dashboard, first *int, unreadOnly *bool) (*model.NotificationFeed, error) {
	return resolve(ctx, d, "notifications", func(ctx context.Context, l *loaders.Loaders) (*model.NotificationFeed, error) {
		feed, err := l.Notifications(ctx, d.UserID, firstArg(first), unreadOnly != nil && *unreadOnly)
		if err != nil {
			return nil, err
		}
		return feed.Model(), nil
	})
}

// Wallet returns the user's wallet.
func (s *Service) Wallet(ctx context.Context, d *Dashboard) (*model.Wallet, error) {
	return resolve(ctx, d, "wallet", func(ctx context.Context, l *loaders.Loaders) (*model.Wallet, error) {
		w, err := l.Wallet(ctx, d.UserID)
		if err != nil {
			return nil, err
		}
		return w.Model(), nil
	})
}

// Shipments returns the shipments of orders, in their order: nil for an
// order that has none (yet). They are fetched together (a call per 100
// orders), with every other list's of the operation that asks at once.
func (s *Service) Shipments(ctx context.Context, orders []*model.Order) ([]*model.Shipment, error) {
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(orders))
	asked := make([]string, 0, len(orders))
	for i, o := range orders {
		if o != nil {
			ids[i] = o.ID
			asked = append(asked, o.ID)
		}
	}
	found, err := l.Shipments(ctx, asked)
	if err != nil {
		return nil, err
	}
	return downstream.ShipmentModels(ids, found), nil
}

// resolve resolves field name of d with get, under the context the field's
// budget gives it and with the operation's loaders; get's error goes
// through budget.Err.
func resolve[M any](ctx context.Context, d *Dashboard, name string, get func(context.Context, *loaders.Loaders) (M, error)) (M, error) {
	ctx, done := d.Fields.Begin(ctx, name)
	defer done()
	var none M
	l, err := operation(ctx)
	if err != nil {
		return none, err
	}
	v, err := get(ctx, l)
	if err != nil {
		return none, budget.Err(ctx, err)
	}
	return v, nil
}

// firstArg returns the `first` argument, or the default for null.
func firstArg(arg *int) int {
	if arg == nil {
		return contract.DefaultFirst
	}
	return *arg
}

// productLookup is the lookup of a list's products, made together: what the
// catalog found, or the lookup's error (through budget.Err).
type productLookup struct {
	found map[string]*model.Product
	err   error
}

// lookUpProducts looks up the products ids together.
func lookUpProducts(ctx context.Context, l *loaders.Loaders, ids []string) productLookup {
	found, err := l.Products(ctx, ids)
	if err != nil {
		return productLookup{err: budget.Err(ctx, err)}
	}
	return productLookup{found: downstream.ProductModels(found)}
}

// product returns product id: the product, KindNotFound when the catalog
// does not have it, or the lookup's error.
func (ps productLookup) product(id string) (*model.Product, error) {
	if ps.err != nil {
		return nil, ps.err
	}
	p, ok := ps.found[id]
	if !ok {
		return nil, &downstream.Error{Service: downstream.Catalog, Op: "get products", Kind: downstream.KindNotFound}
	}
	return p, nil
}

// orderProductIDs returns the distinct product ids of orders, in order.
// Sized for every item at once: grown as it went, the set was 5% of the
// bytes a 50-dashboard request allocated (BenchmarkHostileInput).
func orderProductIDs(in []*downstream.Order) []string {
	n := 0
	for _, o := range in {
		n += len(o.Items)
	}
	seen := make(map[string]struct{}, n)
	ids := make([]string, 0, n)
	for _, o := range in {
		for _, it := range o.Items {
			if _, ok := seen[it.ProductID]; !ok {
				seen[it.ProductID] = struct{}{}
				ids = append(ids, it.ProductID)
			}
		}
	}
	return ids
}
