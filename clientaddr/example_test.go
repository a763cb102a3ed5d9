package clientaddr_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/acme/dashboard-gateway/clientaddr"
)

// Behind a load balancer in 10.0.0.0/8 that appends to X-Forwarded-For, the
// client is the right-most address the balancer did not add; what the
// client wrote itself, to the left, does not count.
func Example() {
	proxies, _ := clientaddr.ParsePrefixes("10.0.0.0/8")
	res, err := clientaddr.New(proxies, "X-Forwarded-For")
	if err != nil {
		panic(err)
	}
	h := res.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, ok := clientaddr.FromContext(r.Context())
		fmt.Println(addr, ok)
	}))

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.2:51000"                               // the balancer
	r.Header.Set("X-Forwarded-For", "203.0.113.66, 198.51.100.7") // spoofed, then the real client
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: 198.51.100.7 true
}
