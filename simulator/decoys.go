package simulator

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decoyKeys returns body, JSON, with every object's first member followed
// by a decoy of it: under the key keyOf makes of its key, and with
// another entity's id where the member is an id (decoyID), its own value
// otherwise. Members keep their order. A body that is not JSON is
// returned as it is.
func decoyKeys(body []byte, keyOf func(string) string) []byte {
	out, err := withDecoys(nil, body, keyOf)
	if err != nil {
		return body
	}
	return out
}

// withDecoys appends v, with decoys, to out.
func withDecoys(out, v []byte, keyOf func(string) string) ([]byte, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return append(out, v...), nil
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil { // the opening delimiter
		return nil, err
	}
	out = append(out, v[0])
	for n := 0; dec.More(); n++ {
		if n > 0 {
			out = append(out, ',')
		}
		var key string
		if v[0] == '{' {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key = tok.(string)
			out = append(appendString(out, key), ':')
		}
		var member json.RawMessage
		if err := dec.Decode(&member); err != nil {
			return nil, err
		}
		start := len(out)
		var err error
		if out, err = withDecoys(out, member, keyOf); err != nil {
			return nil, err
		}
		if v[0] == '{' && n == 0 {
			value := append([]byte(nil), out[start:]...)
			if id, ok := decoyID(key, value); ok {
				value = id
			}
			out = append(appendString(append(out, ','), keyOf(key)), ':')
			out = append(out, value...)
		}
	}
	return append(out, v[len(v)-1]), nil
}

// decoyID returns the id of another entity in place of value, a member
// key's JSON value, when it is an id: its trailing number plus one ("u2"
// becomes "u3", "o-u1-30" becomes "o-u1-31").
func decoyID(key string, value []byte) ([]byte, bool) {
	var id string
	if key != "id" && !strings.HasSuffix(key, "Id") || json.Unmarshal(value, &id) != nil {
		return nil, false
	}
	digits := strings.TrimRightFunc(id, unicode.IsDigit)
	n, _ := strconv.Atoi(id[len(digits):])
	return appendString(nil, digits+strconv.Itoa(n+1)), true
}

// flipFirst returns key with the case of its first letter flipped.
func flipFirst(key string) string {
	r, size := utf8.DecodeRuneInString(key)
	if unicode.IsUpper(r) {
		return string(unicode.ToLower(r)) + key[size:]
	}
	return string(unicode.ToUpper(r)) + key[size:]
}

// appendString appends s as a JSON string.
func appendString(out []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return append(out, b...)
}
