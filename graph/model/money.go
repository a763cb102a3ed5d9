package model

import (
	"strconv"
	"strings"
)

// currencyFormat says how to print a currency: its symbol (empty: print the
// ISO code after the amount) and how many minor-unit digits it has.
type currencyFormat struct {
	symbol   string
	exponent int
}

// currencyFormats covers the currencies the services are known to use; any
// other ISO 4217 code prints as "12.34 CHF" with two decimals.
var currencyFormats = map[string]currencyFormat{
	"EUR": {"€", 2},
	"USD": {"$", 2},
	"GBP": {"£", 2},
	"JPY": {"¥", 0},
	"KRW": {"₩", 0},
}

// Formatted returns the amount for people to read, e.g. €129.90 for 12990 EUR.
func (m Money) Formatted() string {
	f, known := currencyFormats[m.Currency]
	if !known {
		f.exponent = 2
	}
	var b strings.Builder
	amount := int64(m.AmountMinor)
	if amount < 0 {
		b.WriteByte('-')
		amount = -amount
	}
	b.WriteString(f.symbol)
	digits := strconv.FormatInt(amount, 10)
	if f.exponent > 0 {
		if pad := f.exponent + 1 - len(digits); pad > 0 {
			digits = strings.Repeat("0", pad) + digits
		}
		cut := len(digits) - f.exponent
		digits = digits[:cut] + "." + digits[cut:]
	}
	b.WriteString(digits)
	if f.symbol == "" {
		b.WriteByte(' ')
		b.WriteString(m.Currency)
	}
	return b.String()
}
