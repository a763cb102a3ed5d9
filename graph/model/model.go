// Package model holds the Go types behind the GraphQL schema: the hand-written
// ones here, which carry what resolvers need beyond the public fields, and the
// ones gqlgen generates into models_gen.go. They are plain data: nothing here
// schedules, fetches or waits. The schema's Dashboard type is bound to
// budget.Dashboard instead (gqlgen.yml): every one of its fields but userId
// has a resolver, and it carries the state of its fields' budgets.
package model

// OrderItem is one line of an order. Its product is looked up with every
// other product of its list, by the list's resolver, before the list is
// returned: reading it costs no call and no goroutine of its own.
type OrderItem struct {
	Quantity  int
	UnitPrice *Money
	product   lookup
}

// Product returns the product ordered, or why it could not be had.
func (i *OrderItem) Product() (*Product, error) { return i.product.value, i.product.err }

// SetProduct sets what Product returns.
func (i *OrderItem) SetProduct(p *Product, err error) { i.product = lookup{p, err} }

// Recommendation is a product suggested to a user. Its product is looked up
// as OrderItem's is.
type Recommendation struct {
	Score   float64
	Reason  *string
	product lookup
}

// Product returns the product suggested, or why it could not be had.
func (r *Recommendation) Product() (*Product, error) { return r.product.value, r.product.err }

// SetProduct sets what Product returns.
func (r *Recommendation) SetProduct(p *Product, err error) { r.product = lookup{p, err} }

// lookup is a product looked up for a list element: the product, or the
// error that is the element's product field's.
type lookup struct {
	value *Product
	err   error
}

// Money is an amount in the currency's minor unit. Formatted is computed only
// when a client selects it.
type Money struct {
	AmountMinor int
	Currency    string
}
