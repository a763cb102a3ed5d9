package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
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

// ProductModels returns found as the schema's Products, by id, allocated
// together.
func ProductModels(found map[string]*Product) map[string]*model.Product {
	out := make(map[string]*model.Product, len(found))
	models := make([]model.Product, len(found))
	prices := make([]model.Money, len(found))
	i := 0
	for id, p := range found {
		prices[i] = p.Price.model()
		models[i] = model.Product{
			ID:       p.ID,
			Name:     p.Name,
			Price:    &prices[i],
			ImageURL: p.ImageURL,
			InStock:  *p.InStock,
		}
		out[id] = &models[i]
		i++
	}
	return out
}
