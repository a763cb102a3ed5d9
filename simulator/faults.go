package simulator

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// trickleEvery is the pace of FaultSlowBody: one byte per tick.
	trickleEvery = 20 * time.Millisecond
	// oversizedPadding is how much FaultOversized adds to the answer.
	oversizedPadding = 4 << 20
	// oversizedChunk is the size of each write of the padding.
	oversizedChunk = 64 << 10
)

// garbagePage is what a misconfigured proxy might send instead of JSON.
const garbagePage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n" +
	"<body><h1>Bad Gateway</h1><p>The upstream server sent an invalid response.</p></body></html>\n"

// inject answers r with fault f instead of the healthy answer to req.
// A hang ends when the caller goes away or the budget runs out, as in
// [Simulator.await]; the faults that ignore the caller ignore both.
func (s *Simulator) inject(svc string, f Fault, caller <-chan struct{}, giveUp <-chan time.Time, w http.ResponseWriter, r *http.Request, req request) {
	switch f {
	case FaultStatus500:
		writeError(w, http.StatusInternalServerError, "internal error")
	case FaultStatus503:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "service unavailable")
	case FaultNotFound:
		writeError(w, http.StatusNotFound, "not found")
	case FaultHang:
		s.await(svc, nil, caller, giveUp)
	case FaultHangIgnoreCancel:
		s.await(svc, nil, nil, nil)
	case FaultSlowBody:
		status, body := s.answer(svc, req)
		s.trickle(w, status, body)
	case FaultMalformed:
		_, body := s.answer(svc, req)
		writeBody(w, http.StatusOK, body[:len(body)/2])
	case FaultWrongShape:
		_, body := s.answer(svc, req)
		writeBody(w, http.StatusOK, wrongShape(body))
	case FaultOversized:
		status, body := s.answer(svc, req)
		s.oversize(w, status, body)
	case FaultReset:
		reset(w, r)
	case FaultGarbage:
		writeBody(w, http.StatusOK, []byte(garbagePage))
	case FaultDuplicateKeys:
		_, body := s.answer(svc, req)
		writeBody(w, http.StatusOK, decoyKeys(body, func(key string) string { return key }))
	case FaultCaseKeys:
		_, body := s.answer(svc, req)
		writeBody(w, http.StatusOK, decoyKeys(body, flipFirst))
	default:
		writeError(w, http.StatusInternalServerError, "unknown fault "+string(f))
	}
}

// trickle sends the headers at once and then body one byte per tick,
// flushing each. It ignores the caller and stops at the first write error;
// when the simulator closes it aborts the response.
func (s *Simulator) trickle(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(trickleEvery)
	defer tick.Stop()
	for i := range body {
		select {
		case <-tick.C:
		case <-s.stop:
			panic(http.ErrAbortHandler)
		}
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// oversize sends body padded by a string field to over 4 MiB of valid
// JSON, in chunks, declaring its length as a server that knows it does. It stops at the first write error and aborts the
// response when the simulator closes.
func (s *Simulator) oversize(w http.ResponseWriter, status int, body []byte) {
	head := []byte(`{"padding":"`)
	if len(body) > 2 && body[len(body)-1] == '}' {
		head = append(body[:len(body)-1:len(body)-1], `,"padding":"`...)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+oversizedPadding+len(`"}`)))
	w.WriteHeader(status)
	if _, err := w.Write(head); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte{'x'}, oversizedChunk)
	for range oversizedPadding / oversizedChunk {
		select {
		case <-s.stop:
			panic(http.ErrAbortHandler)
		default:
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	w.Write([]byte(`"}`)) //nolint:errcheck // nothing left to stop
}

// reset drops the connection without a response: for HTTP/1.x a TCP reset
// (linger 0, then close); HTTP/2 connections cannot be hijacked, so there
// the stream is aborted instead.
func reset(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 1 {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) //nolint:errcheck // closing anyway
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// wrongShape turns a healthy JSON answer into valid JSON the gateway must
// reject: a top-level object with an id keeps only its id, lists of
// objects keep only their elements' ids, and anything else, including an
// answer with nothing to keep, becomes {"unexpected":true}.
func wrongShape(body []byte) []byte {
	unexpected := []byte(`{"unexpected":true}`)
	var top map[string]any
	if json.Unmarshal(body, &top) != nil {
		return unexpected
	}
	if id, ok := top["id"]; ok {
		return mustJSON(map[string]any{"id": id})
	}
	out := make(map[string]any)
	for k, v := range top {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			continue
		}
		stripped := make([]any, len(list))
		for i, el := range list {
			obj, _ := el.(map[string]any)
			kept := make(map[string]any, 1)
			for key, val := range obj {
				if key == "id" || strings.HasSuffix(key, "Id") {
					kept[key] = val
				}
			}
			stripped[i] = kept
		}
		out[k] = stripped
	}
	if len(out) == 0 {
		return unexpected
	}
	return mustJSON(out)
}
