package downstream

import (
	"context"
	"errors"
)

// UserWallet is a user's stored value as the wallet service sends it.
type UserWallet struct {
	Balance       *Money `json:"balance"`
	LoyaltyPoints *int   `json:"loyaltyPoints"` // required, >= 0
}

func (w *UserWallet) validate() error {
	if w == nil {
		return errors.New("null wallet")
	}
	var c checks
	c.money("balance", w.Balance)
	c.count("loyaltyPoints", w.LoyaltyPoints)
	return c.err
}

// Wallet returns the user's wallet; an unknown user is KindNotFound.
func (c *Clients) Wallet(ctx context.Context, userID string) (*UserWallet, error) {
	const op = "get wallet"
	path, err := c.wallet.userPath(op, userID, "/wallet")
	if err != nil {
		return nil, err
	}
	return fetch[UserWallet](ctx, c.wallet, op, path, "", []string{userID}, true)
}
