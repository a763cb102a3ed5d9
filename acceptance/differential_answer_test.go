package acceptance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"slices"
	"strings"
	"time"
)

// answer is an HTTP answer of /query read for comparison: everything in it
// that does not depend on timing, in a canonical form.
type answer struct {
	status int
	media  string // the Content-Type's media type
	body   []byte
	// Of a JSON answer, or the initial payload of an incremental one.
	hasData    bool
	data       json.RawMessage // as written: key order counts
	errors     []string        // each canonical, sorted: their order is completion order
	extensions string          // canonical, without timing-dependent entries
	// Of an incremental answer: the subsequent payloads' results, each
	// canonical, sorted (they come in the order they resolve).
	incremental []incremental
	malformed   string        // why the body could not be read, "" if it could
	elapsed     time.Duration // from sending the request to the body's end
}

// incremental is one result of a subsequent payload.
type incremental struct {
	Data       json.RawMessage   `json:"data"`
	Path       []any             `json:"path"`
	Label      *string           `json:"label"`
	Errors     []json.RawMessage `json:"errors"`
	Extensions map[string]any    `json:"extensions"`
}

// payload is a JSON answer or one part of an incremental one.
type payload struct {
	Data        json.RawMessage   `json:"data"`
	Errors      []json.RawMessage `json:"errors"`
	Extensions  map[string]any    `json:"extensions"`
	HasNext     *bool             `json:"hasNext"`
	Incremental []incremental     `json:"incremental"`
}

// readAnswer reads an answer of /query.
func readAnswer(status int, contentType string, body []byte) answer {
	a := answer{status: status, body: body}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		a.malformed = fmt.Sprintf("Content-Type %q: %v", contentType, err)
		return a
	}
	a.media = media
	if media != "multipart/mixed" {
		p, err := decodePayload(body)
		if err != nil {
			a.malformed = err.Error()
			return a
		}
		a.setInitial(p)
		return a
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i := 0; ; i++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var raw []byte
		if err == nil {
			raw, err = io.ReadAll(part)
		}
		var p payload
		if err == nil {
			p, err = decodePayload(raw)
		}
		if err != nil {
			a.malformed = fmt.Sprintf("part %d: %v", i, err)
			return a
		}
		if i == 0 {
			a.setInitial(p)
			continue
		}
		a.incremental = append(a.incremental, p.Incremental...)
	}
	slices.SortFunc(a.incremental, func(x, y incremental) int { return strings.Compare(x.String(), y.String()) })
	return a
}

func decodePayload(b []byte) (payload, error) {
	var p payload
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("not GraphQL JSON: %v", err)
	}
	return p, nil
}

func (a *answer) setInitial(p payload) {
	a.hasData = p.Data != nil
	a.data = p.Data
	a.errors = canonicalErrors(p.Errors)
	delete(p.Extensions, "timing") // field timings: durations
	if stale, ok := p.Extensions["stale"].([]any); ok {
		for _, s := range stale {
			if m, ok := s.(map[string]any); ok {
				delete(m, "ageMs")
			}
		}
	}
	if len(p.Extensions) > 0 {
		a.extensions = canonical(p.Extensions)
	}
}

// canonicalErrors returns errs each in canonical JSON (keys sorted),
// sorted; in an answer past its cap on errors (TOO_MANY_ERRORS), without
// their paths and locations.
func canonicalErrors(errs []json.RawMessage) []string {
	out := make([]string, len(errs))
	truncated := false
	vs := make([]any, len(errs))
	for i, e := range errs {
		if json.Unmarshal(e, &vs[i]) != nil {
			vs[i] = string(e)
			continue
		}
		if m, ok := vs[i].(map[string]any); ok {
			if ext, ok := m["extensions"].(map[string]any); ok && ext["code"] == "TOO_MANY_ERRORS" {
				truncated = true
			}
		}
	}
	for i, v := range vs {
		if s, ok := v.(string); ok {
			out[i] = s
			continue
		}
		// Past -max-errors, which errors an answer keeps is the order they
		// happened in, in either executor: only their number and kinds
		// (and the TOO_MANY_ERRORS count) must agree, not their paths.
		if m, ok := v.(map[string]any); ok && truncated {
			delete(m, "path")
			delete(m, "locations")
		}
		out[i] = canonical(v)
	}
	slices.Sort(out)
	return out
}

// canonical marshals v with its objects' keys sorted.
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// String is the result in canonical form: its data as written, the rest
// with keys sorted.
func (r incremental) String() string {
	label := "(none)"
	if r.Label != nil {
		label = *r.Label
	}
	s := fmt.Sprintf("path=%s label=%s data=%s", canonical(r.Path), label, r.Data)
	if len(r.Errors) > 0 {
		s += " errors=" + strings.Join(canonicalErrors(r.Errors), ",")
	}
	if len(r.Extensions) > 0 {
		s += " extensions=" + canonical(r.Extensions)
	}
	return s
}

// lines is the answer in canonical form, a line per part of it, for
// comparing and diffing.
func (a answer) lines() []string {
	out := []string{fmt.Sprintf("status %d", a.status), "content-type " + a.media}
	if a.malformed != "" {
		return append(out, "malformed "+a.malformed, "body "+string(a.body))
	}
	prefix := ""
	if a.media == "multipart/mixed" {
		prefix = "initial "
	}
	if a.hasData {
		out = append(out, prefix+"data "+string(a.data))
	} else {
		out = append(out, prefix+"data absent")
	}
	for _, e := range a.errors {
		out = append(out, prefix+"error "+e)
	}
	if a.extensions != "" {
		out = append(out, prefix+"extensions "+a.extensions)
	}
	for _, r := range a.incremental {
		out = append(out, "incremental "+r.String())
	}
	return out
}

// differences returns how a and b differ: the first word of each line
// only one has (status, data, error, incremental, ...), once each, sorted;
// nil when they are the same.
func differences(a, b []string) []string {
	var kinds []string
	for _, l := range symmetricDifference(a, b) {
		kind := strings.TrimPrefix(l[2:], "initial ")
		kind, _, _ = strings.Cut(kind, " ")
		if strings.HasPrefix(l[2:], "initial ") {
			kind = "initial " + kind
		}
		if !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// symmetricDifference returns the lines of a not in b ("- " before them)
// and of b not in a ("+ "), as multisets.
func symmetricDifference(a, b []string) []string {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var out []string
	for _, l := range a {
		if count[l] > 0 {
			count[l]--
			out = append(out, "- "+l)
		}
	}
	for _, l := range b {
		if count[l] < 0 {
			count[l]++
			out = append(out, "+ "+l)
		}
	}
	return out
}
