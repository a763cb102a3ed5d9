package downstream

import (
	"errors"
	"fmt"
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

func (m *Money) validate(field string) error {
	if m == nil || m.AmountMinor == nil {
		return fmt.Errorf("%s.amountMinor missing", field)
	}
	if *m.AmountMinor > math.MaxInt32 || *m.AmountMinor < math.MinInt32 {
		return fmt.Errorf("%s.amountMinor %d does not fit the schema's Int", field, *m.AmountMinor)
	}
	if !isCurrency(m.Currency) {
		return fmt.Errorf("%s.currency %q is not an ISO 4217 code", field, m.Currency)
	}
	return nil
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

// The enum values the public schema can carry. A value outside them is a
// broken answer: passing it on would break every client's generated types.
var (
	tiers             = set("STANDARD", "SILVER", "GOLD", "PLATINUM")
	orderStatuses     = set("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")
	notificationKinds = set("ORDER_UPDATE", "PROMOTION", "SECURITY", "SYSTEM")
)

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// checks collects the first problem of a validation.
type checks struct{ err error }

func (c *checks) id(field, v string) {
	if c.err == nil && !contract.ValidID(v) {
		c.err = fmt.Errorf("%s %q is not a valid id", field, v)
	}
}

func (c *checks) nonEmpty(field, v string) {
	if c.err == nil && v == "" {
		c.err = fmt.Errorf("%s missing", field)
	}
}

func (c *checks) oneOf(field, v string, allowed map[string]bool) {
	if c.err == nil && !allowed[v] {
		c.err = fmt.Errorf("%s %q is not one of the known values", field, v)
	}
}

// time checks a required time that the schema's Time (RFC 3339, in UTC)
// can carry: its UTC year has four digits.
func (c *checks) time(field string, v time.Time) {
	switch {
	case c.err != nil:
	case v.IsZero():
		c.err = fmt.Errorf("%s missing", field)
	case v.UTC().Year() < 0 || v.UTC().Year() > 9999:
		c.err = fmt.Errorf("%s %v is outside the years RFC 3339 can write", field, v)
	}
}

func (c *checks) present(field string, ok bool) {
	if c.err == nil && !ok {
		c.err = fmt.Errorf("%s missing", field)
	}
}

// count checks a required non-negative count that fits the schema's Int.
func (c *checks) count(field string, v *int) {
	if c.err == nil && (v == nil || *v < 0 || *v > math.MaxInt32) {
		c.err = fmt.Errorf("%s missing or outside 0..%d", field, math.MaxInt32)
	}
}

func (c *checks) money(field string, m *Money) {
	if c.err == nil {
		c.err = m.validate(field)
	}
}

// checkList checks a required list inside an answer: present, and each
// element with check, which names the element's fields after field
// ("items[3]").
func checkList[T any](c *checks, field string, list []T, check func(field string, v *T)) {
	c.present(field, list != nil)
	for i := range list {
		if c.err != nil {
			return
		}
		check(field+"["+strconv.Itoa(i)+"]", &list[i])
	}
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
