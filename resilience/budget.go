package resilience

import (
	"math"
	"sync"
	"time"
)

// budget caps extra work (retries, hedges) at a share of recent calls, with
// a floor: spending is allowed while what was spent in the last window is
// below max(min, ratio × calls in the window). The window is split into
// slots so old calls fall out gradually.
type budget struct {
	ratio float64
	min   int
	now   func() time.Time

	mu    sync.Mutex
	slots [budgetSlots]budgetSlot
}

const budgetSlots = 10

type budgetSlot struct {
	epoch        int64 // which slot-length period of time the counts belong to
	calls, spent int
}

func newBudget(ratio float64, min int, now func() time.Time) *budget {
	return &budget{ratio: ratio, min: min, now: now}
}

// slot returns the current slot, emptied if it held an older period.
func (b *budget) slot() *budgetSlot {
	epoch := b.now().UnixNano() / int64(budgetWindow/budgetSlots)
	s := &b.slots[(epoch%budgetSlots+budgetSlots)%budgetSlots]
	if s.epoch != epoch {
		*s = budgetSlot{epoch: epoch}
	}
	return s
}

// call counts one call.
func (b *budget) call() {
	b.mu.Lock()
	b.slot().calls++
	b.mu.Unlock()
}

// spend takes one unit from the budget and reports whether there was one.
func (b *budget) spend() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.slot()
	oldest := cur.epoch - budgetSlots + 1
	calls, spent := 0, 0
	for _, s := range b.slots {
		if s.epoch >= oldest {
			calls += s.calls
			spent += s.spent
		}
	}
	allowed := max(b.min, int(math.Floor(b.ratio*float64(calls))))
	if spent >= allowed {
		return false
	}
	cur.spent++
	return true
}
