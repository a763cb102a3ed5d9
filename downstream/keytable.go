package downstream

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"strings"
)

// keyTable holds the JSON names of the fields of the answers' types: at
// most 64 names of at most maxKeyLen ASCII letters, so that a set of them
// fits a uint64 and a name is told by a few words (wordsOf).
type keyTable struct {
	names   []string
	lens    [64]int
	words   [64][3]uint64
	byFirst [26]uint64 // the names by their first letter, folded to 0..25
}

// maxKeyLen bounds the length of the names a keyTable holds.
const maxKeyLen = 24

// answerKeys are the field names of every type a 200 answer decodes into.
var answerKeys = newKeyTable(
	reflect.TypeFor[UserProfile](), reflect.TypeFor[usersResponse](),
	reflect.TypeFor[ordersResponse](), reflect.TypeFor[productsResponse](),
	reflect.TypeFor[recommendationsResponse](), reflect.TypeFor[NotificationFeed](),
	reflect.TypeFor[UserWallet](), reflect.TypeFor[shipmentsResponse](),
)

// newKeyTable returns the table of the JSON names of the fields of types
// and of the structs they hold. It panics on a name it cannot hold: a
// change of the answers' types that every test run catches.
func newKeyTable(types ...reflect.Type) *keyTable {
	t := &keyTable{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			t.add(name)
			walk(f.Type)
		}
	}
	for _, typ := range types {
		walk(typ)
	}
	return t
}

func (t *keyTable) add(name string) {
	if t.index(name) >= 0 {
		return
	}
	i := len(t.names)
	ok := len(name) > 0 && len(name) <= maxKeyLen && i < 64
	for j := 0; ok && j < len(name); j++ {
		c := name[j] | 0x20
		ok = c >= 'a' && c <= 'z'
	}
	if !ok {
		panic(fmt.Sprintf("downstream: field name %q cannot be held (%d names so far)", name, i))
	}
	t.names = append(t.names, name)
	t.lens[i] = len(name)
	t.words[i] = wordsOf([]byte(name))
	t.byFirst[(name[0]|0x20)-'a'] |= 1 << i
}

// index returns the index of name, exactly, or -1.
func (t *keyTable) index(name string) int {
	for i, n := range t.names {
		if n == name {
			return i
		}
	}
	return -1
}

// match looks for a name at data[from:], ended by a quote: it returns the
// name's index and the index of the quote, with variant false when data
// holds the name exactly and true when only in another letter case; i -1
// when no name is there (the key there may still be a name in disguise:
// see matchSlow). It needs no search for the key's end.
func (t *keyTable) match(data []byte, from int) (i, end int, variant bool) {
	if from >= len(data) {
		return -1, 0, false
	}
	c := data[from] | 0x20 - 'a'
	if c >= 26 {
		return -1, 0, false
	}
	for cand := t.byFirst[c]; cand != 0; cand &= cand - 1 {
		i := bits.TrailingZeros64(cand)
		end := from + t.lens[i&63]
		if end >= len(data) || data[end] != '"' {
			continue
		}
		w, nw := wordsOf(data[from:end]), &t.words[i&63]
		if w == *nw {
			return i, end, false
		}
		if w[0]|lower == nw[0]|lower && w[1]|lower == nw[1]|lower && w[2]|lower == nw[2]|lower {
			return i, end, true
		}
	}
	return -1, 0, false
}

// matchSlow is match for a key that holds an escape or a byte outside
// ASCII: unquoted as encoding/json does, and compared with Unicode case
// folding, as the decoder compares (the Kelvin sign folds to k). It
// returns the key unquoted.
func (t *keyTable) matchSlow(quoted []byte) (i int, key []byte, variant bool, err error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return -1, nil, false, err
	}
	for i, n := range t.names {
		switch {
		case n == s:
			return i, nil, false, nil
		case strings.EqualFold(n, s):
			return i, nil, true, nil
		}
	}
	return -1, []byte(s), false, nil
}

// wordsOf returns b, of 1 to maxKeyLen bytes, as words that tell it from
// any other b of its length: from 8 bytes on, its first, last and middle
// eight (overlapping; the middle zero below 16), and below 8 bytes, bytes
// picked to cover it.
func wordsOf(b []byte) [3]uint64 {
	n := len(b)
	switch {
	case n >= 16:
		return [3]uint64{le.Uint64(b), le.Uint64(b[n-8:]), le.Uint64(b[8:])}
	case n >= 8:
		return [3]uint64{le.Uint64(b), le.Uint64(b[n-8:]), 0}
	case n >= 4:
		return [3]uint64{uint64(le.Uint32(b)) | uint64(le.Uint32(b[n-4:]))<<32, 0, 0}
	}
	return [3]uint64{uint64(b[0]) | uint64(b[n/2])<<8 | uint64(b[n-1])<<16, 0, 0}
}

var le = binary.LittleEndian

// lower sets the bit that makes an ASCII letter lower case in every byte
// of a word: words of letters that differ only in case are then equal,
// and a byte that is no letter never equals a letter.
const lower = 0x2020202020202020
