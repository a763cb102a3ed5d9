package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
)

// Wallet is the wallet service.
const Wallet Service = "wallet"

// UserWallet is a user's stored value as the wallet service sends it.
type UserWallet struct {
	Balance       *Money `json:"balance"`
	LoyaltyPoints *int   `json:"loyaltyPoints"` // required, >= 0
}

func (w *UserWallet) validate() error {
	var c checks
	c.money("balance", w.Balance)
	c.count("loyaltyPoints", w.LoyaltyPoints)
	return c.err
}

// Wallet returns the user's wallet; an unknown user is KindNotFound.
func (c *Clients) Wallet(ctx context.Context, userID string) (*UserWallet, error) {
	return getUser[UserWallet](ctx, c.of(Wallet), "get wallet", userID, "", true)
}

// Model returns w as the schema's Wallet.
func (w *UserWallet) Model() *model.Wallet {
	balance := w.Balance.model()
	return &model.Wallet{Balance: &balance, LoyaltyPoints: *w.LoyaltyPoints}
}
