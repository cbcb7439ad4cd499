package mrz

// confusions lists the characters OCR engines mistake for one another in OCR-B.
var confusions = map[byte][]byte{
	'0': {'O', 'D', 'Q'}, 'O': {'0'}, 'D': {'0'}, 'Q': {'0'},
	'1': {'I', 'L'}, 'I': {'1'}, 'L': {'1'},
	'2': {'Z'}, 'Z': {'2'},
	'5': {'S'}, 'S': {'5'},
	'6': {'G'}, 'G': {'6'},
	'8': {'B'}, 'B': {'8'},
	'4': {'A'}, 'A': {'4'},
	'7': {'T'}, 'T': {'7'},
}

// toDigit maps a letter that looks like a digit to that digit.
func toDigit(c byte) (byte, bool) {
	if c >= '0' && c <= '9' {
		return c, true
	}
	for _, d := range confusions[c] {
		if d >= '0' && d <= '9' {
			return d, true
		}
	}
	return 0, false
}

// protected is a field guarded by a check digit, the unit of correction.
type protected struct {
	line, start, end int
	cdLine, cdPos    int
	numeric          bool // dates: only digits allowed
}

// correct changes characters of a protected field only when its check digit proves the change: first
// letters in numeric fields (and the check digit) are mapped to their look-alike digits; when that does
// not satisfy the check digit, single-character substitutions are tried and one is kept only when it is
// the only candidate that satisfies it.
func correct(lines [][]byte, spans []protected) []Correction {
	var out []Correction
	for _, s := range spans {
		out = append(out, correctSpan(lines, s)...)
	}
	return out
}

func correctSpan(lines [][]byte, s protected) []Correction {
	data := lines[s.line][s.start:s.end]
	cd := lines[s.cdLine][s.cdPos]
	if checkMatches(string(data), cd) {
		return nil
	}
	// Positions: the data characters then the check digit.
	type pos struct{ line, idx int }
	positions := make([]pos, 0, len(data)+1)
	for i := s.start; i < s.end; i++ {
		positions = append(positions, pos{s.line, i})
	}
	positions = append(positions, pos{s.cdLine, s.cdPos})

	get := func(buf [][]byte) (string, byte) {
		return string(buf[s.line][s.start:s.end]), buf[s.cdLine][s.cdPos]
	}
	work := cloneLines(lines)
	var changes []Correction
	// Step 1: forced mappings where the character class is known.
	for k, p := range positions {
		c := work[p.line][p.idx]
		mustDigit := k == len(positions)-1 && c != '<' || s.numeric
		if mustDigit && (c < '0' || c > '9') {
			if d, ok := toDigit(c); ok {
				work[p.line][p.idx] = d
				changes = append(changes, Correction{Line: p.line, Pos: p.idx, From: c, To: d})
			}
		}
	}
	if d, c := get(work); checkMatches(d, c) {
		apply(lines, changes)
		return changes
	}
	// Step 2: one substitution, kept only when it is the unique candidate.
	var found []Correction
	tried := 0
	for k, p := range positions {
		c := work[p.line][p.idx]
		for _, alt := range confusions[c] {
			isDigit := alt >= '0' && alt <= '9'
			if (s.numeric || k == len(positions)-1) && !isDigit {
				continue
			}
			if tried++; tried > maxCorrectionCandidates {
				return nil
			}
			work[p.line][p.idx] = alt
			if d, cc := get(work); checkMatches(d, cc) {
				found = append(found, Correction{Line: p.line, Pos: p.idx, From: c, To: alt})
			}
			work[p.line][p.idx] = c
		}
	}
	if len(found) != 1 {
		return nil
	}
	changes = append(changes, found[0])
	apply(lines, changes)
	return changes
}

func apply(lines [][]byte, cs []Correction) {
	for _, c := range cs {
		lines[c.Line][c.Pos] = c.To
	}
}

func cloneLines(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = append([]byte(nil), l...)
	}
	return out
}
