package simulator

import (
	"math/rand/v2"
	"strconv"
)

// Product is one product as the catalog service returns it.
type Product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    Money   `json:"price"`
	ImageURL *string `json:"imageUrl"` // nil (JSON null) for about 20% of products
	InStock  bool    `json:"inStock"`
}

var (
	productAdjectives = [...]string{
		"Trail", "Classic", "Urban", "Light", "Rugged", "Compact", "Wireless", "Vintage",
		"Everyday", "Pro", "Eco", "Smart", "Soft", "Travel", "Studio", "Outdoor",
	}
	productNouns = [...]string{
		"shoe", "jacket", "backpack", "lamp", "kettle", "headphones", "mug", "watch",
		"tent", "bottle", "chair", "notebook", "speaker", "blanket", "knife", "camera",
	}
)

// ProductOf returns a product, and false for an unknown one. Prices are
// 1.99 to 499.99 EUR ending in .99; about 80% of products have an image
// URL and 85% are in stock.
func ProductOf(productID string) (Product, bool) {
	if _, ok := productNum(productID); !ok {
		return Product{}, false
	}
	src := rand.NewPCG(fnv64a(productID), kindProduct)
	p := Product{ID: productID, Price: eur(drawPrice(src))}
	r := rand.New(src)
	p.Name = pick(r, productAdjectives[:]) + " " + pick(r, productNouns[:])
	hasImage := r.IntN(100) < 80
	p.InStock = r.IntN(100) < 85
	if hasImage {
		p.ImageURL = ptr("https://img.example.com/" + productID + ".png")
	}
	return p, true
}

// drawPrice is the first draw of a product's stream, taken straight from
// the source so that productPrice need not build the product or allocate.
func drawPrice(src *rand.PCG) int64 { return int64(1+src.Uint64()%499)*100 + 99 }

// productPrice returns the price of an existing product.
func productPrice(id string) int64 {
	var src rand.PCG
	src.Seed(fnv64a(id), kindProduct)
	return drawPrice(&src)
}

// productID returns the id of product n.
func productID(n int) string {
	var buf [8]byte
	return string(strconv.AppendInt(append(buf[:0], 'p'), int64(n), 10))
}

// drawProduct returns the id of a random existing product.
func drawProduct(r *rand.Rand) string { return productID(1 + r.IntN(NumProducts)) }
