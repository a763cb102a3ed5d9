package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
	"time"
)

// Orders is the orders service.
const Orders Service = "orders"

// orderStatuses are the values of an order's status.
var orderStatuses = enum(model.AllOrderStatus)

// Order is an order as the orders service sends it.
type Order struct {
	ID       string      `json:"id"`
	Status   string      `json:"status"`
	PlacedAt time.Time   `json:"placedAt"`
	Total    *Money      `json:"total"`
	Items    []OrderItem `json:"items"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	ProductID string `json:"productId"`
	Quantity  *int   `json:"quantity"` // required; a pointer tells 0 from absent
	UnitPrice *Money `json:"unitPrice"`
}

func (o *Order) validate() error {
	var c checks
	c.id("id", o.ID)
	c.oneOf("status", o.Status, orderStatuses)
	c.time("placedAt", o.PlacedAt)
	c.money("total", o.Total)
	checkList(&c, "items", o.Items, func(it *OrderItem) {
		c.id("productId", it.ProductID)
		c.count("quantity", it.Quantity)
		c.money("unitPrice", it.UnitPrice)
	})
	return c.err
}

type ordersResponse struct {
	Orders []*Order `json:"orders"`
}

func (r *ordersResponse) validate() error { return validateList("orders", r.Orders) }

// Orders returns the user's most recent orders, newest first, at most limit.
// An unknown user has none.
func (c *Clients) Orders(ctx context.Context, userID string, limit int) ([]*Order, error) {
	return getUserList(ctx, c.of(Orders), "get orders", userID, limit,
		func(r *ordersResponse) []*Order { return r.Orders })
}

// OrderModels returns in as the schema's Orders, allocated together: one
// slice per type for the list, not one allocation per value.
func OrderModels(in []*Order) []*model.Order {
	n := 0
	for _, o := range in {
		n += len(o.Items)
	}
	orders := make([]model.Order, len(in))
	items := make([]model.OrderItem, n)
	itemPtrs := make([]*model.OrderItem, n)
	amounts := make([]model.Money, len(in)+n) // totals, then unit prices
	out := make([]*model.Order, len(in))
	k := 0 // the next item
	for i, o := range in {
		first := k
		for _, it := range o.Items {
			price := &amounts[len(in)+k]
			*price = it.UnitPrice.model()
			items[k] = model.OrderItem{Quantity: *it.Quantity, UnitPrice: price}
			itemPtrs[k] = &items[k]
			k++
		}
		amounts[i] = o.Total.model()
		orders[i] = model.Order{
			ID:       o.ID,
			Status:   model.OrderStatus(o.Status),
			PlacedAt: o.PlacedAt.UTC(),
			Total:    &amounts[i],
			Items:    itemPtrs[first:k:k],
		}
		out[i] = &orders[i]
	}
	return out
}
