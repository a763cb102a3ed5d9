// Package loaders gives each GraphQL operation its own set of dataloaders
// over the downstream clients: profiles and products are batched into the
// services' batch endpoints (at most 100 ids a call), and identical per-user
// calls (same service, user and arguments) are made once per operation.
//
// Every wait ends at the caller's deadline (dataloadgen's own Load does not),
// and every fetch runs under the operation's context captured at creation,
// so one field's cancellation cannot fail a batch other fields share.
// Loaders cache errors for their lifetime, so they are never shared across
// operations.
package loaders

import (
	"context"
	"errors"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/downstream"
)

// DefaultWait is how long a batch collects keys before it is sent when
// Options.Wait is zero. It adds straight to the latency of every batched
// field, so it is kept small; ids that become known together are fetched
// together at once (see Prefetch*) and do not wait for it.
const DefaultWait = time.Millisecond

// Loaders is one operation's set of loaders. Its methods are safe for
// concurrent use by the operation's resolvers.
type Loaders struct {
	profiles        *batcher[*downstream.UserProfile]
	products        *batcher[*downstream.Product]
	orders          *dataloadgen.Loader[listKey, []*downstream.Order]
	recommendations *dataloadgen.Loader[listKey, []*downstream.Recommendation]
	notifications   *dataloadgen.Loader[feedKey, *downstream.NotificationFeed]
	wallets         *dataloadgen.Loader[string, *downstream.UserWallet]
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

// New returns the loaders of one operation. Fetches run under ctx (the
// operation's context, carrying its deadline and request id), whatever
// context the individual Load calls carry.
func New(ctx context.Context, c *downstream.Clients, wait time.Duration) *Loaders {
	if wait <= 0 {
		wait = DefaultWait
	}
	return &Loaders{
		profiles: newBatcher(ctx, downstream.Profile, "get users", wait, c.Profiles),
		products: newBatcher(ctx, downstream.Catalog, "get products", wait, c.Products),
		orders: once(ctx, func(ctx context.Context, k listKey) ([]*downstream.Order, error) {
			return c.Orders(ctx, k.userID, k.limit)
		}),
		recommendations: once(ctx, func(ctx context.Context, k listKey) ([]*downstream.Recommendation, error) {
			return c.Recommendations(ctx, k.userID, k.limit)
		}),
		notifications: once(ctx, func(ctx context.Context, k feedKey) (*downstream.NotificationFeed, error) {
			return c.Notifications(ctx, k.userID, k.limit, k.unreadOnly)
		}),
		wallets: once(ctx, c.Wallet),
	}
}

// byID adapts a batch endpoint to a dataloadgen fetch: one call for the
// batch, and a KindNotFound error for each id the service left out.
func byID[V any](ctx context.Context, svc downstream.Service, op string,
	get func(context.Context, []string) (map[string]V, error),
) func(context.Context, []string) ([]V, []error) {
	return func(_ context.Context, ids []string) ([]V, []error) {
		found, err := get(ctx, ids)
		if err != nil {
			return nil, []error{err} // dataloadgen gives a lone error to every key
		}
		values := make([]V, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			v, ok := found[id]
			if !ok {
				errs[i] = &downstream.Error{Service: svc, Op: op, Kind: downstream.KindNotFound}
				continue
			}
			values[i] = v
		}
		return values, errs
	}
}

// once returns a loader that makes each distinct call once per operation and
// sends it at once: a batch of one, so no call waits for another.
func once[K comparable, V any](ctx context.Context, call func(context.Context, K) (V, error)) *dataloadgen.Loader[K, V] {
	fetch := func(_ context.Context, keys []K) ([]V, []error) {
		v, err := call(ctx, keys[0])
		return []V{v}, []error{err}
	}
	return dataloadgen.NewLoader(fetch, dataloadgen.WithBatchCapacity(1), dataloadgen.WithWait(0))
}

// await waits for a loader's thunk, but no longer than ctx allows.
func await[V any](ctx context.Context, svc downstream.Service, op string, thunk func() (V, error)) (V, error) {
	v, err := deadline.Wait(ctx, thunk)
	if err != nil {
		if _, ok := errors.AsType[*downstream.Error](err); !ok && ctx.Err() != nil {
			e := downstream.ContextError(ctx, svc, op)
			if errors.Is(e.Err, deadline.ErrFieldBudget) {
				e.Kind = downstream.KindBudget
			}
			err = e
		}
	}
	return v, err
}
