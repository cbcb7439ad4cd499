package mrz

import "strings"

// text turns an MRZ field into text: fillers become spaces, runs of spaces collapse, ends are trimmed.
func text(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "<", " ")), " ")
}

// names splits the name field at the first "<<" into primary and secondary identifiers
// (ICAO 9303-3 §4.6).
func names(s string) (surname, given string) {
	s = strings.TrimRight(s, "<")
	if i := strings.Index(s, "<<"); i >= 0 {
		return text(s[:i]), text(s[i+2:])
	}
	return text(s), ""
}

func sexOf(c byte) string {
	switch c {
	case 'M':
		return "male"
	case 'F':
		return "female"
	case '<', 'X':
		return "unspecified"
	}
	return ""
}

func isAlnumFill(s string) bool {
	for i := 0; i < len(s); i++ {
		if _, ok := charValue(s[i]); !ok {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlphaFill(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c == '<') {
			return false
		}
	}
	return true
}
