package downstream

import (
	"context"
	"fmt"
)

// Product is a product as the catalog service sends it.
type Product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    *Money  `json:"price"`
	ImageURL *string `json:"imageUrl"`
	InStock  *bool   `json:"inStock"` // required; a pointer tells false from absent
}

func (p *Product) validate() error {
	if p == nil {
		return fmt.Errorf("null product")
	}
	var c checks
	c.id("id", p.ID)
	c.nonEmpty("name", p.Name)
	c.money("price", p.Price)
	c.present("inStock", p.InStock != nil)
	return c.err
}

type productsResponse struct {
	Products []*Product `json:"products"`
}

func (r *productsResponse) validate() error { return validateList("products", r.Products) }

// Products returns the products with the given ids (at most MaxBatch), keyed
// by id; unknown products are absent from the map.
func (c *Clients) Products(ctx context.Context, ids []string) (map[string]*Product, error) {
	return each(ctx, c.catalog, "get products", ids, false, c.products)
}

func (c *Clients) products(ctx context.Context, ids []string) (map[string]*Product, error) {
	if len(ids) == 0 {
		return map[string]*Product{}, nil
	}
	const op = "get products"
	query, err := c.catalog.idsQuery(op, ids)
	if err != nil {
		return nil, err
	}
	r, err := fetch[productsResponse](ctx, c.catalog, op, "/v1/products", query, nil, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Product, len(r.Products))
	for _, p := range r.Products {
		out[p.ID] = p
	}
	return out, nil
}
