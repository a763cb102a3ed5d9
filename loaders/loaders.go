// Package loaders gives each GraphQL operation its own access to the
// downstream services. Profiles, products and shipments go through a
// dataloadgen loader over the services' batch endpoints, unless the
// operation said how many lists it will look up (see batch): ids
// known together are sent together, at most 100 ids a call, and each id is
// fetched once per operation. Each per-user call (orders, recommendations, notifications,
// wallet) is made once per operation (memo), from its field's goroutine;
// the clients' resilience layers share identical calls in flight across
// operations. The two overlap only for identical calls of one operation in
// flight together: sharing in flight alone is not enough within an
// operation, where identical calls that do not overlap in time (two
// aliases, an id asked twice) would each go out (measured: TestDeduplication
// in package gateway then fails about one run in ten under -race).
//
// Every wait ends at the caller's deadline (dataloadgen's own Load does not),
// without a goroutine of its own, and every batch runs under the
// operation's context captured at creation, so one field's cancellation
// cannot fail a batch other fields share. The batches keep results and
// errors for the operation's lifetime, so Loaders are never shared across
// operations. Field budgets are not this package's: see package budget.
package loaders

import (
	"context"
	"time"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/downstream"
)

// DefaultWait is how long a batch collects keys before it is sent when
// Options.Wait is zero. It adds straight to the latency of every batched
// field, so it is kept small; a batch that reaches 100 ids goes at once.
const DefaultWait = time.Millisecond

// Loaders is one operation's access to the services. Its methods are safe
// for concurrent use by the operation's resolvers.
type Loaders struct {
	clients   *downstream.Clients
	roots     int // root fields of the operation, 0 if not known (SetRootFields)
	profiles  *batch[*downstream.UserProfile]
	products  *batch[*downstream.Product]
	shipments *batch[*downstream.Shipment]

	orders          memo[listKey, noted[[]*downstream.Order]]
	recommendations memo[listKey, noted[[]*downstream.Recommendation]]
	notifications   memo[feedKey, noted[*downstream.NotificationFeed]]
	wallets         memo[string, noted[*downstream.UserWallet]]
}

// noted is an answer and the stale answers it was made of (package cache),
// which every caller it is shared with was served too.
type noted[V any] struct {
	v     V
	stale []cache.Stale
}

// listKey identifies one per-user list call.
type listKey struct {
	userID string
	limit  int
}

// feedKey identifies one notifications call.
type feedKey struct {
	userID     string
	limit      int
	unreadOnly bool
}

// New returns the loaders of one operation. Batches run under ctx (the
// operation's context, carrying its deadline and request id), whatever
// context the individual loads carry. j, shared by the operations, learns
// whether holding a list for the others expected pays (nil: always hold).
func New(ctx context.Context, c *downstream.Clients, wait time.Duration, j *Joins) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	var profiles, products, shipments *joinRate // nil: always hold
	if j != nil {
		profiles, products, shipments = &j.profiles, &j.products, &j.shipments
	}
	return &Loaders{
		clients:   c,
		profiles:  newBatch(ctx, downstream.Profile, "get users", wait, c.MaxIDs(downstream.Profile), profiles, c.Profiles),
		products:  newBatch(ctx, downstream.Catalog, "get products", wait, c.MaxIDs(downstream.Catalog), products, c.Products),
		shipments: newBatch(ctx, downstream.Shipping, "get shipments", wait, c.MaxIDs(downstream.Shipping), shipments, c.Shipments),
	}
}

// Expected is how many lists an operation will look up, at most, in each
// batch endpoint. A list is the ids of one lookup (a dashboard's orders'
// products, the profiles of dashboards(userIds:)): they go out together.
type Expected struct {
	Profiles, Products, Shipments int
}

// SetRootFields tells l how many fields its operation selects at the root,
// before the operation runs (Extension does, from the document). Expect
// counts only when that is one.
func (l *Loaders) SetRootFields(n int) { l.roots = n }

// Expect adds e to the lists l's operation will look up: the dashboards a
// root field opens say what their selection will (dashboard.Service.Open).
// A batch endpoint with lists expected holds each list, for at most the
// batch wait, until the last expected one comes, and then fetches them all
// together at once, since no other can join them; a list past the expected
// ones goes at once. Only an operation with one root field counts: several
// root fields open their dashboards at about the same time, and the first
// one's list must not leave before the others say theirs.
func (l *Loaders) Expect(e Expected) {
	if l.roots != 1 {
		return
	}
	l.profiles.expect(e.Profiles)
	l.products.expect(e.Products)
	l.shipments.expect(e.Shipments)
}

// Profile returns the profile of userID; an unknown user is KindNotFound.
// Profiles asked for one by one are batched over the loaders' short wait.
func (l *Loaders) Profile(ctx context.Context, userID string) (*downstream.UserProfile, error) {
	return l.profiles.one(ctx, userID)
}

// PrefetchProfiles starts fetching userIDs without waiting: ids known
// together go out together.
func (l *Loaders) PrefetchProfiles(ctx context.Context, userIDs []string) {
	l.profiles.prefetch(ctx, userIDs)
}

// Product returns the product productID; an unknown product is KindNotFound.
func (l *Loaders) Product(ctx context.Context, productID string) (*downstream.Product, error) {
	return l.products.one(ctx, productID)
}

// PrefetchProducts starts fetching productIDs without waiting (see
// PrefetchProfiles); ids already asked for are not asked again.
func (l *Loaders) PrefetchProducts(ctx context.Context, productIDs []string) {
	l.products.prefetch(ctx, productIDs)
}

// PrefetchShipments starts fetching the shipments of orderIDs without
// waiting (see PrefetchProfiles).
func (l *Loaders) PrefetchShipments(ctx context.Context, orderIDs []string) {
	l.shipments.prefetch(ctx, orderIDs)
}

// Products returns the products of productIDs the catalog has, keyed by
// id: the ids nobody asked for yet go out together at once.
func (l *Loaders) Products(ctx context.Context, productIDs []string) (map[string]*downstream.Product, error) {
	return l.products.load(ctx, productIDs)
}

// Shipments returns the shipments of the orders of orderIDs, keyed by order
// id; an order without a shipment is absent. The ids nobody asked for yet
// go out together at once, each once per operation; the wait ends at ctx's
// deadline.
func (l *Loaders) Shipments(ctx context.Context, orderIDs []string) (map[string]*downstream.Shipment, error) {
	return l.shipments.load(ctx, orderIDs)
}

// Orders returns the user's latest orders, at most limit.
func (l *Loaders) Orders(ctx context.Context, userID string, limit int) ([]*downstream.Order, error) {
	return once(ctx, &l.orders, listKey{userID, limit}, downstream.Orders, "get orders",
		func(ctx context.Context) ([]*downstream.Order, error) { return l.clients.Orders(ctx, userID, limit) })
}

// Recommendations returns the user's recommendations, at most limit.
func (l *Loaders) Recommendations(ctx context.Context, userID string, limit int) ([]*downstream.Recommendation, error) {
	return once(ctx, &l.recommendations, listKey{userID, limit}, downstream.Recommendations, "get recommendations",
		func(ctx context.Context) ([]*downstream.Recommendation, error) {
			return l.clients.Recommendations(ctx, userID, limit)
		})
}

// Notifications returns the user's notification feed.
func (l *Loaders) Notifications(ctx context.Context, userID string, limit int, unreadOnly bool) (*downstream.NotificationFeed, error) {
	return once(ctx, &l.notifications, feedKey{userID, limit, unreadOnly}, downstream.Notifications, "get notifications",
		func(ctx context.Context) (*downstream.NotificationFeed, error) {
			return l.clients.Notifications(ctx, userID, limit, unreadOnly)
		})
}

// Wallet returns the user's wallet; an unknown user is KindNotFound.
func (l *Loaders) Wallet(ctx context.Context, userID string) (*downstream.UserWallet, error) {
	return once(ctx, &l.wallets, userID, downstream.Wallet, "get wallet",
		func(ctx context.Context) (*downstream.UserWallet, error) { return l.clients.Wallet(ctx, userID) })
}

// once makes a per-user call once per operation (see memo), and notes for
// each caller the stale answers the call was served.
func once[K comparable, V any](ctx context.Context, m *memo[K, noted[V]], key K, svc downstream.Service, op string,
	call func(context.Context) (V, error),
) (V, error) {
	n, err, ok := m.do(ctx, key, func(ctx context.Context) (noted[V], error) {
		ctx, marks := cache.Watch(ctx)
		v, err := call(ctx)
		return noted[V]{v, marks.Stale()}, err
	})
	if !ok {
		return n.v, downstream.ContextError(ctx, svc, op)
	}
	cache.Replay(ctx, n.stale)
	return n.v, err
}
