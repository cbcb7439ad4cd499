package mrz

import (
	"strings"
)

// ParseText parses a zone given as one string with a line per row (blank lines and spaces ignored).
func ParseText(s string) (*Result, error) {
	if len(s) > MaxInputLen {
		return nil, ErrTooLong
	}
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return Parse(lines)
}

// Parse parses the lines of a zone. Spaces inside lines are removed (some readers insert them).
//
// It returns ErrFormat when the lines match no known layout. Otherwise it returns the Result, and when
// the zone is not valid also an *InvalidError listing each failed check digit (*CheckDigitError) and
// each field with forbidden characters (*FieldError).
func Parse(lines []string) (*Result, error) {
	total := 0
	buf := make([][]byte, 0, len(lines))
	for _, l := range lines {
		total += len(l)
		if total > MaxInputLen {
			return nil, ErrTooLong
		}
		buf = append(buf, []byte(strings.ReplaceAll(strings.TrimSpace(l), " ", "")))
	}
	f, ok := detect(buf)
	if !ok {
		return nil, ErrFormat
	}
	p := &parser{lines: buf, res: &Result{Format: f, CheckDigits: map[string]string{}, Checks: []Check{}}}
	p.res.Corrections = correct(buf, correctionSpans(f, buf))
	switch f {
	case TD1:
		p.td1()
	case TD2, MRVB:
		p.td2(f == TD2)
	case TD3, MRVA:
		p.td3(f == TD3)
	case FrenchID:
		p.french()
	case SwissDL:
		p.swiss()
	}
	for _, l := range buf {
		p.res.Lines = append(p.res.Lines, string(l))
	}
	if len(p.problems) > 0 {
		return p.res, &InvalidError{Problems: p.problems}
	}
	p.res.Valid = true
	return p.res, nil
}

func detect(l [][]byte) (Format, bool) {
	switch {
	case len(l) == 3 && len(l[0]) == td1Len && len(l[1]) == td1Len && len(l[2]) == td1Len:
		return TD1, true
	case len(l) == 3 && len(l[0]) == swissDLLine1Len && len(l[1]) == swissDLLineLen && len(l[2]) == swissDLLineLen:
		return SwissDL, true
	case len(l) == 2 && len(l[0]) == td3Len && len(l[1]) == td3Len:
		if l[0][0] == 'V' {
			return MRVA, true
		}
		return TD3, true
	case len(l) == 2 && len(l[0]) == td2Len && len(l[1]) == td2Len:
		switch {
		case l[0][0] == 'V':
			return MRVB, true
		case string(l[0][:5]) == "IDFRA":
			return FrenchID, true
		}
		return TD2, true
	}
	return "", false
}

// correctionSpans lists the fields each format protects with their own check digit.
func correctionSpans(f Format, l [][]byte) []protected {
	switch f {
	case TD1:
		s := []protected{
			{line: 1, start: 0, end: 6, cdLine: 1, cdPos: 6, numeric: true},
			{line: 1, start: 8, end: 14, cdLine: 1, cdPos: 14, numeric: true},
		}
		if l[0][14] != '<' {
			s = append(s, protected{line: 0, start: 5, end: 14, cdLine: 0, cdPos: 14})
		}
		return s
	case TD2, MRVB, TD3, MRVA:
		s := []protected{
			{line: 1, start: 13, end: 19, cdLine: 1, cdPos: 19, numeric: true},
			{line: 1, start: 21, end: 27, cdLine: 1, cdPos: 27, numeric: true},
		}
		if l[1][9] != '<' {
			s = append(s, protected{line: 1, start: 0, end: 9, cdLine: 1, cdPos: 9})
		}
		return s
	case FrenchID:
		return []protected{{line: 1, start: 27, end: 33, cdLine: 1, cdPos: 33, numeric: true}}
	}
	return nil
}

type parser struct {
	lines    [][]byte
	res      *Result
	problems []error
}

func (p *parser) seg(line, a, b int) string { return string(p.lines[line][a:b]) }

// check records the check digit at (line, pos) over data.
func (p *parser) check(field, data string, cd byte) {
	ok := checkMatches(data, cd)
	p.res.Checks = append(p.res.Checks, Check{Field: field, OK: ok})
	p.res.CheckDigits[field] = string(cd)
	if !ok {
		want, good := CheckDigit(data)
		if !good {
			want = '?'
		}
		p.problems = append(p.problems, &CheckDigitError{Field: field, Want: want, Got: cd})
	}
}

// field returns raw after checking it with valid; a failure is recorded as a *FieldError.
func (p *parser) field(name, raw string, valid func(string) bool) string {
	if !valid(raw) {
		p.problems = append(p.problems, &FieldError{Field: name, Value: raw})
	}
	return raw
}

func (p *parser) header(codeLine int) {
	r := p.res
	r.DocumentCode = text(p.field("document_code", p.seg(codeLine, 0, 2), isAlphaFill))
	r.IssuingState = text(p.field("issuing_state", p.seg(codeLine, 2, 5), isAlphaFill))
}

func (p *parser) nameField(raw string) {
	p.field("name", raw, isAlphaFill)
	p.res.Surname, p.res.GivenNames = names(raw)
}

func (p *parser) sex(c byte) {
	p.res.Sex = sexOf(c)
	if p.res.Sex == "" {
		p.problems = append(p.problems, &FieldError{Field: "sex", Value: string(c)})
	}
}

// dates and nationality of line l starting at off (birth at off, sex at off+7, expiry at off+8,
// nationality at natOff): the shared middle of TD1 line 2 and TD2/TD3 line 2.
func (p *parser) birthSexExpiry(l, off int) {
	r := p.res
	r.BirthDate = p.field("birth_date", p.seg(l, off, off+6), isDigits)
	p.check("birth_date", r.BirthDate, p.lines[l][off+6])
	p.sex(p.lines[l][off+7])
	r.ExpiryDate = p.field("expiry_date", p.seg(l, off+8, off+14), isDigits)
	p.check("expiry_date", r.ExpiryDate, p.lines[l][off+14])
}

// documentNumber handles the number at (line, 0..9 or 5..14) with its check digit, and the long form
// of ICAO 9303-5 §4.2.2 note j / 9303-6 §4.2.2: when the check digit position holds '<', the number
// continues in the optional data and ends with its check digit before the first filler.
func (p *parser) documentNumber(l, start int, ext string) {
	num := p.seg(l, start, start+9)
	cd := p.lines[l][start+9]
	withFiller := ""
	if cd == '<' && ext != "" {
		if i := strings.IndexByte(ext, '<'); i != 0 {
			if i < 0 {
				i = len(ext)
			}
			withFiller = num + "<" + ext[:i-1]
			num = strings.TrimRight(num, "<") + ext[:i-1]
			cd = ext[i-1]
		}
	}
	p.field("document_number", num, isAlnumFill)
	p.res.DocumentNumber = text(num)
	if withFiller != "" && !checkMatches(num, cd) && checkMatches(withFiller, cd) {
		// Some issuers (Belgium) compute the long number's check digit over the number with the
		// filler that stands in the check digit position.
		num = withFiller
	}
	p.check("document_number", num, cd)
}

// td1 parses ICAO 9303-5 §4.2.
func (p *parser) td1() {
	r := p.res
	p.header(0)
	opt1 := p.field("optional1", p.seg(0, 15, 30), isAlnumFill)
	p.documentNumber(0, 5, opt1)
	r.Optional1 = text(opt1)
	p.birthSexExpiry(1, 0)
	r.Nationality = text(p.field("nationality", p.seg(1, 15, 18), isAlphaFill))
	r.Optional2 = text(p.field("optional2", p.seg(1, 18, 29), isAlnumFill))
	p.check("composite", p.seg(0, 5, 30)+p.seg(1, 0, 7)+p.seg(1, 8, 15)+p.seg(1, 18, 29), p.lines[1][29])
	p.nameField(p.seg(2, 0, 30))
}

// td2 parses ICAO 9303-6 §4.2 (composite) and MRV-B of 9303-7 §4.2 (no composite).
func (p *parser) td2(composite bool) {
	r := p.res
	p.header(0)
	p.nameField(p.seg(0, 5, 36))
	optEnd := 36
	if composite {
		optEnd = 35
	}
	opt := p.field("optional", p.seg(1, 28, optEnd), isAlnumFill)
	p.documentNumber(1, 0, opt)
	r.Optional1 = text(opt)
	r.Nationality = text(p.field("nationality", p.seg(1, 10, 13), isAlphaFill))
	p.birthSexExpiry(1, 13)
	if composite {
		p.check("composite", p.seg(1, 0, 10)+p.seg(1, 13, 20)+p.seg(1, 21, 35), p.lines[1][35])
	}
}

// td3 parses ICAO 9303-4 §4.2 (passports) and MRV-A of 9303-7 §4.2.
func (p *parser) td3(passport bool) {
	r := p.res
	p.header(0)
	p.nameField(p.seg(0, 5, 44))
	p.documentNumber(1, 0, "")
	r.Nationality = text(p.field("nationality", p.seg(1, 10, 13), isAlphaFill))
	p.birthSexExpiry(1, 13)
	if !passport {
		r.Optional1 = text(p.field("optional", p.seg(1, 28, 44), isAlnumFill))
		return
	}
	pn := p.field("personal_number", p.seg(1, 28, 42), isAlnumFill)
	r.PersonalNumber = text(pn)
	p.check("personal_number", pn, p.lines[1][42])
	p.check("composite", p.seg(1, 0, 10)+p.seg(1, 13, 20)+p.seg(1, 21, 43), p.lines[1][43])
}

// french parses the French national identity card of 1988–2021 (2 × 36).
func (p *parser) french() {
	r := p.res
	p.header(0)
	r.Surname = text(p.field("surname", p.seg(0, 5, 30), isAlphaFill))
	r.AdministrativeCode = text(p.field("administrative_code", p.seg(0, 30, 36), isAlnumFill))
	r.IssueDate = p.field("issue_date", p.seg(1, 0, 4), isDigits)
	r.AdministrativeCode2 = text(p.field("administrative_code2", p.seg(1, 4, 7), isAlnumFill))
	r.DocumentNumber = text(p.field("document_number", p.seg(1, 7, 12), isAlnumFill))
	p.check("document_number", p.seg(1, 0, 12), p.lines[1][12])
	r.GivenNames = text(p.field("given_names", p.seg(1, 13, 27), isAlphaFill))
	r.BirthDate = p.field("birth_date", p.seg(1, 27, 33), isDigits)
	p.check("birth_date", r.BirthDate, p.lines[1][33])
	p.sex(p.lines[1][34])
	p.check("composite", p.seg(0, 0, 36)+p.seg(1, 0, 35), p.lines[1][35])
}

// swiss parses the Swiss driving licence (9 + 30 + 30); it has no check digits.
func (p *parser) swiss() {
	r := p.res
	r.DocumentNumber = text(p.field("document_number", p.seg(0, 0, 9), isAlnumFill))
	r.LanguageCode = p.field("language_code", p.seg(0, 6, 7), isAlphaFill)
	r.DocumentCode = text(p.field("document_code", p.seg(1, 0, 2), isAlphaFill))
	r.IssuingState = text(p.field("issuing_state", p.seg(1, 2, 5), isAlphaFill))
	r.PINCode = p.field("pin_code", p.seg(1, 5, 14), isDigits)
	r.VersionNumber = p.field("version_number", p.seg(1, 14, 17), isDigits)
	r.BirthDate = p.field("birth_date", p.seg(1, 19, 25), isDigits)
	p.nameField(p.seg(2, 0, 30))
}
