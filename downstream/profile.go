package downstream

import (
	"context"
	"github.com/acme/dashboard-gateway/graph/model"
	"time"
)

// Profile is the profile service.
const Profile Service = "profile"

// tiers are the values of a profile's tier.
var tiers = enum(model.AllTier)

// UserProfile is a user's profile as the profile service sends it.
type UserProfile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Email       *string   `json:"email"`
	AvatarURL   *string   `json:"avatarUrl"`
	Tier        string    `json:"tier"`
	MemberSince time.Time `json:"memberSince"`
}

func (p *UserProfile) validate() error {
	var c checks
	c.id("id", p.ID)
	c.nonEmpty("name", p.Name)
	c.oneOf("tier", p.Tier, tiers)
	c.time("memberSince", p.MemberSince)
	return c.err
}

type usersResponse struct {
	Users []*UserProfile `json:"users"`
}

func (r *usersResponse) validate() error { return validateList("users", r.Users) }

// Profiles returns the profiles of the users with the given ids (at most
// MaxBatch), keyed by id; unknown users are absent from the map.
func (c *Clients) Profiles(ctx context.Context, ids []string) (map[string]*UserProfile, error) {
	return getBatch(ctx, c.of(Profile), "get users", ids, true,
		func(r *usersResponse) []*UserProfile { return r.Users },
		func(u *UserProfile) string { return u.ID })
}

// Model returns p as the schema's Profile.
func (p *UserProfile) Model() *model.Profile {
	return &model.Profile{
		ID:          p.ID,
		Name:        p.Name,
		Email:       p.Email,
		AvatarURL:   p.AvatarURL,
		Tier:        model.Tier(p.Tier),
		MemberSince: p.MemberSince.UTC(),
	}
}
