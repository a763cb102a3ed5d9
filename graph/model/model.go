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
	productLookup
}

// Recommendation is a product suggested to a user. Its product is looked up
// as OrderItem's is.
type Recommendation struct {
	Score  float64
	Reason *string
	productLookup
}

// productLookup is a list element's product as it was looked up: the
// product, or the error that is the element's product field's.
type productLookup struct {
	value *Product
	err   error
}

// Product returns the product, or why it could not be had.
func (l *productLookup) Product() (*Product, error) { return l.value, l.err }

// SetProduct sets what Product returns.
func (l *productLookup) SetProduct(p *Product, err error) { l.value, l.err = p, err }

// Money is an amount in the currency's minor unit. Formatted is computed only
// when a client selects it.
type Money struct {
	AmountMinor int
	Currency    string
}
