package downstream

import (
	"context"
	"errors"
	"net/url"
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
	path := "/v1/users/" + url.PathEscape(userID) + "/wallet"
	return fetch[UserWallet](ctx, c.wallet, "get wallet", path, "", true)
}
