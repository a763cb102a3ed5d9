package downstream

import (
	"context"
	"fmt"
	"github.com/acme/dashboard-gateway/graph/model"
	"math"
)

// Recommendations is the recommendations service.
const Recommendations Service = "recommendations"

// Recommendation is a product suggested to a user, as the recommendations
// service sends it.
type Recommendation struct {
	ProductID string   `json:"productId"`
	Score     *float64 `json:"score"` // required, 0..1
	Reason    *string  `json:"reason"`
}

func (r *Recommendation) validate() error {
	var c checks
	c.id("productId", r.ProductID)
	c.present("score", r.Score != nil)
	if c.err == nil && (math.IsNaN(*r.Score) || *r.Score < 0 || *r.Score > 1) {
		c.err = fmt.Errorf("score %v outside 0..1", *r.Score)
	}
	return c.err
}

type recommendationsResponse struct {
	Items []*Recommendation `json:"items"`
}

func (r *recommendationsResponse) validate() error { return validateList("items", r.Items) }

// Recommendations returns the products picked for the user, best first, at
// most limit. An unknown user has none.
func (c *Clients) Recommendations(ctx context.Context, userID string, limit int) ([]*Recommendation, error) {
	return getUserList(ctx, c.of(Recommendations), "get recommendations", userID, limit,
		func(r *recommendationsResponse) []*Recommendation { return r.Items })
}

// RecommendationModels returns in as the schema's Recommendations (without
// their products, which the catalog has), allocated together.
func RecommendationModels(in []*Recommendation) []*model.Recommendation {
	recs := make([]model.Recommendation, len(in))
	out := make([]*model.Recommendation, len(in))
	for i, r := range in {
		recs[i] = model.Recommendation{Score: *r.Score, Reason: r.Reason}
		out[i] = &recs[i]
	}
	return out
}
