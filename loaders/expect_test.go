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
			l := loaders.New(ctx, c, wait)
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
