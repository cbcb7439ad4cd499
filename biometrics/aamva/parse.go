package aamva

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse parses barcode data (the bytes pdf417.Decode returns).
func Parse(data []byte) (*License, error) {
	if len(data) > MaxDataLen {
		return nil, ErrTooLong
	}
	s := string(data)
	// Header: "@" LF RS CR "ANSI " (some version-1 cards write "AAMVA"), IIN, version, [jurisdiction
	// version from version 2], number of entries, then a designator per subfile.
	if len(s) < 4 || s[0] != complianceIndicator {
		return nil, fmt.Errorf("%w: no compliance indicator", ErrHeader)
	}
	p := 4
	if s[1] != elementSeparator || s[2] != recordSeparator || s[3] != segmentTerminator {
		// Tolerate a missing CR after RS, seen on some cards.
		if len(s) >= 3 && s[1] == elementSeparator && s[2] == recordSeparator {
			p = 3
		} else {
			return nil, fmt.Errorf("%w: bad separators", ErrHeader)
		}
	}
	switch {
	case strings.HasPrefix(s[p:], "ANSI "):
		p += 5
	case strings.HasPrefix(s[p:], "AAMVA"):
		p += 5
	default:
		return nil, fmt.Errorf("%w: file type is not ANSI", ErrHeader)
	}
	num := func(n int) (int, error) {
		if p+n > len(s) {
			return 0, fmt.Errorf("%w: truncated", ErrHeader)
		}
		v, err := strconv.Atoi(s[p : p+n])
		if err != nil || strings.ContainsAny(s[p:p+n], "+- ") {
			return 0, fmt.Errorf("%w: %q is not a number", ErrHeader, s[p:p+n])
		}
		p += n
		return v, nil
	}
	if p+6 > len(s) {
		return nil, fmt.Errorf("%w: truncated", ErrHeader)
	}
	lic := &License{IIN: s[p : p+6]}
	if _, err := strconv.Atoi(lic.IIN); err != nil {
		return nil, fmt.Errorf("%w: IIN %q", ErrHeader, lic.IIN)
	}
	p += 6
	var err error
	if lic.Version, err = num(2); err != nil {
		return nil, err
	}
	if lic.Version < MinVersion || lic.Version > MaxVersion {
		return nil, fmt.Errorf("%w: %d", ErrVersion, lic.Version)
	}
	if lic.Version >= 2 {
		if lic.JurisdictionVersion, err = num(2); err != nil {
			return nil, err
		}
	}
	entries, err := num(2)
	if err != nil {
		return nil, err
	}
	if entries < 1 || entries > MaxEntries {
		return nil, fmt.Errorf("%w: %d subfiles", ErrHeader, entries)
	}
	type designator struct {
		typ            string
		offset, length int
	}
	ds := make([]designator, entries)
	for i := range ds {
		if p+2 > len(s) {
			return nil, fmt.Errorf("%w: truncated designators", ErrHeader)
		}
		ds[i].typ = s[p : p+2]
		p += 2
		if ds[i].offset, err = num(4); err != nil {
			return nil, err
		}
		if ds[i].length, err = num(4); err != nil {
			return nil, err
		}
	}
	for _, d := range ds {
		body, err := subfileBody(s, d.typ, d.offset, d.length)
		if err != nil {
			return nil, err
		}
		lic.Subfiles = append(lic.Subfiles, Subfile{Type: d.typ, Elements: elements(body)})
	}
	lic.DocumentType = ds[0].typ
	if err := lic.fill(); err != nil {
		return lic, err
	}
	return lic, nil
}

// subfileBody returns the elements of a subfile: from its offset, after the two-letter type, up to
// the segment terminator. Offsets written by issuers are sometimes off by a few bytes; the type is
// looked for within subfileSlack bytes of the offset.
func subfileBody(s, typ string, offset, length int) (string, error) {
	const subfileSlack = 8
	lo, hi := max(0, offset-subfileSlack), min(len(s), offset+subfileSlack+2)
	if lo >= hi {
		return "", fmt.Errorf("%w: %s at %d is beyond the data", ErrSubfile, typ, offset)
	}
	if offset+2 > len(s) || s[offset:offset+2] != typ {
		i := strings.Index(s[lo:hi], typ)
		if i < 0 {
			return "", fmt.Errorf("%w: %s not found at %d", ErrSubfile, typ, offset)
		}
		offset = lo + i
	}
	end := offset + length
	if end > len(s) || length <= 2 {
		end = len(s)
	}
	body := s[offset+2 : end]
	if i := strings.IndexByte(body, segmentTerminator); i >= 0 {
		body = body[:i]
	}
	return body, nil
}

func elements(body string) []Element {
	var out []Element
	for _, line := range strings.Split(body, string(elementSeparator)) {
		line = strings.TrimRight(line, "\r")
		if len(line) < 3 {
			continue
		}
		out = append(out, Element{ID: line[:3], Value: strings.TrimSpace(line[3:])})
	}
	return out
}

// fill sets the named fields from the elements (Table D.3, and the name elements of versions 1–3).
func (l *License) fill() error {
	get := func(id string) string { v, _ := l.Get(id); return v }
	l.FamilyName = firstOf(get("DCS"), get("DAB"))
	l.GivenName, l.MiddleName = get("DAC"), get("DAD")
	if l.GivenName == "" {
		if dct := get("DCT"); dct != "" { // versions 2–3: given names in one element
			l.GivenName, l.MiddleName = splitNames(dct)
		}
	}
	if daa := get("DAA"); daa != "" && l.FamilyName == "" { // version 1: "FAMILY,GIVEN,MIDDLE"
		parts := strings.Split(daa, ",")
		l.FamilyName = strings.TrimSpace(parts[0])
		if len(parts) > 1 {
			l.GivenName = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			l.MiddleName = strings.TrimSpace(strings.Join(parts[2:], " "))
		}
	}
	l.DocumentNumber = get("DAQ")
	l.Street, l.City, l.State = get("DAG"), get("DAI"), get("DAJ")
	l.PostalCode = strings.TrimSpace(get("DAK"))
	l.Country = get("DCG")
	l.EyeColor, l.Height = get("DAY"), get("DAU")
	switch strings.ToUpper(get("DBC")) {
	case "1", "M":
		l.Sex = "M"
	case "2", "F":
		l.Sex = "F"
	case "9", "X":
		l.Sex = "X"
	}
	canada := l.Country == "CAN"
	var err error
	for _, d := range []struct {
		id  string
		dst *string
	}{{"DBB", &l.BirthDate}, {"DBA", &l.ExpiryDate}, {"DBD", &l.IssueDate}} {
		v := get(d.id)
		if v == "" {
			continue
		}
		iso, derr := Date(v, l.Version, canada)
		if derr != nil && err == nil {
			err = &FieldError{Element: d.id, Value: v, Err: derr}
		}
		*d.dst = iso
	}
	return err
}

// Date turns an AAMVA date into ISO 8601. Version 1 and Canadian cards write CCYYMMDD; the US from
// version 2 writes MMDDCCYY (AAMVA 2020 Table D.3 note). When the expected order gives no calendar date
// the other order is tried.
func Date(v string, version int, canada bool) (string, error) {
	if len(v) != 8 {
		return "", fmt.Errorf("%w: %q", ErrDate, v)
	}
	orders := []bool{version == 1 || canada, !(version == 1 || canada)} // true: CCYYMMDD
	for _, ymd := range orders {
		var y, m, d string
		if ymd {
			y, m, d = v[0:4], v[4:6], v[6:8]
		} else {
			m, d, y = v[0:2], v[2:4], v[4:8]
		}
		t, err := time.Parse("2006-01-02", y+"-"+m+"-"+d)
		if err == nil && t.Year() >= 1800 {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrDate, v)
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func splitNames(s string) (given, middle string) {
	sep := " "
	if strings.Contains(s, ",") {
		sep = ","
	}
	parts := strings.SplitN(s, sep, 2)
	given = strings.TrimSpace(parts[0])
	if len(parts) == 2 {
		middle = strings.TrimSpace(parts[1])
	}
	return given, middle
}
