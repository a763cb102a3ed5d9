package downstream

import (
	"context"
	"fmt"
	"time"
)

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
	if p == nil {
		return fmt.Errorf("null profile")
	}
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
	return each(ctx, c.profile, "get users", ids, true, c.profiles)
}

func (c *Clients) profiles(ctx context.Context, ids []string) (map[string]*UserProfile, error) {
	if len(ids) == 0 {
		return map[string]*UserProfile{}, nil
	}
	const op = "get users"
	query, err := c.profile.idsQuery(op, ids)
	if err != nil {
		return nil, err
	}
	r, err := fetch[usersResponse](ctx, c.profile, op, "/v1/users", query, nil, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*UserProfile, len(r.Users))
	for _, u := range r.Users {
		out[u.ID] = u
	}
	return out, nil
}
