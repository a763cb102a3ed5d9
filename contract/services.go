package contract

import "strings"

// Service is one downstream service as the contract declares it. Services
// is the one place a service is declared: the downstream clients, the
// simulator, the flags, the fields that take budgets and the tables of the
// docs all derive from it.
type Service struct {
	// Name names the service everywhere: its flags (-<name>-url,
	// <NAME>_URL, -<name>-policy), metric labels, Server-Timing entries and
	// extensions.service in errors. Lower-case letters only.
	Name string
	// Endpoints are the REST endpoints the service serves, at most one of
	// each kind.
	Endpoints []Endpoint
	// Fields are the GraphQL fields the service's data backs, as
	// "Type.field" (e.g. "Dashboard.orders").
	Fields []string
	// Description says in one line what the service holds, for the docs.
	Description string
}

// EndpointKind is one of the contract's two kinds of endpoint.
type EndpointKind int

const (
	// Batch is GET Path?IDs=a,b,c with 1 to MaxIDs ids: the items found,
	// in any order; unknown ids are absent.
	Batch EndpointKind = iota + 1
	// PerUser is one user's resource, GET /v1/users/{id}..., taking the
	// query parameters Params.
	PerUser
)

// Endpoint is one REST endpoint of a service. Every endpoint is a GET.
type Endpoint struct {
	// Kind says which of the contract's kinds the endpoint is.
	Kind EndpointKind
	// Path is the endpoint's path. In a PerUser endpoint "{id}" stands for
	// the user's id: "/v1/users/{id}/orders".
	Path string
	// IDs is the query parameter that lists a Batch endpoint's ids,
	// comma-separated ("ids"); empty for PerUser.
	IDs string
	// MaxIDs is the most ids one call to a Batch endpoint may carry
	// (MaxBatch); zero for PerUser.
	MaxIDs int
	// Params are the query parameters a PerUser endpoint takes, each
	// optional; none for Batch.
	Params []string
}

// Services returns the downstream services, in their canonical order (the
// simulator's ports follow it). The table is fresh on every call: callers
// may keep or change it.
func Services() []Service {
	return []Service{
		{
			Name:        "profile",
			Endpoints:   []Endpoint{perUser(""), batch("/v1/users", "ids")},
			Fields:      []string{"Dashboard.profile"},
			Description: "users: name, email, avatar, tier, member since",
		},
		{
			Name:        "orders",
			Endpoints:   []Endpoint{perUser("/orders", "limit")},
			Fields:      []string{"Dashboard.orders"},
			Description: "a user's orders, newest first, with their items",
		},
		{
			Name:        "catalog",
			Endpoints:   []Endpoint{batch("/v1/products", "ids")},
			Fields:      []string{"OrderItem.product", "Recommendation.product"},
			Description: "products: name, price, image, stock",
		},
		{
			Name:        "recommendations",
			Endpoints:   []Endpoint{perUser("/recommendations", "limit")},
			Fields:      []string{"Dashboard.recommendations"},
			Description: "the products picked for a user, best first",
		},
		{
			Name:        "notifications",
			Endpoints:   []Endpoint{perUser("/notifications", "limit", "unreadOnly")},
			Fields:      []string{"Dashboard.notifications"},
			Description: "a user's notifications, newest first, and how many are unread",
		},
		{
			Name:        "wallet",
			Endpoints:   []Endpoint{perUser("/wallet")},
			Fields:      []string{"Dashboard.wallet"},
			Description: "a user's balance and loyalty points",
		},
		{
			Name:        "shipping",
			Endpoints:   []Endpoint{batch("/v1/shipments", "orderIds")},
			Fields:      []string{"Order.shipment"},
			Description: "orders' shipments: carrier, status, estimated delivery, tracking link",
		},
	}
}

// batch declares a Batch endpoint at path whose ids come in the query
// parameter ids.
func batch(path, ids string) Endpoint {
	return Endpoint{Kind: Batch, Path: path, IDs: ids, MaxIDs: MaxBatch}
}

// perUser declares the PerUser endpoint /v1/users/{id}+resource.
func perUser(resource string, params ...string) Endpoint {
	return Endpoint{Kind: PerUser, Path: "/v1/users/{id}" + resource, Params: params}
}

// Endpoint returns the service's endpoint of kind k, and false when it has
// none.
func (s Service) Endpoint(k EndpointKind) (Endpoint, bool) {
	for _, e := range s.Endpoints {
		if e.Kind == k {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Lookup returns the service named name, and false when none is.
func Lookup(name string) (Service, bool) {
	for _, s := range Services() {
		if s.Name == name {
			return s, true
		}
	}
	return Service{}, false
}

// FieldsOf returns the names of the fields of the GraphQL type typ that
// services back, in the order of Services: FieldsOf("Dashboard") names the
// Dashboard fields that each wait on a service.
func FieldsOf(typ string) []string {
	var out []string
	for _, s := range Services() {
		for _, f := range s.Fields {
			if t, name, _ := strings.Cut(f, "."); t == typ {
				out = append(out, name)
			}
		}
	}
	return out
}
