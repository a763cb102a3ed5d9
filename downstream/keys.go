package downstream

import (
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// The decoder (goccy/go-json, like encoding/json) matches an object's keys
// to fields case-insensitively, and the last of two equal keys wins: a
// profile {"id":"u2","Id":"u1"} would be read as u1's. Readers disagree on
// such answers, so the gateway does not guess: before decoding, checkKeys
// refuses an answer where an object holds a key twice, or a key that is
// one of the answers' field names in another letter case. Every key left
// then either is a field's exact name or matches none, so the decoder's
// matching is exact.

// Errors of checkKeys; the offending key goes to the log with them.
var (
	errDuplicateKey = errors.New("key appears twice in an object")
	errCaseVariant  = errors.New("key differs from a field name only in letter case")
)

// frame is an open object or array of the text checkKeys reads.
type frame struct {
	object bool
	known  uint64 // the names the object has shown, as bits of keyTable
	others int    // where its other keys start in otherKeys.keys
	serial int    // the object's number, for otherKeys.many
}

// otherKeys are the keys of the open objects that are no names, unquoted.
type otherKeys struct {
	keys [][]byte
	many map[objectKey]struct{} // of the objects with over manyKeys
}

// manyKeys is the number of other keys past which an object's are kept
// in a map: below it, comparing with each is cheaper.
const manyKeys = 16

type objectKey struct {
	serial int
	key    string
}

// structural marks the bytes checkKeys acts on outside strings.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true}

// checkKeys reports an object of data that holds a key twice or a key
// that differs from one of t's names only in letter case. It reads only
// as much of the syntax as it needs, and returns nil for text that is not
// JSON, which the decoder refuses.
func checkKeys(data []byte, t *keyTable) error {
	var stack [32]frame
	frames := stack[:0]
	var others otherKeys
	serial := 0
	key := false // the next string is a key
	for i := 0; i < len(data); i++ {
		for !structural[data[i]] {
			if i++; i == len(data) {
				return nil
			}
		}
		switch data[i] {
		case '"':
			if !key {
				if i = stringEnd(data, i+1); i < 0 {
					return nil
				}
				continue
			}
			key = false
			f := &frames[len(frames)-1]
			n, end, variant := t.match(data, i+1)
			if n < 0 {
				if end = stringEnd(data, i+1); end < 0 {
					return nil
				}
				var err error
				if n, variant, err = f.other(t, &others, data[i:end+1]); err != nil {
					return err
				}
			}
			switch {
			case variant:
				return keyError(errCaseVariant, data[i:end+1])
			case n >= 0 && f.known&(1<<n) != 0:
				return keyError(errDuplicateKey, data[i:end+1])
			case n >= 0:
				f.known |= 1 << n
			}
			i = end
		case '{':
			serial++
			frames = append(frames, frame{object: true, others: len(others.keys), serial: serial})
			key = true
		case '[':
			frames = append(frames, frame{})
			key = false
		case '}', ']':
			if len(frames) == 0 {
				return nil
			}
			if f := frames[len(frames)-1]; f.object {
				clear(others.keys[f.others:])
				others.keys = others.keys[:f.others]
			}
			frames = frames[:len(frames)-1]
			key = false
		case ',':
			key = len(frames) > 0 && frames[len(frames)-1].object
		}
	}
	return nil
}

// other handles quoted, a key of f that is not a name as it stands: a
// name in disguise (an escape, a letter outside ASCII) is returned as its
// name, with variant when it differs from it in case; any other key is
// added to f's others, and an error returned if f has it already.
func (f *frame) other(t *keyTable, others *otherKeys, quoted []byte) (n int, variant bool, err error) {
	key := quoted[1 : len(quoted)-1]
	for _, c := range key {
		if c == '\\' || c >= utf8.RuneSelf {
			if n, key, variant, err = t.matchSlow(quoted); err != nil || n >= 0 {
				return n, variant, err
			}
			break
		}
	}
	if !others.add(f, key) {
		return -1, false, keyError(errDuplicateKey, quoted)
	}
	return -1, false, nil
}

// add adds key to those of f, reporting false if f has it.
func (o *otherKeys) add(f *frame, key []byte) bool {
	n := len(o.keys) - f.others
	if n < manyKeys {
		for _, k := range o.keys[f.others:] {
			if string(k) == string(key) {
				return false
			}
		}
		o.keys = append(o.keys, key)
		return true
	}
	if n == manyKeys { // the first past manyKeys: the others go in too
		if o.many == nil {
			o.many = make(map[objectKey]struct{})
		}
		for _, k := range o.keys[f.others:] {
			o.many[objectKey{f.serial, string(k)}] = struct{}{}
		}
		o.keys = append(o.keys, nil) // counts them: no longer compared
	}
	k := objectKey{f.serial, string(key)}
	if _, dup := o.many[k]; dup {
		return false
	}
	o.many[k] = struct{}{}
	return true
}

// keyError is err about quoted, a key with its quotes, for the log: the
// key quoted again (whatever its bytes) and cut to 64 characters.
func keyError(err error, quoted []byte) error {
	return fmt.Errorf("%w: %.64q", err, quoted[1:len(quoted)-1])
}

// stringEnd returns the index of the quote that ends the string whose
// text starts at i, or -1 if none does. It looks at eight bytes at a time
// for a quote or a backslash.
func stringEnd(data []byte, i int) int {
	for i < len(data) {
		if i+8 <= len(data) {
			w := le.Uint64(data[i:])
			m := zeroByte(w^('"'*ones)) | zeroByte(w^('\\'*ones))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		switch data[i] {
		case '"':
			return i
		case '\\':
			i += 2
		default:
			i++
		}
	}
	return -1
}

const ones = 0x0101010101010101

// zeroByte marks the lowest zero byte of w with its high bit (and maybe
// some above it, never one below).
func zeroByte(w uint64) uint64 {
	return (w - ones) &^ w & (0x80 * ones)
}
