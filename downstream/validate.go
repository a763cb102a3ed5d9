package downstream

import (
	"errors"
	"fmt"
	"github.com/acme/dashboard-gateway/graph/model"
	"math"
	"strconv"
	"time"

	"github.com/acme/dashboard-gateway/contract"
)

// Money is an amount in the currency's minor unit.
type Money struct {
	AmountMinor *int64 `json:"amountMinor"` // required; a pointer tells 0 from absent
	Currency    string `json:"currency"`    // ISO 4217, three upper-case letters
}

// isCurrency reports whether s has the form of an ISO 4217 code: three
// upper-case ASCII letters.
func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// enum returns the values of one of the schema's enums (model.AllTier, ...,
// generated from schema.graphqls) as a set: an answer's enum value must be
// one the schema can carry.
func enum[E ~string](all []E) map[string]bool {
	m := make(map[string]bool, len(all))
	for _, v := range all {
		m[string(v)] = true
	}
	return m
}

// checks collects the first problem of a validation. Inside a list (see
// checkList) fields are named relative to the element being checked, and
// a field's full name ("items[3].productId") is built only for the
// problem found: a valid answer costs no string building.
type checks struct {
	err   error
	list  string // the list whose element is being checked; "" outside one
	index int
}

// fail records the problem of field: what says what is wrong with it.
func (c *checks) fail(field, what string) {
	if c.list != "" {
		field = c.list + "[" + strconv.Itoa(c.index) + "]." + field
	}
	c.err = errors.New(field + " " + what)
}

func (c *checks) id(field, v string) {
	if c.err == nil && !contract.ValidID(v) {
		c.fail(field, strconv.Quote(v)+" is not a valid id")
	}
}

func (c *checks) nonEmpty(field, v string) {
	if c.err == nil && v == "" {
		c.fail(field, "missing")
	}
}

func (c *checks) oneOf(field, v string, allowed map[string]bool) {
	if c.err == nil && !allowed[v] {
		c.fail(field, strconv.Quote(v)+" is not one of the known values")
	}
}

// time checks a required time that the schema's Time (RFC 3339, in UTC)
// can carry: its UTC year has four digits.
func (c *checks) time(field string, v time.Time) {
	switch {
	case c.err != nil:
	case v.IsZero():
		c.fail(field, "missing")
	case v.UTC().Year() < 0 || v.UTC().Year() > 9999:
		c.fail(field, fmt.Sprintf("%v is outside the years RFC 3339 can write", v))
	}
}

func (c *checks) present(field string, ok bool) {
	if c.err == nil && !ok {
		c.fail(field, "missing")
	}
}

// count checks a required non-negative count that fits the schema's Int.
func (c *checks) count(field string, v *int) {
	if c.err == nil && (v == nil || *v < 0 || *v > math.MaxInt32) {
		c.fail(field, fmt.Sprintf("missing or outside 0..%d", math.MaxInt32))
	}
}

// money checks a required amount whose minor units fit the schema's Int.
func (c *checks) money(field string, m *Money) {
	switch {
	case c.err != nil:
	case m == nil || m.AmountMinor == nil:
		c.fail(field+".amountMinor", "missing")
	case *m.AmountMinor > math.MaxInt32 || *m.AmountMinor < math.MinInt32:
		c.fail(field+".amountMinor", strconv.FormatInt(*m.AmountMinor, 10)+" does not fit the schema's Int")
	case !isCurrency(m.Currency):
		c.fail(field+".currency", strconv.Quote(m.Currency)+" is not an ISO 4217 code")
	}
}

// checkList checks a required list inside an answer: present, and each
// element with check, whose fields are named relative to the element.
func checkList[T any](c *checks, field string, list []T, check func(v *T)) {
	c.present(field, list != nil)
	c.list = field
	for i := range list {
		if c.err != nil {
			break
		}
		c.index = i
		check(&list[i])
	}
	c.list = ""
}

// errMissing is the error of an answer without its top-level field.
var errMissing = errors.New("required top-level field missing")

// validateList checks a required top-level list of an answer: present, and
// every element valid (a JSON null element is invalid too).
func validateList[T any, PT interface {
	*T
	validate() error
}](field string, list []PT) error {
	if list == nil {
		return fmt.Errorf("%s: %w", field, errMissing)
	}
	for i, v := range list {
		if v == nil {
			return fmt.Errorf("%s[%d]: null", field, i)
		}
		if err := v.validate(); err != nil {
			return fmt.Errorf("%s[%d]: %w", field, i, err)
		}
	}
	return nil
}

// model returns m as the schema's Money.
func (m *Money) model() model.Money {
	return model.Money{AmountMinor: int(*m.AmountMinor), Currency: m.Currency}
}
