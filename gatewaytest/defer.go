package gatewaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"
)

// DeferAccept is what Apollo Client 3 sends: the 2022 format.
const DeferAccept = "multipart/mixed;deferSpec=20220824,application/json"

// DeferAcceptV02 is what Apollo Client 4's GraphQL17Alpha9Handler sends:
// the incrementalSpec=v0.2 format.
const DeferAcceptV02 = "multipart/mixed;incrementalSpec=v0.2,application/graphql-response+json,application/json;q=0.9"

// Payload is one part of an incremental response, in either format: the
// 2022 one (an incremental result names its path and label) or v0.2's
// (pending parts announced with an id, which the results and the
// completions name).
type Payload struct {
	Data        json.RawMessage `json:"data"`
	Errors      []Error         `json:"errors"`
	HasNext     *bool           `json:"hasNext"`
	Incremental []struct {
		ID     string          `json:"id"` // v0.2
		Data   json.RawMessage `json:"data"`
		Path   []any           `json:"path"`  // 2022
		Label  string          `json:"label"` // 2022
		Errors []Error         `json:"errors"`
	} `json:"incremental"`
	Pending []struct { // v0.2
		ID    string `json:"id"`
		Path  []any  `json:"path"`
		Label string `json:"label"`
	} `json:"pending"`
	Completed []struct { // v0.2
		ID     string  `json:"id"`
		Errors []Error `json:"errors"`
	} `json:"completed"`
	At time.Duration // since the request was sent
}

// Labels are the labels of p's incremental results, in order.
func (p Payload) Labels() []string {
	var out []string
	for _, inc := range p.Incremental {
		out = append(out, inc.Label)
	}
	return out
}

// PostDeferred sends query accepting multipart/mixed and reads the parts as
// they arrive, with a real multipart reader; it fails unless the response is
// multipart/mixed in the format asked for (deferSpec=20220824 unless the
// headers ask for incrementalSpec=v0.2 with DeferAcceptV02), closed
// properly, with hasNext true on every part but the last.
func (e *Gateway) PostDeferred(tb testing.TB, query string, vars map[string]any, header ...string) []Payload {
	tb.Helper()
	req := JSONRequest(tb, e.URL+"/query", map[string]any{"query": query, "variables": vars})
	req.Header.Set("Accept", DeferAccept)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	start := time.Now()
	resp, err := e.Client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	spec, want := "deferspec", "20220824"
	if req.Header.Get("Accept") == DeferAcceptV02 {
		spec, want = "incrementalspec", "v0.2"
	}
	if err != nil || mt != "multipart/mixed" || params["boundary"] != "-" || params[spec] != want {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("Content-Type %q (%s); want multipart/mixed; boundary=\"-\"; %s=%s", resp.Header.Get("Content-Type"), body, spec, want)
	}
	var raw bytes.Buffer
	mr := multipart.NewReader(io.TeeReader(resp.Body, &raw), "-")
	var out []Payload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("part %d: %v\n%q", len(out), err, raw.String())
		}
		if ct := part.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			tb.Fatalf("part %d: Content-Type %q; want application/json", len(out), ct)
		}
		var p Payload
		if err := json.NewDecoder(part).Decode(&p); err != nil {
			tb.Fatalf("part %d: %v\n%q", len(out), err, raw.String())
		}
		p.At = time.Since(start)
		out = append(out, p)
	}
	if !strings.HasSuffix(raw.String(), "\r\n-----\r\n") {
		tb.Errorf("body %q; want it closed by the close delimiter", raw.String())
	}
	for i, p := range out {
		if p.HasNext == nil || *p.HasNext != (i < len(out)-1) {
			tb.Errorf("part %d of %d: hasNext %v; want %v", i, len(out), p.HasNext, i < len(out)-1)
		}
	}
	return out
}
