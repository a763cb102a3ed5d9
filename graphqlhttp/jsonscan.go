package graphqlhttp

// A bounded JSON scanner: one pass over the raw text that checks its
// syntax (RFC 8259; the caller checks UTF-8) and stops at the first limit
// it meets, without allocating. It measures what decoding into
// map[string]any would build before anything is built: encoding/json's
// Decoder.Token would allocate per token, and Decode materialises first.

// scanResult is how a scan ended.
type scanResult int

const (
	scanOK     scanResult = iota
	scanSyntax            // not JSON (or cut short)
	scanBytes             // longer than bounds.bytes
	scanValues            // more values than bounds.values
	scanDepth             // arrays and objects nested deeper than bounds.depth
)

// bounds are what one JSON value may hold; a zero field is no bound.
type bounds struct {
	bytes  int // length of its text
	values int // values: itself, and every element and member value within
	depth  int // nesting of arrays and objects; the value's own counts 1
}

// scanner walks one JSON value.
type scanner struct {
	data   []byte // the text, cut one byte past the value's byte bound
	cut    bool   // whether data was cut
	pos    int
	values int
	bounds bounds
}

// scanValue scans the JSON value that starts at text[start] (no space
// before it) and returns where it ends, or why it was refused. Only the
// value is read, and of a value over the byte bound, only that many bytes
// and one more.
func scanValue(text []byte, start int, b bounds) (end int, res scanResult) {
	s := scanner{data: text, pos: start, bounds: b}
	if b.bytes > 0 && len(text)-start > b.bytes+1 {
		s.data, s.cut = text[:start+b.bytes+1], true
	}
	res = s.value(1)
	switch {
	case res == scanSyntax && s.cut && s.pos >= len(s.data):
		return s.pos, scanBytes // the text went on past the cut
	case res == scanOK && b.bytes > 0 && s.pos-start > b.bytes:
		return s.pos, scanBytes // a number or literal that ends past the bound
	}
	return s.pos, res
}

// value scans a value at nesting depth (1 for the outermost value's own
// array or object).
func (s *scanner) value(depth int) scanResult {
	s.values++
	if s.bounds.values > 0 && s.values > s.bounds.values {
		return scanValues
	}
	if s.pos >= len(s.data) {
		return scanSyntax
	}
	switch c := s.data[s.pos]; {
	case c == '{' || c == '[':
		if s.bounds.depth > 0 && depth > s.bounds.depth {
			return scanDepth
		}
		return s.container(c, depth)
	case c == '"':
		return s.str()
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return scanSyntax
}

// container scans an object ('{') or array ('[') at depth.
func (s *scanner) container(open byte, depth int) scanResult {
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	s.pos++ // the opening bracket
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == closing {
		s.pos++
		return scanOK
	}
	for {
		if open == '{' {
			if s.pos >= len(s.data) || s.data[s.pos] != '"' {
				return scanSyntax
			}
			if res := s.str(); res != scanOK {
				return res
			}
			s.space()
			if s.pos >= len(s.data) || s.data[s.pos] != ':' {
				return scanSyntax
			}
			s.pos++
			s.space()
		}
		if res := s.value(depth + 1); res != scanOK {
			return res
		}
		s.space()
		if s.pos >= len(s.data) {
			return scanSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.space()
		case closing:
			s.pos++
			return scanOK
		default:
			return scanSyntax
		}
	}
}

// str scans a string, its opening quote at s.pos.
func (s *scanner) str() scanResult {
	s.pos++
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return scanOK
		case c < 0x20:
			return scanSyntax
		case c == '\\':
			s.pos++
			if s.pos >= len(s.data) {
				return scanSyntax
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for range 4 {
					if s.pos >= len(s.data) || !isHex(s.data[s.pos]) {
						return scanSyntax
					}
					s.pos++
				}
			default:
				return scanSyntax
			}
		default:
			s.pos++
		}
	}
	return scanSyntax
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() scanResult {
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case !s.digits():
		return scanSyntax
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if !s.digits() {
			return scanSyntax
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if !s.digits() {
			return scanSyntax
		}
	}
	return scanOK
}

// digits scans one digit or more and reports whether there was one.
func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

func (s *scanner) literal(word string) scanResult {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		s.pos = min(s.pos+len(word), len(s.data)) // as far as it could go: cut short, or not JSON
		return scanSyntax
	}
	s.pos += len(word)
	return scanOK
}

// space skips JSON whitespace.
func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
