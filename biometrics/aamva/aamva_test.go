package aamva

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

type sample struct {
	Raw      string         `json:"raw"`
	Expected map[string]any `json:"expected"`
}

func samples(t testing.TB) (map[string]sample, string) {
	t.Helper()
	p, err := assets.TestdataPath("documents/pdf417/aamva/aamva_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]sample
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) < 2 {
		t.Fatalf("%d samples", len(m))
	}
	return m, filepath.Dir(p)
}

func field(l *License, name string) (string, bool) {
	switch name {
	case "iin":
		return l.IIN, true
	case "aamvaVersion":
		return strconv.Itoa(l.Version), true
	case "documentType":
		return l.DocumentType, true
	case "lastName":
		return l.FamilyName, true
	case "firstName":
		return l.GivenName, true
	case "middleName":
		return l.MiddleName, true
	case "dateOfBirth":
		return l.BirthDate, true
	case "dateOfExpiry":
		return l.ExpiryDate, true
	case "dateOfIssue":
		return l.IssueDate, true
	case "sex":
		return l.Sex, true
	case "documentNumber":
		return l.DocumentNumber, true
	case "addressStreet":
		return l.Street, true
	case "addressCity":
		return l.City, true
	case "addressState":
		return l.State, true
	case "addressPostalCode":
		return l.PostalCode, true
	case "country":
		return l.Country, true
	case "eyeColor":
		return l.EyeColor, true
	case "height":
		return l.Height, true
	}
	return "", false
}

// TestExpected parses the exact encoded bytes of every sample to the expected fields. (Package
// biometrics tests the same through the barcode images.)
func TestExpected(t *testing.T) {
	m, dir := samples(t)
	for name, s := range m {
		data, err := os.ReadFile(filepath.Join(dir, s.Raw))
		if err != nil {
			t.Fatal(err)
		}
		l, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := Check(l, s.Expected); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Check compares a license with an expected-fields map of aamva_expected.json.
func Check(l *License, expected map[string]any) error {
	var bad []string
	for k, v := range expected {
		want := ""
		switch x := v.(type) {
		case string:
			want = x
		case float64:
			want = strconv.Itoa(int(x))
		}
		got, ok := field(l, k)
		if !ok || got != want {
			bad = append(bad, k+"="+strconv.Quote(got)+" want "+strconv.Quote(want))
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

func TestVersionsAndDates(t *testing.T) {
	// Version 1 (2000): no jurisdiction version, full name in DAA, dates CCYYMMDD.
	v1 := "@\n\x1e\rANSI 6360200101DL00290069DLDAAPUBLIC,JOHN,Q\nDAQ123456789\nDBB19700102\nDBA20300102\nDBC1\r"
	l, err := Parse([]byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 1 || l.FamilyName != "PUBLIC" || l.GivenName != "JOHN" || l.MiddleName != "Q" || l.BirthDate != "1970-01-02" || l.Sex != "M" {
		t.Fatalf("%+v", l)
	}
	// Version 3: given names together in DCT; US dates MMDDCCYY.
	v3 := "@\n\x1e\rANSI 636014030001DL00310061DLDCSDOE\nDCTJANE,ANN\nDAQX1\nDBB12311999\nDBC2\r"
	if l, err = Parse([]byte(v3)); err != nil || l.GivenName != "JANE" || l.MiddleName != "ANN" || l.BirthDate != "1999-12-31" || l.Sex != "F" {
		t.Fatalf("%+v %v", l, err)
	}
	// Canada: CCYYMMDD from any version.
	if d, err := Date("19991231", 8, true); err != nil || d != "1999-12-31" {
		t.Fatal(d, err)
	}
	for _, v := range []int{1, 2, 5, 8, 9, 10} {
		if d, err := Date("08121974", v, false); v > 1 && (err != nil || d != "1974-08-12") {
			t.Fatalf("v%d: %s %v", v, d, err)
		}
	}
	if _, err := Date("13131974", 10, false); !errors.Is(err, ErrDate) {
		t.Fatal("month 13 accepted")
	}
}

func TestRejects(t *testing.T) {
	m, dir := samples(t)
	var good []byte
	for _, s := range m {
		good, _ = os.ReadFile(filepath.Join(dir, s.Raw))
		break
	}
	mut := func(f func(s string) string) []byte { return []byte(f(string(good))) }
	cases := map[string]struct {
		data []byte
		want error
	}{
		"empty":          {nil, ErrHeader},
		"no indicator":   {mut(func(s string) string { return "#" + s[1:] }), ErrHeader},
		"not ANSI":       {mut(func(s string) string { return strings.Replace(s, "ANSI ", "ASNI ", 1) }), ErrHeader},
		"version 11":     {mut(func(s string) string { return s[:15] + "11" + s[17:] }), ErrVersion},
		"version 00":     {mut(func(s string) string { return s[:15] + "00" + s[17:] }), ErrVersion},
		"truncated":      {good[:25], ErrHeader},
		"no subfile":     {mut(func(s string) string { return strings.ReplaceAll(s, "DLDCA", "XXDCA") }), ErrSubfile},
		"bad birth date": {mut(func(s string) string { return strings.Replace(s, "DBB", "DBB99", 1) }), ErrDate},
		"too long":       {make([]byte, MaxDataLen+1), ErrTooLong},
	}
	for name, c := range cases {
		_, err := Parse(c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	var fe *FieldError
	if _, err := Parse(cases["bad birth date"].data); !errors.As(err, &fe) || fe.Element != "DBB" {
		t.Errorf("bad birth date: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	m, dir := samples(f)
	for _, s := range m {
		b, _ := os.ReadFile(filepath.Join(dir, s.Raw))
		f.Add(b)
	}
	f.Add([]byte("@\n\x1e\rANSI 6360200101DL00290069DLDAAPUBLIC,JOHN,Q\nDAQ1\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err == nil && (l == nil || l.Version < MinVersion || l.Version > MaxVersion || len(l.Subfiles) == 0) {
			t.Fatalf("accepted %+v", l)
		}
	})
}
