package fastpath

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/vektah/gqlparser/v2/ast"
)

// planCache keeps what planning learned: each operation's analysis (as many
// as gqlgen's query cache keeps documents), and the plans made for the
// outcomes of its conditions, the least recently used first to go once
// their estimated size passes a budget. A plan is one outcome of an
// operation's conditions (a mask), so a document with many conditions can
// have many, and the budget bounds them all.
type planCache struct {
	mu       sync.Mutex
	analyses *simplelru.LRU[*ast.OperationDefinition, *analysis]
	plans    *simplelru.LRU[planKey, *plan]
	bytes    int // of the plans kept
	maxBytes int
}

// planKey identifies a plan: the operation (gqlgen's query cache keeps one
// parsed document per query text), its conditions' outcome, and whether
// the client takes incremental delivery.
type planKey struct {
	op          *ast.OperationDefinition
	mask        mask
	incremental bool
}

// maxOperations is how many operations' analyses are kept: gqlgen's query
// cache holds 1000 documents.
const maxOperations = 1000

func newPlanCache(maxBytes int) *planCache {
	if maxBytes <= 0 {
		maxBytes = DefaultPlanCacheBytes
	}
	c := &planCache{maxBytes: maxBytes}
	c.analyses, _ = simplelru.NewLRU[*ast.OperationDefinition, *analysis](maxOperations, nil)
	// The entry bound only backs the byte bound up: a plan is at least one
	// field.
	c.plans, _ = simplelru.NewLRU(maxBytes/fieldSize+1, func(_ planKey, p *plan) { c.bytes -= p.size })
	return c
}

// analysis returns op's analysis, made once.
func (c *planCache) analysis(op *ast.OperationDefinition, types map[string]*objectType) *analysis {
	c.mu.Lock()
	a, ok := c.analyses.Get(op)
	c.mu.Unlock()
	if ok {
		return a
	}
	made := analyze(op, types)
	c.mu.Lock()
	c.analyses.Add(op, &made)
	c.mu.Unlock()
	return &made
}

// get returns the plan of key, or nil.
func (c *planCache) get(key planKey) *plan {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, _ := c.plans.Get(key)
	return p
}

// add keeps p as the plan of key, unless it alone is past the budget.
func (c *planCache) add(key planKey, p *plan) {
	if p.size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans.Contains(key) {
		return // planned twice at once: the first is kept
	}
	c.plans.Add(key, p)
	c.bytes += p.size
	for c.bytes > c.maxBytes {
		c.plans.RemoveOldest()
	}
}
