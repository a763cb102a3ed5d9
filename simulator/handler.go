package simulator

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// TimeoutGrace is how long past a call's X-Timeout-Ms budget a service
// keeps working on it before giving up. The budget is what the caller has
// left, so its own timeout fires first, and the grace keeps it first even
// on a loaded machine: tests see the caller time out, never a race between
// that and the service giving up. See [Stats.GaveUp].
const TimeoutGrace = 50 * time.Millisecond

// plan is what happens to one call, decided when it is counted.
type plan struct {
	delay time.Duration // latency to wait out first
	fault Fault         // the fault to inject, FaultNone if none
	ids   []string      // a batch's ids less those answered absent (Behavior.AbsentShare)
}

// serve is the per-call flow of every endpoint: count and record the call,
// check the headers, plan it, wait out the latency, then inject the fault
// or answer. Wherever it watches the caller it also watches the call's
// budget (X-Timeout-Ms + TimeoutGrace after arrival) and gives up on the
// call when that runs out; faults that ignore the caller ignore both.
func (s *Simulator) serve(svc string, w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	req := parse(s.decls[svc], r)
	bad := ""
	if s.requireHeaders {
		bad = checkHeaders(r.Header)
	}
	call, p, ok := s.begin(svc, r, req.ids, bad == "")
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "simulator closed")
		return
	}
	defer s.end(svc)
	s.logger.Debug("simulator: call", "service", svc, "method", r.Method, "path", r.URL.Path,
		"requestId", r.Header.Get("X-Request-Id"), "proto", r.Proto)
	if bad != "" {
		writeError(w, http.StatusBadRequest, bad)
		return
	}
	req.ids = p.ids

	// What ends a wait early: the caller going away and the budget running
	// out; nil channels are not watched. A hang-ignore-cancel ignores
	// both from the start, its latency included.
	var caller <-chan struct{}
	var giveUp <-chan time.Time
	if p.fault != FaultHangIgnoreCancel {
		caller = r.Context().Done()
		if budget, ok := timeoutBudget(r.Header); ok {
			t := time.NewTimer(time.Until(arrived.Add(budget + TimeoutGrace)))
			defer t.Stop()
			giveUp = t.C
		}
	}
	if p.delay > 0 {
		t := time.NewTimer(p.delay)
		defer t.Stop()
		if !s.await(svc, t.C, caller, giveUp) {
			return
		}
	}
	if p.fault != FaultNone {
		s.faulted(svc, call, p.fault)
		s.logger.Debug("simulator: fault", "service", svc, "fault", string(p.fault))
		s.inject(svc, p.fault, caller, giveUp, w, r, req)
		return
	}
	status, body := s.answer(svc, req)
	writeBody(w, status, body)
}

// await blocks until ready fires, reporting true; a nil ready never fires.
// It reports false when the caller goes away first, counting a
// cancellation. When the budget runs out with the caller still there it
// counts a give-up and aborts the handler, and when the simulator closes
// it aborts the handler. A nil caller or giveUp is never watched.
func (s *Simulator) await(svc string, ready <-chan time.Time, caller <-chan struct{}, giveUp <-chan time.Time) bool {
	select {
	case <-ready:
		return true
	case <-caller:
		s.canceled(svc)
		return false
	case <-giveUp:
		select {
		case <-caller: // both are due: the caller left first
			s.canceled(svc)
			return false
		default:
		}
		s.gaveUp(svc)
		s.logger.Debug("simulator: gave up", "service", svc)
		panic(http.ErrAbortHandler)
	case <-s.stop:
		panic(http.ErrAbortHandler)
	}
}

// maxBudgetMs is the largest X-Timeout-Ms kept as is: any more, with the
// grace, would overflow a time.Duration, and means never anyway.
const maxBudgetMs = (math.MaxInt64 - int64(TimeoutGrace)) / int64(time.Millisecond)

// timeoutBudget reads X-Timeout-Ms, reporting false unless it is an
// integer >= 1 as the contract requires.
func timeoutBudget(h http.Header) (time.Duration, bool) {
	n, err := strconv.ParseInt(h.Get("X-Timeout-Ms"), 10, 64)
	if err != nil || n < 1 {
		return 0, false
	}
	return time.Duration(min(n, maxBudgetMs)) * time.Millisecond, true
}
