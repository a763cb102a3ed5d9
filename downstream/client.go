// Package downstream calls the six REST services behind the gateway (profile,
// orders, catalog, recommendations, notifications, wallet) as
// ../shared/contract/downstream.md describes them. Each service has one file
// here with its wire types, endpoints and response validation; this file holds
// what they share: building the request with the contract's headers, capping
// and decoding the answer, and turning every failure into an *Error.
//
// It does not retry, batch, cache or time out on its own: the caller's context
// carries the deadline, and batching and de-duplication belong to the loaders.
package downstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/acme/dashboard-gateway/requestid"
)

// Service names a downstream service. The names are part of the client
// contract: they appear as extensions.service in GraphQL errors.
type Service string

// The downstream services.
const (
	Profile         Service = "profile"
	Orders          Service = "orders"
	Catalog         Service = "catalog"
	Recommendations Service = "recommendations"
	Notifications   Service = "notifications"
	Wallet          Service = "wallet"
)

// Services returns every downstream service, in a fixed order.
func Services() []Service {
	return []Service{Profile, Orders, Catalog, Recommendations, Notifications, Wallet}
}

// Headers the gateway sends on every downstream call (besides X-Request-Id).
const (
	// TimeoutHeader carries the budget left for the call in whole milliseconds.
	TimeoutHeader = "X-Timeout-Ms"
)

// DefaultMaxBodyBytes caps a response body when Config.MaxBodyBytes is zero.
// The largest legitimate answer (100 products) is about 25 KiB.
const DefaultMaxBodyBytes = 1 << 20

// MaxBatch is the most ids one batch call may carry (profile and catalog).
const MaxBatch = 100

// Config says where the services are and how to reach them.
type Config struct {
	// URLs maps every service to its base URL, e.g. http://orders:8080.
	URLs map[Service]string
	// HTTPClient sends the calls. Nil means a client over NewTransport().
	// Its Timeout should be zero: the caller's context is the deadline.
	HTTPClient *http.Client
	// MaxBodyBytes caps each response body; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Clients calls the downstream services. It is safe for concurrent use; one
// value serves the whole process.
type Clients struct {
	profile, orders, catalog, recommendations, notifications, wallet *client
}

// New returns Clients for cfg, or an error naming the service whose URL is
// missing or invalid.
func New(cfg Config) (*Clients, error) {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: NewTransport()}
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	mk := func(s Service) (*client, error) {
		raw, ok := cfg.URLs[s]
		if !ok || raw == "" {
			return nil, fmt.Errorf("downstream: no URL for the %s service", s)
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("downstream: %s service URL %q: want http(s)://host[:port][/path]", s, raw)
		}
		return &client{service: s, base: u.String(), http: hc, maxBody: maxBody}, nil
	}
	var c Clients
	var err error
	for _, f := range []struct {
		s   Service
		dst **client
	}{
		{Profile, &c.profile}, {Orders, &c.orders}, {Catalog, &c.catalog},
		{Recommendations, &c.recommendations}, {Notifications, &c.notifications}, {Wallet, &c.wallet},
	} {
		if *f.dst, err = mk(f.s); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// client calls one service.
type client struct {
	service Service
	base    string // without a trailing slash
	http    *http.Client
	maxBody int64
}

// response is a decoded answer; validate reports what the contract requires
// and the answer lacks.
type response interface {
	validate() error
}

// get calls GET base+path?query and decodes a 200 answer into into. With
// notFound, a 404 is KindNotFound (the endpoints where the contract lists it);
// otherwise any status but 200 is KindBadStatus.
func (c *client) get(ctx context.Context, op, path, query string, notFound bool, into response) error {
	u := c.base + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return c.fail(op, KindConnection, 0, err)
	}
	req.Header.Set("Accept", "application/json")
	id := requestid.FromContext(ctx)
	if id == "" { // work outside a request still gets an id to trace it by
		id = requestid.New()
	}
	req.Header.Set(requestid.Header, id)
	if dl, ok := ctx.Deadline(); ok {
		req.Header.Set(TimeoutHeader, strconv.FormatInt(max(time.Until(dl).Milliseconds(), 1), 10))
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportFailure(ctx, op, err)
	}
	defer func() {
		// Drain a little so the connection can be reused, then let it go.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		_ = resp.Body.Close()
	}()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotFound && notFound:
		return c.fail(op, KindNotFound, resp.StatusCode, nil)
	default:
		return c.fail(op, KindBadStatus, resp.StatusCode, nil)
	}

	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // keep only small buffers in the pool
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return c.transportFailure(ctx, op, err)
	}
	if n > c.maxBody {
		return c.fail(op, KindTooLarge, resp.StatusCode, fmt.Errorf("body over %d bytes", c.maxBody))
	}
	if err := json.Unmarshal(buf.Bytes(), into); err != nil {
		return c.fail(op, KindInvalidResponse, resp.StatusCode, err)
	}
	if err := into.validate(); err != nil {
		return c.fail(op, KindInvalidResponse, resp.StatusCode, err)
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// transportFailure classifies an error from sending or reading: the context
// ending wins over whatever the transport saw.
func (c *client) transportFailure(ctx context.Context, op string, err error) *Error {
	if ctx.Err() != nil {
		e := ContextError(ctx, c.service, op)
		e.Err = errors.Join(e.Err, err)
		return e
	}
	return c.fail(op, KindConnection, 0, err)
}

func (c *client) fail(op string, kind Kind, status int, err error) *Error {
	return &Error{Service: c.service, Op: op, Kind: kind, Status: status, Err: err}
}
