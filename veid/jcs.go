package veid

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonicalize returns the RFC 8785 JSON Canonicalization Scheme (JCS) form of a JSON text:
// object members sorted by the UTF-16 code units of their names (§3.2.3), no whitespace, strings
// with the minimal escaping of ECMAScript JSON.stringify (§3.2.2.2) and numbers in the ECMAScript
// Number.prototype.toString form (§3.2.2.3). Input must be I-JSON (RFC 7493): valid UTF-8, no
// duplicate member names, numbers within IEEE 754 double range. Errors wrap ErrJCS.
func Canonicalize(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, newErr("JCS", ErrJCS, "invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	if err := jcsValue(dec, &out, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newErr("JCS", ErrJCS, "data after the top-level value")
	}
	return out.Bytes(), nil
}

// CanonicalizeValue marshals v with encoding/json and canonicalizes the result.
func CanonicalizeValue(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, newErr("JCS", ErrJCS, "%v", err)
	}
	return Canonicalize(b)
}

func jcsValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if depth > MaxJSONDepth {
		return newErr("JCS", ErrJCS, "nesting deeper than %d", MaxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return newErr("JCS", ErrJCS, "%v", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return jcsObject(dec, out, depth)
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := jcsValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // ']'
				return newErr("JCS", ErrJCS, "%v", err)
			}
			out.WriteByte(']')
			return nil
		}
		return newErr("JCS", ErrJCS, "unexpected %v", t)
	case string:
		jcsString(out, t)
	case json.Number:
		s, err := jcsNumber(string(t))
		if err != nil {
			return err
		}
		out.WriteString(s)
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func jcsObject(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	type member struct {
		key16 []uint16
		key   string
		val   []byte
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return newErr("JCS", ErrJCS, "%v", err)
		}
		k, _ := tok.(string)
		var v bytes.Buffer
		if err := jcsValue(dec, &v, depth+1); err != nil {
			return err
		}
		ms = append(ms, member{utf16.Encode([]rune(k)), k, v.Bytes()})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return newErr("JCS", ErrJCS, "%v", err)
	}
	slices.SortFunc(ms, func(a, b member) int { return slices.Compare(a.key16, b.key16) })
	out.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			if m.key == ms[i-1].key {
				return newErr("JCS", ErrJCS, "duplicate member %q", m.key)
			}
			out.WriteByte(',')
		}
		jcsString(out, m.key)
		out.WriteByte(':')
		out.Write(m.val)
	}
	out.WriteByte('}')
	return nil
}

// jcsString writes s as ECMAScript JSON.stringify does (RFC 8785 §3.2.2.2).
func jcsString(out *bytes.Buffer, s string) {
	const hexd = "0123456789abcdef"
	out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if c < 0x20 {
				out.WriteString(`\u00`)
				out.WriteByte(hexd[c>>4])
				out.WriteByte(hexd[c&15])
			} else {
				out.WriteByte(c)
			}
		}
	}
	out.WriteByte('"')
}

// jcsNumber formats a JSON number as ECMAScript Number.prototype.toString (ECMA-262 §7.1.12.1,
// RFC 8785 §3.2.2.3). Go's shortest 'e' formatting gives the same digits as ECMAScript.
func jcsNumber(lit string) (string, error) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return "", newErr("JCS", ErrJCS, "number %q", lit)
	}
	return FormatES(f)
}

// FormatES formats f as ECMAScript's Number.prototype.toString; NaN and ±Inf are errors (RFC 8785 §3.2.2.3).
func FormatES(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", newErr("JCS", ErrJCS, "NaN or Infinity is not JSON")
	}
	if f == 0 {
		return "0", nil // also -0
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±xx
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	k, n := len(digits), exp+1 // value = 0.digits × 10^n
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		s = digits[:1]
		if k > 1 {
			s += "." + digits[1:]
		}
		es := "+"
		if n-1 < 0 {
			es = "-"
		}
		s += "e" + es + strconv.Itoa(abs(n-1))
	}
	return sign + s, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
