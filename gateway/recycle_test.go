package gateway_test

import (
	"bytes"
	"strconv"
	"sync"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/gatewaytest"
)

// The buffers answers are written in are reused as soon as an answer went
// out (graphqlhttp.Recycle): many answers at once, over GraphQL and the
// REST view, are each byte for byte the answer the same request got alone.
func TestAnswersAreTheirOwn(t *testing.T) {
	e := gatewaytest.New(t, gatewaytest.Options{})
	const users, clients, rounds = 6, 8, 2
	type ask struct {
		kind string
		user string
	}
	get := func(a ask) []byte {
		if a.kind == "rest" {
			return e.Get(t, "/dashboard/"+a.user).Body
		}
		return e.Post(t, contract.DashboardQuery, map[string]any{"id": a.user}).Body
	}
	want := map[ask][]byte{}
	var asks []ask
	for i := range users {
		for _, kind := range []string{"graphql", "rest"} {
			a := ask{kind, "u" + strconv.Itoa(i+1)}
			asks = append(asks, a)
			want[a] = get(a)
		}
	}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for r := range rounds {
				for i := range asks {
					a := asks[(i+c+r)%len(asks)]
					if got := get(a); !bytes.Equal(got, want[a]) {
						t.Errorf("%s of %s at once with others:\n%s\nalone:\n%s", a.kind, a.user, got, want[a])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
