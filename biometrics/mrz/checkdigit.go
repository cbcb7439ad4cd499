package mrz

// charValue is the value of an MRZ character for the check digit (ICAO 9303-3 §4.9): digits are
// themselves, A–Z are 10–35, the filler '<' is 0. ok is false for any other character.
func charValue(c byte) (v int, ok bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '<':
		return 0, true
	}
	return 0, false
}

// CheckDigit computes the ICAO 9303-3 §4.9 check digit of s: the sum of the character values
// weighted 7, 3, 1 repeating, modulo 10. ok is false when s holds a character outside A–Z, 0–9, '<'.
func CheckDigit(s string) (d byte, ok bool) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		v, good := charValue(s[i])
		if !good {
			return 0, false
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), true
}

// checkMatches reports whether the check digit character c is right for data. A filler '<' in the
// check digit position is accepted for a field made only of fillers (ICAO 9303-4 §4.2.2, personal
// number), where it stands for 0.
func checkMatches(data string, c byte) bool {
	want, ok := CheckDigit(data)
	if !ok {
		return false
	}
	if c == '<' {
		for i := 0; i < len(data); i++ {
			if data[i] != '<' {
				return false
			}
		}
		return true
	}
	return c == want
}
