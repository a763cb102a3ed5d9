package gateway_test

import (
	"encoding/json"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// fullQuery selects every field of the public contract.
const fullQuery = contract.DashboardQuery

type Gwt_Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
	Formatted   string `json:"formatted"`
}

type Gwt_Product struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Price    Gwt_Money `json:"price"`
	ImageURL *string   `json:"imageUrl"`
	InStock  bool      `json:"inStock"`
}

type Gwt_Dashboard struct {
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
		Total    Gwt_Money `json:"total"`
		Items    []struct {
			Quantity  int          `json:"quantity"`
			UnitPrice Gwt_Money    `json:"unitPrice"`
			Product   *Gwt_Product `json:"product"`
		} `json:"items"`
	} `json:"orders"`
	Recommendations []struct {
		Score   float64      `json:"score"`
		Reason  *string      `json:"reason"`
		Product *Gwt_Product `json:"product"`
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
		Balance       Gwt_Money `json:"balance"`
		LoyaltyPoints int       `json:"loyaltyPoints"`
	} `json:"wallet"`
}

// Dashboard decodes data.Dashboard of a response.
func (r Gwt_Result) Dashboard(tb testing.TB) Gwt_Dashboard {
	tb.Helper()
	var data struct {
		Dashboard *Gwt_Dashboard `json:"dashboard"`
	}
	if err := json.Unmarshal(r.GQL.Data, &data); err != nil || data.Dashboard == nil {
		tb.Fatalf("no data.dashboard (%v) in %s", err, r.Body)
	}
	return *data.Dashboard
}
