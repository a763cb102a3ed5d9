package contract_test

import (
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"u1", true},
		{"A-z_09", true},
		{strings.Repeat("a", 64), true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{".", false},
		{"..", false},
		{"u1/../wallet", false},
		{"..%2F..%2Fadmin", false},
		{"u1,u2", false},
		{"u 1", false},
		{"u1\n", false},
		{"ü", false},
	}
	for _, tt := range tests {
		if got := contract.ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v; want %v", tt.id, got, tt.want)
		}
	}
}

func TestValidSubject(t *testing.T) {
	tests := []struct {
		sub  string
		want bool
	}{
		{"u1", true},
		{"auth0|5f7c8ec7c33c6c004bbafe82", true},
		{"ada@example.com", true},
		{strings.Repeat("s", 256), true},
		{"", false},
		{strings.Repeat("s", 257), false},
		{"u1\r\nX-Admin: 1", false},
		{"u1\x00", false},
		{"a b", false},
		{"ü", false},
		{"\x7f", false},
	}
	for _, tt := range tests {
		if got := contract.ValidSubject(tt.sub); got != tt.want {
			t.Errorf("ValidSubject(%q) = %v; want %v", tt.sub, got, tt.want)
		}
	}
}
