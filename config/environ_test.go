package config

import (
	"strings"
	"testing"
)

func TestCheckEnviron(t *testing.T) {
	for _, tt := range []struct {
		name    string
		environ []string
		want    string // "" for no error
	}{
		{"ours", []string{"ORDERS_URL=http://orders", "WALLET_POLICY=attempts=1", "REDIS_URL=redis://r", "AUTH_JWKS_URL=https://idp"}, ""},
		{"not ours, nothing like ours", []string{"DATABASE_URL=postgres://db", "HOME=/root", "SENTRY_URL=x", "KUBERNETES_SERVICE_HOST=10.0.0.1"}, ""},
		{"one letter short", []string{"ORDER_URL=http://orders"}, "ORDER_URL: not a setting of this gateway; did you mean ORDERS_URL?"},
		{"one letter more", []string{"PROFILES_URL=http://p"}, "did you mean PROFILE_URL?"},
		{"misspelt", []string{"RECOMENDATIONS_URL=http://r"}, "did you mean RECOMMENDATIONS_URL?"},
		{"a policy", []string{"SHIPING_POLICY=attempts=1"}, "did you mean SHIPPING_POLICY?"},
		{"two at once", []string{"ORDER_URL=a", "WALET_URL=b"}, "ORDER_URL: not a setting of this gateway; did you mean ORDERS_URL?; WALET_URL: not a setting of this gateway; did you mean WALLET_URL?"},
	} {
		err := CheckEnviron(tt.environ)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v; want none", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v; want one with %q", tt.name, err, tt.want)
		}
	}
}
