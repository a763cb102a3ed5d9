package observability

import (
	"math"
	"sync"
	"time"
)

// MaxOperations is how many distinct GraphQL operation names are label
// values at a time; the rest count as "other", unnamed operations as
// "anonymous", requests that never reached an operation as "none".
const MaxOperations = 50

// operationsHalfLife is how fast an operation name's request count fades.
const operationsHalfLife = time.Minute

// labelName reports whether name may be a label value: a GraphQL name
// ([_A-Za-z][_0-9A-Za-z]*) of at most 64 bytes.
func labelName(name string) bool {
	if name == "" || len(name) > 64 || '0' <= name[0] && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return true
}

// operationLabels keeps the label values of operation names bounded by
// frequency, not by arrival: the MaxOperations names with the most requests
// lately have a label of their own. Counts halve every operationsHalfLife,
// so a client that sends many made-up names can take a label only by
// sending more requests under it than a real operation gets, and only for
// as long as it keeps doing so; a name that loses its label has its series
// deleted (evict).
type operationLabels struct {
	now   func() time.Time
	evict func(name string)

	mu        sync.Mutex
	labelled  map[string]float64 // names with a label -> recent requests
	waiting   map[string]float64 // names without one, at most 4*MaxOperations
	lastDecay time.Time
}

func newOperationLabels(now func() time.Time, evict func(string)) *operationLabels {
	return &operationLabels{now: now, evict: evict, labelled: map[string]float64{}, waiting: map[string]float64{}, lastDecay: now()}
}

// label counts one request of the operation name and returns its label.
func (o *operationLabels) label(name string, started bool) string {
	switch {
	case !started:
		return "none"
	case name == "":
		return "anonymous"
	case !labelName(name):
		return "other"
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.decay()
	if _, ok := o.labelled[name]; ok {
		o.labelled[name]++
		return name
	}
	n := o.waiting[name] + 1
	if len(o.labelled) < MaxOperations {
		delete(o.waiting, name)
		o.labelled[name] = n
		return name
	}
	if least, count := smallest(o.labelled); n > count {
		delete(o.labelled, least)
		o.evict(least)
		o.remember(least, count)
		delete(o.waiting, name)
		o.labelled[name] = n
		return name
	}
	o.remember(name, n)
	return "other"
}

// remember keeps a name without a label and its count, forgetting the
// least-used one when there are too many.
func (o *operationLabels) remember(name string, n float64) {
	if _, ok := o.waiting[name]; !ok && len(o.waiting) >= 4*MaxOperations {
		least, _ := smallest(o.waiting)
		delete(o.waiting, least)
	}
	o.waiting[name] = n
}

// decay halves every count once per half-life that passed, and forgets the
// unlabelled names whose count fell below one request.
func (o *operationLabels) decay() {
	periods := int(o.now().Sub(o.lastDecay) / operationsHalfLife)
	if periods <= 0 {
		return
	}
	o.lastDecay = o.lastDecay.Add(time.Duration(periods) * operationsHalfLife)
	f := math.Pow(0.5, float64(periods))
	for k := range o.labelled {
		o.labelled[k] *= f
	}
	for k, v := range o.waiting {
		if v *= f; v < 1 {
			delete(o.waiting, k)
		} else {
			o.waiting[k] = v
		}
	}
}

func smallest(m map[string]float64) (name string, count float64) {
	count = math.Inf(1)
	for k, v := range m {
		if v < count || v == count && k < name {
			name, count = k, v
		}
	}
	return name, count
}
