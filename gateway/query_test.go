package gateway_test

import (
	"encoding/json"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// fullQuery selects every field of the public contract.
const fullQuery = contract.DashboardQuery

type moneyJSON struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
	Formatted   string `json:"formatted"`
}

type productJSON struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Price    moneyJSON `json:"price"`
	ImageURL *string   `json:"imageUrl"`
	InStock  bool      `json:"inStock"`
}

type dashboardJSON struct {
	UserID  string `json:"userId"`
	Profile *struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Email       *string `json:"email"`
		AvatarURL   *string `json:"avatarUrl"`
		Tier        string  `json:"tier"`
		MemberSince string  `json:"memberSince"`
	} `json:"profile"`
	Orders []struct {
		ID       string    `json:"id"`
		Status   string    `json:"status"`
		PlacedAt string    `json:"placedAt"`
		Total    moneyJSON `json:"total"`
		Items    []struct {
			Quantity  int          `json:"quantity"`
			UnitPrice moneyJSON    `json:"unitPrice"`
			Product   *productJSON `json:"product"`
		} `json:"items"`
	} `json:"orders"`
	Recommendations []struct {
		Score   float64      `json:"score"`
		Reason  *string      `json:"reason"`
		Product *productJSON `json:"product"`
	} `json:"recommendations"`
	Notifications *struct {
		UnreadCount int `json:"unreadCount"`
		Items       []struct {
			ID        string `json:"id"`
			Kind      string `json:"kind"`
			Title     string `json:"title"`
			CreatedAt string `json:"createdAt"`
			Read      bool   `json:"read"`
		} `json:"items"`
	} `json:"notifications"`
	Wallet *struct {
		Balance       moneyJSON `json:"balance"`
		LoyaltyPoints int       `json:"loyaltyPoints"`
	} `json:"wallet"`
}

// dashboard decodes data.dashboard of a response.
func (r result) dashboard(tb testing.TB) dashboardJSON {
	tb.Helper()
	var data struct {
		Dashboard *dashboardJSON `json:"dashboard"`
	}
	if err := json.Unmarshal(r.gql.Data, &data); err != nil || data.Dashboard == nil {
		tb.Fatalf("no data.dashboard (%v) in %s", err, r.body)
	}
	return *data.Dashboard
}
