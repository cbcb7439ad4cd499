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
	v, err := parseIJSON(data)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := writeCanonical(&out, v, 0); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// CanonicalizeValue canonicalizes a Go value. Values decoded by parseIJSON (map[string]any, []any,
// string, json.Number, bool, nil) are written directly; any other value goes through encoding/json.
func CanonicalizeValue(v any) ([]byte, error) {
	var out bytes.Buffer
	if err := writeCanonical(&out, v, 0); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// parseIJSON decodes one I-JSON value into map[string]any, []any, string, json.Number, bool or
// nil, refusing invalid UTF-8, duplicate member names, nesting deeper than MaxJSONDepth and
// trailing data.
func parseIJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, newErr("JCS", ErrJCS, "invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, newErr("JCS", ErrJCS, "data after the top-level value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder, depth int) (any, error) {
	if depth > MaxJSONDepth {
		return nil, newErr("JCS", ErrJCS, "nesting deeper than %d", MaxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, newErr("JCS", ErrJCS, "%v", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, newErr("JCS", ErrJCS, "%v", err)
				}
				k, _ := kt.(string)
				if _, dup := m[k]; dup {
					return nil, newErr("JCS", ErrJCS, "duplicate member %q", k)
				}
				if m[k], err = parseValue(dec, depth+1); err != nil {
					return nil, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, newErr("JCS", ErrJCS, "%v", err)
			}
			return m, nil
		case '[':
			l := []any{}
			for dec.More() {
				v, err := parseValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, newErr("JCS", ErrJCS, "%v", err)
			}
			return l, nil
		}
		return nil, newErr("JCS", ErrJCS, "unexpected %v", t)
	case json.Number:
		if _, err := jcsNumber(string(t)); err != nil {
			return nil, err
		}
	}
	return tok, nil
}

// writeCanonical writes v in JCS form.
func writeCanonical(out *bytes.Buffer, v any, depth int) error {
	if depth > MaxJSONDepth {
		return newErr("JCS", ErrJCS, "nesting deeper than %d", MaxJSONDepth)
	}
	switch t := v.(type) {
	case nil:
		out.WriteString("null")
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case string:
		jcsString(out, t)
	case json.Number:
		s, err := jcsNumber(string(t))
		if err != nil {
			return err
		}
		out.WriteString(s)
	case []any:
		out.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeCanonical(out, e, depth+1); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		out.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				out.WriteByte(',')
			}
			jcsString(out, k)
			out.WriteByte(':')
			if err := writeCanonical(out, t[k], depth+1); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return newErr("JCS", ErrJCS, "%v", err)
		}
		g, err := parseIJSON(b)
		if err != nil {
			return err
		}
		return writeCanonical(out, g, depth)
	}
	return nil
}

// compareUTF16 orders strings by their UTF-16 code units (RFC 8785 §3.2.3). It differs from byte
// order only when a character above U+FFFF meets one in U+E000..U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return slices.Compare(utf16.Encode([]rune{ra}), utf16.Encode([]rune{rb}))
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
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
