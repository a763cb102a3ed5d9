// Package floor is the yardstick of the gateway's cost: a hand-written
// fan-out with plain net/http and encoding/json, no GraphQL, that answers
// GET /dashboard/{userId} with the full dashboard by making the same
// downstream calls the gateway makes for it (profile, orders, the products
// and shipments of the orders, recommendations, their products,
// notifications, wallet),
// under the same deadline. It is what a careful engineer would write by hand
// for this one page, and the benchmarks measure the gateway beside it.
//
// It is for benchmarks only: it validates nothing beyond what decoding
// does, and it has no resilience layers.
package floor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acme/dashboard-gateway/graph/model"
)

// Deadline is every request's deadline, as the gateway's default.
const Deadline = 1500 * time.Millisecond

// Handler serves GET /dashboard/{userId} from the services at the base
// URLs in URLs, keyed by service name (contract.Services); it calls those
// a dashboard's fields need. With ?products=false it leaves out the products
// of orders and recommendations, and so the catalog service; with
// ?shipments=false the orders' shipments, and so the shipping service.
type Handler struct {
	URLs   map[string]string
	Client *http.Client
}

// money is a downstream amount, answered with its formatted form too.
type money struct {
	AmountMinor int    `json:"amountMinor"`
	Currency    string `json:"currency"`
	Formatted   string `json:"formatted"`
}

func (m *money) format() {
	if m != nil {
		m.Formatted = model.Money{AmountMinor: m.AmountMinor, Currency: m.Currency}.Formatted()
	}
}

type product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    *money  `json:"price"`
	ImageURL *string `json:"imageUrl"`
	InStock  bool    `json:"inStock"`
}

type item struct {
	Quantity  int      `json:"quantity"`
	UnitPrice *money   `json:"unitPrice"`
	Product   *product `json:"product"`
}

// itemWire is an order item as the orders service sends it.
type itemWire struct {
	ProductID string `json:"productId"`
	Quantity  int    `json:"quantity"`
	UnitPrice *money `json:"unitPrice"`
}

// orderWire is an order as the orders service sends it.
type orderWire struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	PlacedAt time.Time  `json:"placedAt"`
	Total    *money     `json:"total"`
	Items    []itemWire `json:"items"`
}

// order is an order as the floor answers it: its items carry their
// products (the field Items hides orderWire's), and it carries its
// shipment.
type order struct {
	orderWire
	Items    []*item   `json:"items"`
	Shipment *shipment `json:"shipment"`
}

// shipment is an order's shipment, as the floor answers it.
type shipment struct {
	Carrier           string     `json:"carrier"`
	Status            string     `json:"status"`
	EstimatedDelivery *time.Time `json:"estimatedDelivery"`
	TrackingURL       *string    `json:"trackingUrl"`
}

// shipmentWire is a shipment as the shipping service sends it.
type shipmentWire struct {
	OrderID string `json:"orderId"`
	shipment
}

// recommendationWire is a recommendation as its service sends it.
type recommendationWire struct {
	ProductID string  `json:"productId"`
	Score     float64 `json:"score"`
	Reason    *string `json:"reason"`
}

type recommendation struct {
	Score   float64  `json:"score"`
	Reason  *string  `json:"reason"`
	Product *product `json:"product"`
}

type dashboard struct {
	UserID          string            `json:"userId"`
	Profile         *profile          `json:"profile"`
	Orders          []*order          `json:"orders"`
	Recommendations []*recommendation `json:"recommendations"`
	Notifications   *notifications    `json:"notifications"`
	Wallet          *wallet           `json:"wallet"`
}

type profile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       *string   `json:"email"`
	AvatarURL   *string   `json:"avatarUrl"`
	Tier        string    `json:"tier"`
	MemberSince time.Time `json:"memberSince"`
}

type notifications struct {
	UnreadCount int `json:"unreadCount"`
	Items       []struct {
		ID        string    `json:"id"`
		Kind      string    `json:"kind"`
		Title     string    `json:"title"`
		CreatedAt time.Time `json:"createdAt"`
		Read      bool      `json:"read"`
	} `json:"items"`
}

type wallet struct {
	Balance       *money `json:"balance"`
	LoyaltyPoints int    `json:"loyaltyPoints"`
}

type fieldError struct {
	Message string   `json:"message"`
	Path    []string `json:"path"`
}

type answer struct {
	Status string       `json:"status"`
	Data   *dashboard   `json:"data"`
	Errors []fieldError `json:"errors"`
}

// ServeHTTP implements http.Handler.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	userID, ok := strings.CutPrefix(r.URL.Path, "/dashboard/")
	if !ok || userID == "" {
		http.NotFound(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), Deadline)
	defer cancel()
	withProducts := r.URL.Query().Get("products") != "false"
	withShipments := r.URL.Query().Get("shipments") != "false"

	d := &dashboard{UserID: userID}
	var mu sync.Mutex
	var errs []fieldError
	fail := func(field string, err error) {
		mu.Lock()
		errs = append(errs, fieldError{Message: field + " unavailable", Path: []string{field}})
		mu.Unlock()
	}
	// productsOf looks up the products of a list, unless they are left
	// out; failing is field's error.
	productsOf := func(field string, ids []string) map[string]*product {
		if !withProducts {
			return nil
		}
		products, err := h.products(ctx, ids)
		if err != nil {
			fail(field, err)
		}
		return products
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		var body struct {
			Users []*profile `json:"users"`
		}
		if err := h.get(ctx, "profile", "/v1/users?ids="+userID, &body); err != nil || len(body.Users) == 0 {
			fail("profile", err)
			return
		}
		d.Profile = body.Users[0]
	})
	wg.Go(func() {
		var body struct {
			Orders []orderWire `json:"orders"`
		}
		if err := h.get(ctx, "orders", "/v1/users/"+userID+"/orders?limit=10", &body); err != nil {
			fail("orders", err)
			return
		}
		var ids, orderIDs []string
		for _, o := range body.Orders {
			orderIDs = append(orderIDs, o.ID)
			for _, it := range o.Items {
				ids = append(ids, it.ProductID)
			}
		}
		// The shipments are asked for with the products, at once.
		var shipments map[string]*shipment
		var shipped sync.WaitGroup
		if withShipments && len(orderIDs) > 0 {
			shipped.Go(func() {
				var err error
				if shipments, err = h.shipments(ctx, orderIDs); err != nil {
					fail("orders.shipment", err)
				}
			})
		}
		products := productsOf("orders.items.product", ids)
		shipped.Wait()
		d.Orders = make([]*order, len(body.Orders))
		for i, o := range body.Orders {
			o.Total.format()
			out := &order{orderWire: o, Items: make([]*item, len(o.Items)), Shipment: shipments[o.ID]}
			for j, it := range o.Items {
				it.UnitPrice.format()
				out.Items[j] = &item{Quantity: it.Quantity, UnitPrice: it.UnitPrice, Product: products[it.ProductID]}
			}
			d.Orders[i] = out
		}
	})
	wg.Go(func() {
		var body struct {
			Items []recommendationWire `json:"items"`
		}
		if err := h.get(ctx, "recommendations", "/v1/users/"+userID+"/recommendations?limit=10", &body); err != nil {
			fail("recommendations", err)
			return
		}
		ids := make([]string, len(body.Items))
		for i, it := range body.Items {
			ids[i] = it.ProductID
		}
		products := productsOf("recommendations.product", ids)
		d.Recommendations = make([]*recommendation, len(body.Items))
		for i, it := range body.Items {
			d.Recommendations[i] = &recommendation{Score: it.Score, Reason: it.Reason, Product: products[it.ProductID]}
		}
	})
	wg.Go(func() {
		var body notifications
		if err := h.get(ctx, "notifications", "/v1/users/"+userID+"/notifications?limit=10&unreadOnly=false", &body); err != nil {
			fail("notifications", err)
			return
		}
		d.Notifications = &body
	})
	wg.Go(func() {
		var body wallet
		if err := h.get(ctx, "wallet", "/v1/users/"+userID+"/wallet", &body); err != nil {
			fail("wallet", err)
			return
		}
		body.Balance.format()
		d.Wallet = &body
	})
	wg.Wait()

	a := answer{Status: "success", Data: d, Errors: errs}
	if len(errs) > 0 {
		a.Status = "partial_success"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

// products fetches products by id in one call, keyed by id.
func (h Handler) products(ctx context.Context, ids []string) (map[string]*product, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var body struct {
		Products []*product `json:"products"`
	}
	if err := h.get(ctx, "catalog", "/v1/products?ids="+strings.Join(ids, ","), &body); err != nil {
		return nil, err
	}
	out := make(map[string]*product, len(body.Products))
	for _, p := range body.Products {
		p.Price.format()
		out[p.ID] = p
	}
	return out, nil
}

// shipments fetches the shipments of orders by id in one call, keyed by id.
func (h Handler) shipments(ctx context.Context, orderIDs []string) (map[string]*shipment, error) {
	var body struct {
		Shipments []*shipmentWire `json:"shipments"`
	}
	if err := h.get(ctx, "shipping", "/v1/shipments?orderIds="+strings.Join(orderIDs, ","), &body); err != nil {
		return nil, err
	}
	out := make(map[string]*shipment, len(body.Shipments))
	for _, s := range body.Shipments {
		out[s.OrderID] = &s.shipment
	}
	return out, nil
}

// get calls a service and decodes its answer into into.
func (h Handler) get(ctx context.Context, service, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URLs[service]+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Request-Id", "floor")
	if dl, ok := ctx.Deadline(); ok {
		req.Header.Set("X-Timeout-Ms", fmt.Sprint(max(time.Until(dl).Milliseconds(), 1)))
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d", service, resp.StatusCode)
	}
	return json.Unmarshal(body, into)
}
