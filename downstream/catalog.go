package downstream

import (
	"context"
)

// Catalog is the catalog service, whose items are products.
const Catalog Service = "catalog"

// Product is a product as the catalog service sends it.
type Product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    *Money  `json:"price"`
	ImageURL *string `json:"imageUrl"`
	InStock  *bool   `json:"inStock"` // required; a pointer tells false from absent
}

func (p *Product) validate() error {
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
	return getBatch(ctx, c.of(Catalog), "get products", ids, false,
		func(r *productsResponse) []*Product { return r.Products },
		func(p *Product) string { return p.ID })
}
