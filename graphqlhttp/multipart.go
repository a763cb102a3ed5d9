package graphqlhttp

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// An incremental answer goes out as multipart/mixed with the boundary "-",
// each part a JSON payload (payloads.go); the delimiter follows every part
// at once, so that a client takes the part in without waiting for the
// next one.
const (
	mediaMultipart = "multipart/mixed"
	partHeader     = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
	delimiter      = "\r\n---"
	closeDelimiter = "--\r\n"
)

// lateParts is how long after the request's deadline the parts still
// being resolved are waited for. Every field ends at the deadline (each
// resolver watches it), so the parts come within a few milliseconds; this
// bounds the answer should one not, keeping it within deadline + 25 ms.
const lateParts = 20 * time.Millisecond

// pullAhead is how many later responses are taken from the executor ahead
// of the writer: those that are ready while a payload is being written go
// out together in the next one, so that a document with thousands of
// parts costs a few writes, not one write and flush each.
const pullAhead = 1024

// pull takes an operation's later responses from the executor, in a
// goroutine that ends after the last (nil, or HasNext not true) or once
// stop is called; parts yields them in order, one per part (the parts a
// response carries, BatchExtension, after it).
//
// The executor ends its stream once the context it is given is done, so
// they are asked for with ctx's values and no deadline: the parts left at
// the deadline still come (see receive).
func pull(ctx context.Context, responses graphql.ResponseHandler) (parts <-chan *graphql.Response, stop func()) {
	ch := make(chan *graphql.Response, pullAhead)
	done := make(chan struct{})
	go func() {
		ctx := context.WithoutCancel(ctx)
		var batch []*graphql.Response
		for {
			r := responses(ctx)
			select {
			case <-done:
				return
			default:
			}
			batch = unbatch(batch[:0], r)
			last := isLast(batch[len(batch)-1])
			for _, r := range batch {
				select {
				case ch <- r:
				case <-done:
					return
				}
			}
			if last {
				return
			}
		}
	}()
	return ch, func() { close(done) }
}

// isLast reports whether r ends an operation's stream of responses.
func isLast(r *graphql.Response) bool { return r == nil || r.HasNext == nil || !*r.HasNext }

// receive hands an operation's later responses to emit in batches, each
// with every response that had come by then, last true on the final one.
// Before ctx's deadline a batch is emitted as soon as it comes. Once the
// deadline has passed, what is still to come is gathered into one final
// batch, emitted when the last response has come or lateParts after the
// deadline, whichever is first. Should ctx end before its deadline (the
// client went away), it returns without a final batch. complete reports
// whether the stream's last response came.
//
// emit must not keep rs: its array is used again.
func receive(ctx context.Context, parts <-chan *graphql.Response, emit func(rs []*graphql.Response, last bool)) (complete bool) {
	var batch []*graphql.Response
	var backstop <-chan time.Time
	d, hasDeadline := ctx.Deadline()
	// past tells whether the deadline has passed, by the clock: a part that
	// ended at the deadline may come before ctx.Done is seen (the calls
	// watch timers of their own for the same deadline).
	past := func() bool { return hasDeadline && !time.Now().Before(d) }
	// gather starts gathering what is left; it reports false when the
	// request ended before its deadline: the client is gone.
	gather := func() bool {
		if backstop == nil {
			if !past() {
				return false
			}
			backstop = time.After(time.Until(d.Add(lateParts)))
		}
		return true
	}
	done := ctx.Done()
	for {
		select {
		case r := <-parts:
			var last bool
			batch, last = take(batch, r, parts)
			if !last && past() {
				gather()
				continue
			}
			emit(batch, last)
			batch = batch[:0]
			if last {
				return true
			}
		case <-done:
			done = nil // closed for good: once is enough
			if !gather() {
				return false
			}
		case <-backstop:
			// What has come by now goes too, even if its turn in the
			// select would have come after this.
			last := false
			select {
			case r := <-parts:
				batch, last = take(batch, r, parts)
			default:
			}
			emit(batch, true)
			return last
		}
	}
}

// take appends r, and every response parts already holds, to batch, up to
// the stream's last; last reports whether that came.
func take(batch []*graphql.Response, r *graphql.Response, parts <-chan *graphql.Response) (_ []*graphql.Response, last bool) {
	for {
		if r != nil {
			batch = append(batch, r)
		}
		if isLast(r) {
			return batch, true
		}
		select {
		case r = <-parts:
		default:
			return batch, false
		}
	}
}

// buffers are stream's payload buffers, kept for the next answer: a
// document of many parts writes payloads of tens of kilobytes, which would
// otherwise be allocated (and grown) anew for every answer.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled is the largest payload buffer kept for reuse.
const maxPooled = 1 << 20

// stream writes an operation's responses as multipart/mixed in format f:
// first, then the later ones from parts in batches as receive hands them
// over, each payload flushed at once. Once a payload would take the
// payloads' JSON past h.MaxResponseBytes, it is written again with every
// part it holds failed with RESPONSE_TOO_LARGE as the last one (f's
// endParts), and what comes after is not sent; an initial payload past it
// becomes tooLarge's answer, the last.
func (h Handler) stream(ctx context.Context, w http.ResponseWriter, first *graphql.Response, parts <-chan *graphql.Response, f payloads) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", f.contentType())
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	bp := buffers.Get().(*[]byte)
	b := append(append((*bp)[:0], "---"...), partHeader...)
	defer func() {
		if cap(b) <= maxPooled {
			*bp = b[:0]
			buffers.Put(bp)
		}
	}()
	left := h.MaxResponseBytes // of the payloads' JSON; ignored when 0
	fits := func(start int) bool {
		if h.MaxResponseBytes == 0 {
			return true
		}
		left -= len(b) - start
		return left >= 0
	}
	start := len(b)
	b = f.appendInitial(b, first)
	ended := !fits(start)
	if ended {
		b = append(b[:start], tooLargeAnswer(h.MaxResponseBytes)...)
		b = append(b, delimiter+closeDelimiter...)
	} else {
		b = append(b, delimiter...)
	}
	_, _ = w.Write(b)
	_ = rc.Flush()
	receive(ctx, parts, func(rs []*graphql.Response, last bool) {
		if ended {
			return // the answer was cut short: the rest is not sent
		}
		b = append(b[:0], partHeader...)
		start := len(b)
		b = f.appendSubsequent(b, rs, last)
		if !fits(start) {
			ended, last = true, true
			if v02, ok := f.(*formatV02); ok { // the parts not sent fail alike
				v02.late = func(path ast.Path) *gqlerror.Error { return tooLarge(path, h.MaxResponseBytes) }
			}
			b = f.appendSubsequent(b[:start], tooLargeParts(rs, h.MaxResponseBytes), true)
		}
		b = append(b, delimiter...)
		if last {
			b = append(b, closeDelimiter...)
		}
		_, _ = w.Write(b)
		_ = rc.Flush()
	})
}
