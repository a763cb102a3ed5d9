package loaders_test

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/simulator"
)

// A list goes out at once, without the batch wait, once its operation's
// one root field has said how many lists it will look up and that many
// have come: alone if none waits, else with those that wait for it. A list
// still waits for one expected that does not come, and otherwise lists
// wait to go out together, as before. The wait here is a second: a list
// that goes at once is in far sooner, and lists that wait go in one call.
func TestExpectedListsGoAtOnce(t *testing.T) {
	const wait = time.Second
	for _, tc := range []struct {
		name   string
		roots  int
		expect loaders.Expected
		lists  []string // one profile each, registered in this order
		atOnce bool     // the first list is in long before the wait
		calls  int      // to the profile service
	}{
		{"one list expected", 1, loaders.Expected{Profiles: 1}, []string{"u1", "u2"}, true, 2},
		{"two lists expected: the first waits for the second, then both go at once", 1, loaders.Expected{Profiles: 2}, []string{"u1", "u2"}, true, 1},
		{"two lists expected, one looked up: it waits", 1, loaders.Expected{Profiles: 2}, []string{"u1"}, false, 1},
		{"several root fields: the wait", 2, loaders.Expected{Profiles: 1}, []string{"u1", "u2"}, false, 1},
		{"nothing expected: the wait", 1, loaders.Expected{}, []string{"u1", "u2"}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := world(t, nil)
			ctx := operation(t)
			l := loaders.New(ctx, c, wait, nil)
			l.SetRootFields(tc.roots)
			l.Expect(tc.expect)
			for _, id := range tc.lists {
				l.PrefetchProfiles(ctx, []string{id})
			}
			fieldCtx, cancel := context.WithTimeout(ctx, wait*7/10)
			defer cancel()
			_, err := l.Profile(fieldCtx, tc.lists[0])
			if atOnce := err == nil; atOnce != tc.atOnce {
				t.Errorf("first list in before the wait: %v (%v), want %v", atOnce, err, tc.atOnce)
			}
			endCtx, cancelEnd := context.WithTimeout(ctx, 10*wait) // every list is in after the wait
			defer cancelEnd()
			for _, id := range tc.lists {
				if _, err := l.Profile(endCtx, id); err != nil {
					t.Fatalf("Profile(%s): %v", id, err)
				}
			}
			if got := sim.Stats(simulator.Profile).Calls; got != tc.calls {
				t.Errorf("%d calls to the profile service, want %d", got, tc.calls)
			}
		})
	}
}

// Extension tells the loaders how many root fields the operation selects:
// with one, an expected list goes at once.
func TestExtensionCountsRootFields(t *testing.T) {
	const wait = time.Second
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: "type Query { a: Int b: Int }"})
	for _, tc := range []struct {
		doc    string
		atOnce bool
	}{
		{"{ a }", true},
		{"{ a b }", false},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			_, c := world(t, nil)
			doc, err := gqlparser.LoadQuery(schema, tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			ctx := graphql.WithOperationContext(operation(t), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
			var got error
			loaders.Extension{Clients: c, Wait: wait}.InterceptOperation(ctx, func(ctx context.Context) graphql.ResponseHandler {
				l, _ := loaders.FromContext(ctx)
				l.Expect(loaders.Expected{Profiles: 1})
				fieldCtx, cancel := context.WithTimeout(ctx, wait*7/10)
				defer cancel()
				_, got = l.Profile(fieldCtx, "u1")
				_, _ = l.Profile(ctx, "u1") // the batch is done: no goroutine outlives the test
				return nil
			})
			if atOnce := got == nil; atOnce != tc.atOnce {
				t.Errorf("profile in before the wait: %v (%v), want %v", atOnce, got, tc.atOnce)
			}
		})
	}
}

// Joins learns whether holding a list for the one more an operation
// expects pays. Where it seldom comes within the wait (here it never
// does), a list stops being held and goes at once, unless more than one
// is still expected (an operation with many dashboards); once lists come
// together again (seen in the one held list in 16 that keeps measuring),
// they are held again, and go out together.
func TestJoinsLearnWhetherHoldingPays(t *testing.T) {
	const short, long = 2 * time.Millisecond, time.Second
	_, c := world(t, nil)
	ctx := operation(t)
	j := &loaders.Joins{}
	op := func(wait time.Duration, expected int, lists ...string) *loaders.Loaders {
		l := loaders.New(ctx, c, wait, j)
		l.SetRootFields(1)
		l.Expect(loaders.Expected{Profiles: expected})
		for _, id := range lists {
			l.PrefetchProfiles(ctx, []string{id})
		}
		return l
	}
	// heldAlone reports whether an operation that expects that many
	// lists, of which only the first comes, holds it for the wait (long)
	// rather than sending it at once.
	heldAlone := func(expected int) bool {
		l := op(long, expected, "u1")
		fieldCtx, cancel := context.WithTimeout(ctx, long*7/10)
		defer cancel()
		_, err := l.Profile(fieldCtx, "u1")
		endCtx, cancelEnd := context.WithTimeout(ctx, 10*long)
		defer cancelEnd()
		if _, err := l.Profile(endCtx, "u1"); err != nil {
			t.Fatalf("Profile(u1): %v", err)
		}
		return err != nil
	}
	load := func(l *loaders.Loaders, ids ...string) {
		for _, id := range ids {
			if _, err := l.Profile(ctx, id); err != nil {
				t.Fatalf("Profile(%s): %v", id, err)
			}
		}
	}

	for range 30 { // held, and nothing joins: a quarter joined no more
		load(op(short, 2, "u1"), "u1")
	}
	if heldAlone(2) {
		t.Fatal("after 30 operations whose lists nothing joined, a list is still held")
	}
	if !heldAlone(3) {
		t.Fatal("with two more lists expected, a list is not held")
	}
	for range 10 { // lists held for more than one other: not what is learned
		load(op(short, 3, "u1", "u2", "u3"), "u1", "u2", "u3")
	}
	if heldAlone(2) {
		t.Fatal("lists held for two others taught Joins that holding for one pays")
	}
	for range 40 { // the second comes at once: the explored holds are joined
		load(op(short, 2, "u1", "u2"), "u1", "u2")
	}
	if !heldAlone(2) {
		t.Fatal("after 40 operations whose lists came together, a list is not held")
	}
}
