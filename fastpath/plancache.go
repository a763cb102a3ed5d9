package fastpath

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/bytelru"
	"github.com/acme/dashboard-gateway/documents"
)

// planCache keeps what planning learned: each operation's analysis, and
// the plans made for the outcomes of its conditions, the least recently
// used first to go once their estimated size passes a budget (one for the
// analyses, one for the plans). A plan is one outcome of an operation's
// conditions (a mask), so a document with many conditions can have many,
// and the budget bounds them all.
//
// An analysis or a plan keeps its operation, and with it the whole parsed
// document (its nodes point to the source, and spreads to the fragments),
// after gqlgen's query cache has let it go: each counts the document's
// size, so that documents kept here are bounded too.
type planCache struct {
	analyses *bytelru.Cache[*ast.OperationDefinition, *analysis]
	plans    *bytelru.Cache[planKey, *plan]
}

// planKey identifies a plan: the operation (gqlgen's query cache keeps one
// parsed document per query text), its conditions' outcome, and whether
// the client takes incremental delivery.
type planKey struct {
	op          *ast.OperationDefinition
	mask        mask
	incremental bool
}

// analysisSize is what an analysis costs beside its document and
// variables' names.
const analysisSize = 64

func newPlanCache(maxBytes int) *planCache {
	if maxBytes <= 0 {
		maxBytes = DefaultPlanCacheBytes
	}
	return &planCache{
		analyses: bytelru.New(maxBytes, 0, func(_ *ast.OperationDefinition, a *analysis) int { return a.size }),
		plans:    bytelru.New(maxBytes, 0, func(_ planKey, p *plan) int { return p.size }),
	}
}

// analysis returns the analysis of op, of document doc, made once.
func (c *planCache) analysis(op *ast.OperationDefinition, doc *ast.QueryDocument, types map[string]*objectType) *analysis {
	if a, ok := c.analyses.Get(context.Background(), op); ok {
		return a
	}
	made := analyze(op, types)
	made.doc = documents.Size(doc)
	made.size = analysisSize + 16*len(made.vars) + made.doc
	c.analyses.Add(context.Background(), op, &made)
	return &made
}

// get returns the plan of key, or nil.
func (c *planCache) get(key planKey) *plan {
	p, _ := c.plans.Get(context.Background(), key)
	return p
}

// add keeps p as the plan of key, whose analysis is a, unless it alone is
// past the budget.
func (c *planCache) add(key planKey, p *plan, a *analysis) {
	p.size += a.doc
	c.plans.Add(context.Background(), key, p)
}
