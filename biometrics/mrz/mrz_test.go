package mrz

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/internal/assets"
)

type vector struct {
	Source string             `json:"source"`
	Name   string             `json:"name"`
	Lines  []string           `json:"lines"`
	Format string             `json:"format"`
	Valid  *bool              `json:"valid"`
	Fields map[string]*string `json:"fields"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	p, err := assets.TestdataPath("documents/mrz/mrz_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 30 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

// got maps the vector's field names (cheminfo/mrz) onto ours.
func got(r *Result, name string) (string, bool) {
	switch name {
	case "documentCode":
		return r.DocumentCode, true
	case "issuingState":
		return r.IssuingState, true
	case "lastName":
		return r.Surname, true
	case "firstName":
		return r.GivenNames, true
	case "documentNumber":
		return r.DocumentNumber, true
	case "documentNumberCheckDigit":
		return r.CheckDigits["document_number"], true
	case "birthDate":
		return r.BirthDate, true
	case "birthDateCheckDigit":
		return r.CheckDigits["birth_date"], true
	case "expirationDate":
		return r.ExpiryDate, true
	case "expirationDateCheckDigit":
		return r.CheckDigits["expiry_date"], true
	case "compositeCheckDigit":
		return r.CheckDigits["composite"], true
	case "personalNumber":
		return r.PersonalNumber, true
	case "personalNumberCheckDigit":
		return r.CheckDigits["personal_number"], true
	case "nationality":
		return r.Nationality, true
	case "sex":
		return r.Sex, true
	case "optional1", "optional":
		return r.Optional1, true
	case "optional2":
		return r.Optional2, true
	case "administrativeCode":
		return r.AdministrativeCode, true
	case "administrativeCode2":
		return r.AdministrativeCode2, true
	case "issueDate":
		return r.IssueDate, true
	case "languageCode":
		return r.LanguageCode, true
	case "pinCode":
		return r.PINCode, true
	case "versionNumber":
		return r.VersionNumber, true
	}
	return "", false
}

// isSpecimenState reports the Utopia vectors: cheminfo/mrz marks them invalid only because UTO is
// not an ISO 3166 state; their check digits are right.
func isSpecimenState(v vector) bool { return strings.Contains(strings.Join(v.Lines, ""), "UTO") }

func TestVectors(t *testing.T) {
	withFields := 0
	for _, v := range loadVectors(t) {
		t.Run(v.Source+"/"+v.Name, func(t *testing.T) {
			r, err := Parse(v.Lines)
			if r == nil {
				t.Fatalf("no result: %v", err)
			}
			if v.Format != "" && string(r.Format) != v.Format {
				t.Errorf("format %s, want %s", r.Format, v.Format)
			}
			wantValid := v.Valid == nil || *v.Valid
			if v.Valid != nil && !*v.Valid && isSpecimenState(v) {
				// Only the state is fictitious; valid unless a check digit or field is broken, which
				// the vector's name says.
				wantValid = !strings.Contains(v.Name, "wrong")
			}
			if r.Valid != wantValid || (err == nil) != wantValid {
				t.Fatalf("valid %v (err %v), want %v", r.Valid, err, wantValid)
			}
			if !wantValid {
				var ie *InvalidError
				if !errors.As(err, &ie) || len(ie.Problems) == 0 {
					t.Fatalf("invalid zone without *InvalidError: %v", err)
				}
				return
			}
			if len(r.Corrections) != 0 {
				t.Errorf("corrections on a clean zone: %+v", r.Corrections)
			}
			if v.Fields != nil {
				withFields++
			}
			for name, want := range v.Fields {
				if want == nil {
					continue // only set on invalid vectors
				}
				g, known := got(r, name)
				if !known {
					t.Errorf("field %s not mapped", name)
					continue
				}
				if g != *want {
					t.Errorf("%s = %q, want %q", name, g, *want)
				}
			}
		})
	}
	if withFields < 15 {
		t.Fatalf("only %d vectors with fields checked", withFields)
	}
}

// ICAO Doc 9303-4 Appendix A specimen passport (Utopia).
const td3L1, td3L2 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

func TestCheckDigitICAO(t *testing.T) {
	// ICAO 9303-3 §4.9 worked example: 520727 → 3; and the specimen's fields.
	for in, want := range map[string]byte{"520727": '3', "L898902C3": '6', "740812": '2', "120415": '9', "ZE184226B<<<<<": '1'} {
		if d, ok := CheckDigit(in); !ok || d != want {
			t.Errorf("CheckDigit(%q) = %c, want %c", in, d, want)
		}
	}
	if _, ok := CheckDigit("AB?"); ok {
		t.Error("CheckDigit accepted '?'")
	}
}

func TestCorruptedCheckDigit(t *testing.T) {
	bad := td3L2[:9] + "7" + td3L2[10:] // document number check digit 6 → 7
	r, err := Parse([]string{td3L1, bad})
	var cde *CheckDigitError
	if !errors.As(err, &cde) || !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("want *CheckDigitError, got %v", err)
	}
	if cde.Field != "document_number" || cde.Want != '6' || cde.Got != '7' {
		t.Errorf("got %+v", cde)
	}
	if r == nil || r.Valid {
		t.Fatal("corrupted zone reported valid")
	}
}

func TestCorrectionProvenByCheckDigit(t *testing.T) {
	// OCR read the birth date's 0 as O and the expiry's 5 as S: dates hold digits only, and the
	// check digits confirm the look-alike digits.
	ocr := "L898902C36UTO74O8122F12041S9ZE184226B<<<<<10"
	r, err := Parse([]string{td3L1, ocr})
	if err != nil {
		t.Fatalf("not corrected: %v", err)
	}
	if r.Lines[1] != td3L2 || len(r.Corrections) != 2 {
		t.Fatalf("lines %q corrections %+v", r.Lines[1], r.Corrections)
	}
	// JSON shows the characters, not their byte codes, and reads back.
	js, err := json.Marshal(r.Corrections[0])
	if err != nil || string(js) != `{"line":1,"pos":15,"from":"O","to":"0"}` {
		t.Fatalf("correction JSON %s %v", js, err)
	}
	var back Correction
	if err := json.Unmarshal(js, &back); err != nil || back != r.Corrections[0] {
		t.Fatalf("read back %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"line":1,"pos":16,"from":"OO","to":"0"}`), &back); err == nil {
		t.Fatal("two-character correction accepted")
	}
	// The document number's 8 read as B: B→8 satisfies the check digit, but so does 0→D at the next
	// position, so the check digit does not prove either and the zone stays invalid.
	ocr2 := "L89B902C36UTO7408122F1204159ZE184226B<<<<<10"
	if r, err := Parse([]string{td3L1, ocr2}); !errors.Is(err, ErrCheckDigit) || len(r.Corrections) != 0 {
		t.Fatalf("ambiguous change accepted: %v", err)
	}
	// A misread digit with no look-alike (2 read as 3): nothing to prove, stays an error.
	ocr3 := "L898902C36UTO7408132F1204159ZE184226B<<<<<10"
	if _, err := Parse([]string{td3L1, ocr3}); !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("unprovable change accepted: %v", err)
	}
}

func TestFormats(t *testing.T) {
	// ICAO 9303-7 Appendix specimens (MRV-A and MRV-B, Utopia).
	cases := []struct {
		lines  []string
		format Format
		number string
	}{
		{[]string{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"}, MRVA, "L8988901C"},
		{[]string{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"}, MRVB, "L8988901C"},
		{[]string{td3L1, td3L2}, TD3, "L898902C3"},
	}
	for _, c := range cases {
		r, err := Parse(c.lines)
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		if r.Format != c.format || r.DocumentNumber != c.number || r.Surname != "ERIKSSON" || r.GivenNames != "ANNA MARIA" {
			t.Errorf("%s: got %+v", c.format, r)
		}
	}
	if _, err := Parse([]string{"P<UTO", "L898"}); !errors.Is(err, ErrFormat) {
		t.Fatalf("short lines: %v", err)
	}
	if _, err := ParseText(strings.Repeat("<", MaxInputLen+1)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("long input: %v", err)
	}
	r, err := ParseText(td3L1 + "\n" + td3L2 + "\n")
	if err != nil || r.Format != TD3 {
		t.Fatalf("ParseText: %v", err)
	}
}

func TestISODate(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in     string
		expiry bool
		want   string
	}{{"740812", false, "1974-08-12"}, {"120415", true, "2012-04-15"}, {"340528", true, "2034-05-28"}, {"251231", false, "2025-12-31"}, {"271231", false, "1927-12-31"}} {
		if g, err := ISODate(c.in, c.expiry, now); err != nil || g != c.want {
			t.Errorf("ISODate(%s) = %s %v, want %s", c.in, g, err, c.want)
		}
	}
	for _, bad := range []string{"741332", "7408", "74O812", "740230"} {
		if _, err := ISODate(bad, false, now); !errors.Is(err, ErrDate) {
			t.Errorf("ISODate(%s) accepted", bad)
		}
	}
}

// A filler in the document number's check digit position of a TD3 (which has no long-number
// extension) is a check digit failure, not a crash.
func TestFillerCheckDigitWithoutExtension(t *testing.T) {
	l2 := td3L2[:9] + "<" + td3L2[10:]
	if _, err := Parse([]string{td3L1, l2}); !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("got %v", err)
	}
	// TD1 whose optional data starts with a filler: no extension either.
	if _, err := Parse([]string{"I<UTOD23145890<<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}); !errors.Is(err, ErrCheckDigit) {
		t.Fatalf("got %v", err)
	}
}
