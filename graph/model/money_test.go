package model

import "testing"

func TestMoneyFormatted(t *testing.T) {
	tests := []struct {
		money Money
		want  string
	}{
		{Money{12990, "EUR"}, "€129.90"},
		{Money{500, "EUR"}, "€5.00"},
		{Money{5, "USD"}, "$0.05"},
		{Money{0, "GBP"}, "£0.00"},
		{Money{-1999, "EUR"}, "-€19.99"},
		{Money{1200, "JPY"}, "¥1200"},
		{Money{12345, "CHF"}, "123.45 CHF"},
	}
	for _, tt := range tests {
		if got := tt.money.Formatted(); got != tt.want {
			t.Errorf("Money%+v.Formatted() = %q; want %q", tt.money, got, tt.want)
		}
	}
}
