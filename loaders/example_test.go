package loaders_test

import (
	"context"
	"fmt"
	"time"

	"github.com/acme/dashboard-gateway/downstream"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/simulator"
)

// Products known together are enqueued together, then read one by one: the
// catalog gets one call.
func Example() {
	sim := simulator.New(simulator.Options{Record: true})
	urls, _ := sim.Start("127.0.0.1", 0)
	defer sim.Close()
	services := map[downstream.Service]downstream.ServiceConfig{}
	for k, v := range urls {
		services[downstream.Service(k)] = downstream.ServiceConfig{URL: v}
	}
	clients, _ := downstream.New(downstream.Config{Services: services})
	defer clients.Close()

	// One operation: its context carries the request deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	l := loaders.New(ctx, clients, 0, nil)

	l.PrefetchProducts(ctx, []string{"p1", "p2", "p3"})
	for _, id := range []string{"p1", "p2", "p3"} {
		p, err := l.Product(ctx, id)
		fmt.Println(p.ID, err)
	}
	fmt.Println("catalog calls:", sim.Stats(simulator.Catalog).Calls)
	// Output:
	// p1 <nil>
	// p2 <nil>
	// p3 <nil>
	// catalog calls: 1
}
