package downstream

import (
	"context"
	"net/url"
)

// UserWallet is a user's stored value as the wallet service sends it.
type UserWallet struct {
	Balance       *Money `json:"balance"`
	LoyaltyPoints *int   `json:"loyaltyPoints"` // required, >= 0
}

func (w *UserWallet) validate() error {
	var c checks
	c.money("balance", w.Balance)
	c.present("loyaltyPoints", w.LoyaltyPoints != nil && *w.LoyaltyPoints >= 0)
	return c.err
}

// Wallet returns the user's wallet; an unknown user is KindNotFound.
func (c *Clients) Wallet(ctx context.Context, userID string) (*UserWallet, error) {
	var w UserWallet
	path := "/v1/users/" + url.PathEscape(userID) + "/wallet"
	if err := c.wallet.get(ctx, "get wallet", path, "", true, &w); err != nil {
		return nil, err
	}
	return &w, nil
}
