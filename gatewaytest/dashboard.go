package gatewaytest

import (
	"encoding/json"
	"testing"
)

// Money is a Money of the schema as a response carries it.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
	Formatted   string `json:"formatted"`
}

// Product is a Product of the schema as a response carries it.
type Product struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    Money   `json:"price"`
	ImageURL *string `json:"imageUrl"`
	InStock  bool    `json:"inStock"`
}

// Dashboard is data.dashboard of a response to contract.DashboardQuery:
// every field of the public contract.
type Dashboard struct {
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
		ID       string `json:"id"`
		Status   string `json:"status"`
		PlacedAt string `json:"placedAt"`
		Total    Money  `json:"total"`
		Items    []struct {
			Quantity  int      `json:"quantity"`
			UnitPrice Money    `json:"unitPrice"`
			Product   *Product `json:"product"`
		} `json:"items"`
	} `json:"orders"`
	Recommendations []struct {
		Score   float64  `json:"score"`
		Reason  *string  `json:"reason"`
		Product *Product `json:"product"`
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
		Balance       Money `json:"balance"`
		LoyaltyPoints int   `json:"loyaltyPoints"`
	} `json:"wallet"`
}

// Dashboard decodes data.dashboard of the response.
func (r Result) Dashboard(tb testing.TB) Dashboard {
	tb.Helper()
	var data struct {
		Dashboard *Dashboard `json:"dashboard"`
	}
	if err := json.Unmarshal(r.GQL.Data, &data); err != nil || data.Dashboard == nil {
		tb.Fatalf("no data.dashboard (%v) in %s", err, r.Body)
	}
	return *data.Dashboard
}
