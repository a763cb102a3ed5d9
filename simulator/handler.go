package simulator

import (
	"context"
	"net/http"
	"time"
)

// serve is the per-call flow of every endpoint: count and record the call,
// check the headers, wait out the latency, then inject the fault or answer.
func (s *Simulator) serve(svc string, w http.ResponseWriter, r *http.Request) {
	req := parse(svc, r)
	call, b, ok := s.begin(svc, r, req.ids)
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "simulator closed")
		return
	}
	defer s.end(svc)
	s.logger.Debug("simulator: call", "service", svc, "method", r.Method, "path", r.URL.Path,
		"requestId", r.Header.Get("X-Request-Id"), "proto", r.Proto)

	if s.requireHeaders {
		if msg := checkHeaders(r.Header); msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
	}
	// Draw both at once, so the wait knows whether to ignore the caller.
	s.rngMu.Lock()
	delay := b.Latency.draw(s.rng)
	fault := FaultNone
	if b.faultApplies(s.rng) {
		fault = b.Fault
	}
	s.rngMu.Unlock()

	if delay > 0 && !s.wait(r.Context(), svc, delay, fault == FaultHangIgnoreCancel) {
		return
	}
	if fault != FaultNone {
		s.faulted(svc, call, fault)
		s.logger.Debug("simulator: fault", "service", svc, "fault", string(fault))
		s.inject(r.Context(), svc, fault, w, r, req)
		return
	}
	status, body := s.answer(req)
	writeBody(w, status, body)
}

// wait sleeps for d, reporting true when it is over. It reports false when
// the caller goes away first (unless ignoreCaller), counting a
// cancellation. When the simulator closes it aborts the handler.
func (s *Simulator) wait(ctx context.Context, svc string, d time.Duration, ignoreCaller bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	done := ctx.Done()
	if ignoreCaller {
		done = nil
	}
	select {
	case <-t.C:
		return true
	case <-done:
		s.canceled(svc)
		return false
	case <-s.stop:
		panic(http.ErrAbortHandler)
	}
}
