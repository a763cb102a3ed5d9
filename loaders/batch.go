package loaders

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/acme/dashboard-gateway/downstream"
)

// batcher loads items of a batch endpoint (profiles, products) two ways:
//
//   - ids that become known together (a list of orders, the ids of
//     dashboards(userIds)) are fetched together at once: one call per list
//     (100 ids at most each), whatever the scheduling of the resolvers that
//     read them later. Adding ids one by one to a timed batch cannot promise
//     that: on a busy machine the batch window can close halfway through.
//   - ids looked up one by one are batched over a short window.
//
// Both go through dataloadgen loaders, so identical lists and ids cost one
// call per operation.
type batcher[V any] struct {
	svc   downstream.Service
	op    string
	byID  *dataloadgen.Loader[string, V]
	lists *dataloadgen.Loader[string, map[string]V] // keyed by the list's ids joined with ","

	mu     sync.Mutex
	listOf map[string]func() (map[string]V, error) // id -> the thunk of the list that fetches it
}

func newBatcher[V any](ctx context.Context, svc downstream.Service, op string, wait time.Duration,
	get func(context.Context, []string) (map[string]V, error),
) *batcher[V] {
	return &batcher[V]{
		svc: svc,
		op:  op,
		byID: dataloadgen.NewLoader(byID(ctx, svc, op, get),
			dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(downstream.MaxBatch)),
		lists: once(ctx, func(ctx context.Context, joined string) (map[string]V, error) {
			return get(ctx, strings.Split(joined, ","))
		}),
		listOf: make(map[string]func() (map[string]V, error)),
	}
}

// prefetch starts fetching ids not asked for yet, in calls of at most
// MaxBatch ids, without waiting for them.
func (b *batcher[V]) prefetch(ctx context.Context, ids []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var fresh []string
	for _, id := range ids {
		if _, ok := b.listOf[id]; !ok && !slices.Contains(fresh, id) {
			fresh = append(fresh, id)
		}
	}
	for chunk := range slices.Chunk(fresh, downstream.MaxBatch) {
		thunk := b.lists.LoadThunk(ctx, strings.Join(chunk, ","))
		for _, id := range chunk {
			b.listOf[id] = thunk
		}
	}
}

// load returns the item id: from the list that fetches it, if one does,
// else through the batching loader. A missing item is KindNotFound.
func (b *batcher[V]) load(ctx context.Context, id string) (V, error) {
	b.mu.Lock()
	list := b.listOf[id]
	b.mu.Unlock()
	if list == nil {
		return await(ctx, b.svc, b.op, b.byID.LoadThunk(ctx, id))
	}
	var zero V
	found, err := await(ctx, b.svc, b.op, list)
	if err != nil {
		return zero, err
	}
	v, ok := found[id]
	if !ok {
		return zero, &downstream.Error{Service: b.svc, Op: b.op, Kind: downstream.KindNotFound}
	}
	return v, nil
}
