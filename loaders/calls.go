package loaders

import (
	"context"

	"github.com/acme/dashboard-gateway/downstream"
)

// Profile returns the profile of userID; an unknown user is KindNotFound.
func (l *Loaders) Profile(ctx context.Context, userID string) (*downstream.UserProfile, error) {
	return await(ctx, downstream.Profile, "get users", l.profiles.LoadThunk(ctx, userID))
}

// PrefetchProfiles enqueues userIDs without waiting, so that ids known
// together go out in one batch call whatever the scheduling of the resolvers
// that ask for them later.
func (l *Loaders) PrefetchProfiles(ctx context.Context, userIDs []string) {
	for _, id := range userIDs {
		l.profiles.LoadThunk(ctx, id)
	}
}

// Product returns the product productID; an unknown product is KindNotFound.
func (l *Loaders) Product(ctx context.Context, productID string) (*downstream.Product, error) {
	return await(ctx, downstream.Catalog, "get products", l.products.LoadThunk(ctx, productID))
}

// PrefetchProducts enqueues productIDs without waiting (see PrefetchProfiles).
func (l *Loaders) PrefetchProducts(ctx context.Context, productIDs []string) {
	for _, id := range productIDs {
		l.products.LoadThunk(ctx, id)
	}
}

// Orders returns the user's latest orders, at most limit.
func (l *Loaders) Orders(ctx context.Context, userID string, limit int) ([]*downstream.Order, error) {
	return await(ctx, downstream.Orders, "get orders", l.orders.LoadThunk(ctx, listKey{userID, limit}))
}

// Recommendations returns the user's recommendations, at most limit.
func (l *Loaders) Recommendations(ctx context.Context, userID string, limit int) ([]*downstream.Recommendation, error) {
	return await(ctx, downstream.Recommendations, "get recommendations",
		l.recommendations.LoadThunk(ctx, listKey{userID, limit}))
}

// Notifications returns the user's notification feed.
func (l *Loaders) Notifications(ctx context.Context, userID string, limit int, unreadOnly bool) (*downstream.NotificationFeed, error) {
	return await(ctx, downstream.Notifications, "get notifications",
		l.notifications.LoadThunk(ctx, feedKey{userID, limit, unreadOnly}))
}

// Wallet returns the user's wallet; an unknown user is KindNotFound.
func (l *Loaders) Wallet(ctx context.Context, userID string) (*downstream.UserWallet, error) {
	return await(ctx, downstream.Wallet, "get wallet", l.wallets.LoadThunk(ctx, userID))
}
