package simulator

import (
	"strconv"
	"strings"
	"time"
)

// UserProfile is what the profile service returns for a user. (It is not
// called Profile because that name is the profile service's constant.)
type UserProfile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       *string   `json:"email,omitempty"`     // nil for about 20% of users
	AvatarURL   *string   `json:"avatarUrl,omitempty"` // nil for about 30% of users
	Tier        string    `json:"tier"`                // STANDARD, SILVER, GOLD or PLATINUM
	MemberSince time.Time `json:"memberSince"`         // a UTC midnight
}

// UserWallet is what the wallet service returns for a user. (It is not
// called Wallet because that name is the wallet service's constant.)
type UserWallet struct {
	Balance       Money `json:"balance"`
	LoyaltyPoints int   `json:"loyaltyPoints"`
}

var (
	firstNames = [...]string{
		"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Ken",
		"Dennis", "Frances", "John", "Radia", "Tim", "Hedy", "Linus", "Katherine",
		"Niklaus", "Sophie", "Leslie", "Shafi", "Guido", "Anita", "Claude", "Joan",
	}
	lastNames = [...]string{
		"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson",
		"Ritchie", "Allen", "Backus", "Perlman", "Lee", "Lamarr", "Torvalds", "Johnson",
		"Wirth", "Wilson", "Lamport", "Goldwasser", "Rossum", "Borg", "Shannon", "Clarke",
	}
)

// ProfileOf returns the profile of a user, and false for an unknown user.
// About 80% of users have an email and 70% an avatar URL; names, tiers and
// dates are plausible but made up.
func ProfileOf(userID string) (UserProfile, bool) {
	n, ok := userNum(userID)
	if !ok {
		return UserProfile{}, false
	}
	r := stream(kindProfile, userID)
	first, last := pick(r, firstNames[:]), pick(r, lastNames[:])
	tierDraw := r.IntN(100)
	days := r.IntN(4300) // 2015-01-01 plus up to ~11.8 years: before late 2026
	hasEmail, hasAvatar := r.IntN(100) < 80, r.IntN(100) < 70

	p := UserProfile{
		ID:          userID,
		Name:        first + " " + last,
		Tier:        tierFor(tierDraw),
		MemberSince: time.Date(2015, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days),
	}
	if hasEmail {
		p.Email = ptr(strings.ToLower(first) + "." + strings.ToLower(last) + strconv.Itoa(n) + "@example.com")
	}
	if hasAvatar {
		p.AvatarURL = ptr("https://img.example.com/" + userID + ".png")
	}
	return p, true
}

// tierFor maps a draw in 0..99 to a tier, the better ones rarer.
func tierFor(d int) string {
	switch {
	case d < 50:
		return "STANDARD"
	case d < 78:
		return "SILVER"
	case d < 93:
		return "GOLD"
	default:
		return "PLATINUM"
	}
}

// WalletOf returns the wallet of a user, and false for an unknown user:
// a balance of 0..100000 EUR minor units and 0..20000 loyalty points.
func WalletOf(userID string) (UserWallet, bool) {
	if _, ok := userNum(userID); !ok {
		return UserWallet{}, false
	}
	r := stream(kindWallet, userID)
	return UserWallet{
		Balance:       eur(r.Int64N(100001)),
		LoyaltyPoints: r.IntN(20001),
	}, true
}
