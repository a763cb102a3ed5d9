package gatewaytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"sync"
)

// Logs collects JSON log lines safely from many goroutines.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p, one or more JSON lines; it is the gateway logger's output.
func (b *Logs) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Lines returns the decoded log records.
func (b *Logs) Lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			m["_raw"] = sc.Text()
			out = append(out, m)
		}
	}
	return out
}
