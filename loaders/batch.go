package loaders

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/stack"
)

// batch loads items of one batch endpoint (profiles, products, shipments)
// for one operation. Ids are fetched once each: a lookup registers the ids
// nobody asked for yet as one chunk, and waits for the chunks that fetch
// its ids.
// Chunks go through a dataloadgen loader, which gathers the chunks that
// arrive within its short wait into one fetch, of at most the endpoint's
// MaxIDs (contract.MaxBatch) ids per call.
// A chunk is one key, so the ids known together (a list of orders, the ids
// of dashboards(userIds:)) always go out together, however the resolvers
// that read them are scheduled.
//
// Why ids are not themselves the keys of a dataloadgen.NewMappedLoader,
// whose cache would then de-duplicate them: its LoadAllThunk adds a list id
// by id, and its batch timer can close a batch halfway through the list (a
// busy machine did: two catalog calls for one list; TestListIsNeverSplit),
// and its thunks wait without watching a context, so every wait would need
// a goroutine of its own. byID is the one de-duplication of ids, and each
// chunk's done channel is what a wait selects on.
//
// The wait is for chunks that could still join. When the operation said
// how many it will register at most (expect), its chunks do not go through
// the loader: they are held until the last expected one comes, and then
// all go out together at once, or, if it does not come within the wait
// (a list that was counted but never looked up: a field that failed first,
// or was not selected with its products), when the wait ends. dataloadgen
// would wait out its whole wait even once nothing more could join, in a
// goroutine that sleeps it to its end: a timer that wakes an idle process
// once per batch, and the wait itself added to the answer. Where the
// expected lists seldom come within the wait together (slow services),
// holding one costs that and saves nothing, so a chunk is held only while
// that pays (Joins), and otherwise goes at once.
type batch[V any] struct {
	svc     downstream.Service
	op      string
	wait    time.Duration
	loader  *dataloadgen.Loader[*chunk[V], struct{}]
	now     func([]*chunk[V]) // fetches chunks together at once, in a goroutine of its own
	release func()            // fetches the chunks held, once their wait has ended
	joins   *joinRate         // whether holding a chunk for the others pays; nil: always

	mu   sync.Mutex
	byID map[string]*chunk[V] // the chunk that fetches each id asked for
	// expected is how many chunks the operation will register at most
	// (0: not known), chunks how many it did, queued how many of those
	// wait in the loader.
	expected, chunks, queued int
	// held are the chunks that wait for the rest of the expected ones,
	// and timer ends their wait; learning, whether they began waiting for
	// one more only (what joins learns about).
	held     []*chunk[V]
	timer    *time.Timer
	learning bool
}

// chunk is ids registered together, and, once done is closed, what was
// found of them (absent: not found) or why the call failed.
type chunk[V any] struct {
	ids   []string
	done  chan struct{}
	found map[string]V
	err   error
	stale []cache.Stale // stale answers its calls were served (package cache)
}

func newBatch[V any](ctx context.Context, svc downstream.Service, op string, wait time.Duration, perCall int,
	joins *joinRate, get func(context.Context, []string) (map[string]V, error),
) *batch[V] {
	b := &batch[V]{svc: svc, op: op, wait: wait, joins: joins, byID: make(map[string]*chunk[V])}
	run := func(chunks []*chunk[V]) {
		stack.Grow()                     // in the batch's own goroutine, which calls the service
		fetch(ctx, chunks, perCall, get) // under the operation's context, not the first caller's
	}
	b.loader = dataloadgen.NewLoader(func(_ context.Context, chunks []*chunk[V]) ([]struct{}, []error) {
		b.mu.Lock()
		b.queued -= len(chunks)
		b.mu.Unlock()
		run(chunks)
		return make([]struct{}, len(chunks)), nil
	}, dataloadgen.WithWait(wait), dataloadgen.WithoutCache())
	b.now = func(chunks []*chunk[V]) { go run(chunks) }
	b.release = func() {
		b.mu.Lock()
		held, learning := b.held, b.learning
		b.held = nil
		b.mu.Unlock()
		if len(held) > 0 {
			if learning {
				b.joins.record(false)
			}
			run(held) // in the timer's goroutine
		}
	}
	return b
}

// expect adds n to the chunks the operation will register at most.
func (b *batch[V]) expect(n int) {
	b.mu.Lock()
	b.expected += n
	b.mu.Unlock()
}

// prefetch registers ids nobody asked for yet and sends them to the loader,
// without waiting; it returns the chunk that fetches each of ids.
func (b *batch[V]) prefetch(ctx context.Context, ids []string) []*chunk[V] {
	owners := make([]*chunk[V], len(ids))
	var fresh *chunk[V]
	b.mu.Lock()
	for i, id := range ids {
		c := b.byID[id]
		if c == nil {
			if fresh == nil {
				fresh = &chunk[V]{done: make(chan struct{}), ids: make([]string, 0, len(ids)-i)}
			}
			fresh.ids = append(fresh.ids, id)
			b.byID[id], c = fresh, fresh
		}
		owners[i] = c
	}
	var now []*chunk[V] // go out together at once: nothing more can join them
	queue := false      // goes through the loader
	joined := false     // fresh is the one more others were held for
	if fresh != nil {
		b.chunks++
		oneMore := b.expected-b.chunks == 1 // after fresh, one list more is expected
		switch {
		case b.expected == 0 || b.queued > 0:
			b.queued++
			queue = true
		case b.chunks >= b.expected: // the last expected: with those held
			joined = len(b.held) > 0 && b.learning
			now, b.held = append(b.held, fresh), nil
			if b.timer != nil {
				b.timer.Stop() // if it fires all the same, it finds nothing held
			}
		case len(b.held) == 0 && oneMore && !b.joins.worth():
			// One more expected, and one seldom comes in time. (With
			// more to come, one of them likely does: an operation with
			// many dashboards.)
			now = []*chunk[V]{fresh}
		default:
			b.held = append(b.held, fresh)
			if len(b.held) == 1 {
				b.learning = oneMore
				b.timer = time.AfterFunc(b.wait, b.release)
			}
		}
	}
	b.mu.Unlock()
	if joined {
		b.joins.record(true)
	}
	switch {
	case now != nil:
		b.now(now)
	case queue:
		b.loader.LoadThunk(ctx, fresh) // enqueued; fetch closes fresh.done
	}
	return owners
}

// load returns the items of ids that exist, waiting no longer than ctx
// allows; an id not found is absent from the map.
func (b *batch[V]) load(ctx context.Context, ids []string) (map[string]V, error) {
	owners := b.prefetch(ctx, ids)
	out := make(map[string]V, len(ids))
	for i, c := range owners {
		if i > 0 && c == owners[i-1] {
			continue // waited for already
		}
		if !ready(ctx, c.done) {
			return nil, downstream.ContextError(ctx, b.svc, b.op)
		}
		if c.err != nil {
			return nil, c.err
		}
		cache.Replay(ctx, c.stale)
	}
	for i, id := range ids {
		if v, ok := owners[i].found[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

// one returns the item id; an id not found is KindNotFound.
func (b *batch[V]) one(ctx context.Context, id string) (V, error) {
	found, err := b.load(ctx, []string{id})
	v, ok := found[id]
	if err == nil && !ok {
		err = &downstream.Error{Service: b.svc, Op: b.op, Kind: downstream.KindNotFound}
	}
	return v, err
}

// answer is what one call of a fetch returned.
type answer[V any] struct {
	found map[string]V
	err   error
	stale []cache.Stale
}

// fetch gets the ids of chunks in calls of at most perCall ids, at the
// same time, and gives every chunk its answer: what was found of its ids,
// and the error of a call that had some of them, if one failed.
func fetch[V any](ctx context.Context, chunks []*chunk[V], perCall int, get func(context.Context, []string) (map[string]V, error)) {
	var ids []string
	for _, c := range chunks {
		ids = append(ids, c.ids...) // distinct: every id is in one chunk only
	}
	parts := slices.Collect(slices.Chunk(ids, perCall))
	answers := make([]answer[V], len(parts))
	defer func() { // every chunk gets its answer, even after a panic
		p := recover()
		first := 0 // index in ids of the chunk's first id
		for _, c := range chunks {
			c.found = make(map[string]V, len(c.ids))
			for j, id := range c.ids {
				a := answers[(first+j)/perCall]
				if v, ok := a.found[id]; ok {
					c.found[id] = v
				} else if c.err == nil {
					c.err = a.err
				}
				if j == 0 || (first+j)%perCall == 0 { // the chunk's first id in this answer
					c.stale = append(c.stale, a.stale...)
				}
			}
			first += len(c.ids)
			if p != nil && c.err == nil {
				c.err = fmt.Errorf("loaders: panic in a batch: %v", p)
			}
			close(c.done)
		}
	}()
	call := func(a *answer[V], part []string) {
		ctx, marks := cache.Watch(ctx)
		a.found, a.err = get(ctx, part)
		a.stale = marks.Stale()
	}
	var wg sync.WaitGroup
	for i, part := range parts[1:] {
		wg.Go(func() { call(&answers[i+1], part) })
	}
	call(&answers[0], parts[0])
	wg.Wait()
}
