package simulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/acme/dashboard-gateway/simulator"
)

// Example serves two services, one of them failing, and compares an
// answer with the source of truth.
func Example() {
	sim := simulator.New(simulator.Options{
		Behaviors: map[string]simulator.Behavior{
			simulator.Orders: {Fault: simulator.FaultStatus503},
		},
	})
	defer sim.Close()
	urls, err := sim.Start("127.0.0.1", 0, simulator.Wallet, simulator.Orders)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	resp, err := client.Get(urls[simulator.Wallet] + "/v1/users/u1/wallet")
	if err != nil {
		fmt.Println(err)
		return
	}
	var got simulator.UserWallet
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	want, _ := simulator.WalletOf("u1")
	fmt.Println(resp.StatusCode, err, got == want)

	resp, err = client.Get(urls[simulator.Orders] + "/v1/users/u1/orders?limit=5")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), sim.Stats(simulator.Orders).Faults)
	// Output:
	// 200 <nil> true
	// 503 1 1
}

func ExampleParseBehavior() {
	b, err := simulator.ParseBehavior("latency=100ms..1s,fault=500@30%")
	fmt.Println(b.Latency.Min, b.Latency.Max, b.Fault, b.FaultRate, err)
	fmt.Println(b)
	// Output:
	// 100ms 1s 500 0.3 <nil>
	// latency=100ms..1s,fault=500@30%
}
