package gatewaytest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
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
		Shipment *struct {
			Carrier           string  `json:"carrier"`
			Status            string  `json:"status"`
			EstimatedDelivery *string `json:"estimatedDelivery"`
			TrackingURL       *string `json:"trackingUrl"`
		} `json:"shipment"`
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

// FailedPaths returns the paths of d that a failing service nulls, each
// with its error: for each field the service backs (contract.Services),
// the dashboard's field, or that field of every order, order item or
// recommendation d has (recommendations only with recProducts: the query
// asked for their products).
func FailedPaths(d Dashboard, service string, recProducts bool) []string {
	svc, _ := contract.Lookup(service)
	var paths []string
	for _, f := range svc.Fields {
		typ, name, _ := strings.Cut(f, ".")
		switch typ {
		case "Dashboard":
			paths = append(paths, "dashboard."+name)
		case "Order":
			for i := range d.Orders {
				paths = append(paths, fmt.Sprintf("dashboard.orders.%d.%s", i, name))
			}
		case "OrderItem":
			for i, o := range d.Orders {
				for j := range o.Items {
					paths = append(paths, fmt.Sprintf("dashboard.orders.%d.items.%d.%s", i, j, name))
				}
			}
		case "Recommendation":
			for i := range d.Recommendations {
				if recProducts {
					paths = append(paths, fmt.Sprintf("dashboard.recommendations.%d.%s", i, name))
				}
			}
		}
	}
	return paths
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
