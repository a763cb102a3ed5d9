package dashboard

import (
	"context"

	"github.com/acme/dashboard-gateway/budget"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/graph/model"
)

// The data of each service-backed Dashboard field. Each resolves under the
// context its dashboard's budget.Fields gives it (a budget of its own when
// the field is optional, see Options.Budgets), and passes the services'
// errors through budget.Err, so that giving up at the budget reads as such.

// Profile returns the user's profile.
func (s *Service) Profile(ctx context.Context, d *Dashboard) (*model.Profile, error) {
	ctx, done := d.Fields.Begin(ctx, "profile")
	defer done()
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	p, err := l.Profile(ctx, d.UserID)
	if err != nil {
		return nil, budget.Err(ctx, err)
	}
	return profile(p), nil
}

// Orders returns the user's latest orders, at most first (nil: the
// default); with products, every item's product too, looked up together.
func (s *Service) Orders(ctx context.Context, d *Dashboard, first *int, products bool) ([]*model.Order, error) {
	ctx, done := d.Fields.Begin(ctx, "orders")
	defer done()
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	list, err := l.Orders(ctx, d.UserID, firstArg(first))
	if err != nil {
		return nil, budget.Err(ctx, err)
	}
	out := orders(list)
	if products {
		found, err := l.Products(ctx, orderProductIDs(list))
		err = budget.Err(ctx, err)
		for i, o := range list {
			for j, it := range o.Items {
				out[i].Items[j].SetProduct(productOf(found, err, it.ProductID))
			}
		}
	}
	return out, nil
}

// Recommendations returns the products picked for the user, at most first;
// with products, the products themselves, looked up together.
func (s *Service) Recommendations(ctx context.Context, d *Dashboard, first *int, products bool) ([]*model.Recommendation, error) {
	ctx, done := d.Fields.Begin(ctx, "recommendations")
	defer done()
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	list, err := l.Recommendations(ctx, d.UserID, firstArg(first))
	if err != nil {
		return nil, budget.Err(ctx, err)
	}
	out := recommendations(list)
	if products {
		ids := make([]string, len(list))
		for i, r := range list {
			ids[i] = r.ProductID
		}
		found, err := l.Products(ctx, ids)
		err = budget.Err(ctx, err)
		for i, r := range list {
			out[i].SetProduct(productOf(found, err, r.ProductID))
		}
	}
	return out, nil
}

// Notifications returns the user's notification feed: at most first
// notifications (nil: the default), only unread ones with unreadOnly.
func (s *Service) Notifications(ctx context.Context, d *Dashboard, first *int, unreadOnly *bool) (*model.NotificationFeed, error) {
	ctx, done := d.Fields.Begin(ctx, "notifications")
	defer done()
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	feed, err := l.Notifications(ctx, d.UserID, firstArg(first), unreadOnly != nil && *unreadOnly)
	if err != nil {
		return nil, budget.Err(ctx, err)
	}
	return notificationFeed(feed), nil
}

// Wallet returns the user's wallet.
func (s *Service) Wallet(ctx context.Context, d *Dashboard) (*model.Wallet, error) {
	ctx, done := d.Fields.Begin(ctx, "wallet")
	defer done()
	l, err := operation(ctx)
	if err != nil {
		return nil, err
	}
	w, err := l.Wallet(ctx, d.UserID)
	if err != nil {
		return nil, budget.Err(ctx, err)
	}
	return wallet(w), nil
}

// firstArg returns the `first` argument, or the default for null.
func firstArg(arg *int) int {
	if arg == nil {
		return contract.DefaultFirst
	}
	return *arg
}

// productOf returns the product id from a lookup of a list's products: the
// product, KindNotFound when the catalog does not have it, or the lookup's
// error.
func productOf(found map[string]*downstream.Product, err error, id string) (*model.Product, error) {
	if err != nil {
		return nil, err
	}
	p, ok := found[id]
	if !ok {
		return nil, &downstream.Error{Service: downstream.Catalog, Op: "get products", Kind: downstream.KindNotFound}
	}
	return product(p), nil
}
