package loaders

import (
	"context"

	"github.com/acme/dashboard-gateway/downstream"
)

// Profile returns the profile of userID; an unknown user is KindNotFound.
// Profiles asked for one by one are batched over the loaders' short wait.
func (l *Loaders) Profile(ctx context.Context, userID string) (*downstream.UserProfile, error) {
	return l.profiles.load(ctx, userID)
}

// PrefetchProfiles starts fetching userIDs without waiting: ids known
// together go out together, one call per 100, at once.
func (l *Loaders) PrefetchProfiles(ctx context.Context, userIDs []string) {
	l.profiles.prefetch(ctx, userIDs)
}

// Product returns the product productID; an unknown product is KindNotFound.
func (l *Loaders) Product(ctx context.Context, productID string) (*downstream.Product, error) {
	return l.products.load(ctx, productID)
}

// PrefetchProducts starts fetching productIDs without waiting (see
// PrefetchProfiles); ids already asked for are not asked again.
func (l *Loaders) PrefetchProducts(ctx context.Context, productIDs []string) {
	l.products.prefetch(ctx, productIDs)
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
