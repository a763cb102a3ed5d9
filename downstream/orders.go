package downstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

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
	if o == nil {
		return errors.New("null order")
	}
	var c checks
	c.id("id", o.ID)
	c.oneOf("status", o.Status, orderStatuses)
	c.time("placedAt", o.PlacedAt)
	c.money("total", o.Total)
	c.present("items", o.Items != nil)
	for i := range o.Items {
		it := &o.Items[i]
		field := fmt.Sprintf("items[%d]", i)
		c.id(field+".productId", it.ProductID)
		c.count(field+".quantity", it.Quantity)
		c.money(field+".unitPrice", it.UnitPrice)
	}
	return c.err
}

type ordersResponse struct {
	Orders []*Order `json:"orders"`
}

func (r *ordersResponse) validate() error { return validateList("orders", r.Orders) }

// Orders returns the user's most recent orders, newest first, at most limit.
// An unknown user has none.
func (c *Clients) Orders(ctx context.Context, userID string, limit int) ([]*Order, error) {
	const op = "get orders"
	path, err := c.orders.userPath(op, userID, "/orders")
	if err != nil {
		return nil, err
	}
	r, err := fetch[ordersResponse](ctx, c.orders, op, path, "limit="+strconv.Itoa(limit), []string{userID}, false)
	if err != nil {
		return nil, err
	}
	return r.Orders[:min(len(r.Orders), limit)], nil
}
