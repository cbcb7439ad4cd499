package biometrics

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

// TestBarcodeAAMVA reads every AAMVA sample image, clean and photographed, and parses it to the
// fields of aamva_expected.json.
func TestBarcodeAAMVA(t *testing.T) {
	e := engine(t)
	var expected map[string]struct {
		File     string         `json:"file"`
		Expected map[string]any `json:"expected"`
	}
	if err := json.Unmarshal(testdata(t, "documents/pdf417/aamva/aamva_expected.json"), &expected); err != nil {
		t.Fatal(err)
	}
	if len(expected) < 2 {
		t.Fatal("samples missing")
	}
	for name, s := range expected {
		for _, file := range []string{s.File, name + "_photo.jpg"} {
			r, err := e.ReadBarcode(file, testdata(t, "documents/pdf417/aamva/"+file))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got := map[string]string{
				"iin": r.IIN, "aamvaVersion": strconv.Itoa(r.Version), "documentType": r.DocumentType,
				"lastName": r.FamilyName, "firstName": r.GivenName, "middleName": r.MiddleName,
				"dateOfBirth": r.BirthDate, "dateOfExpiry": r.ExpiryDate, "dateOfIssue": r.IssueDate,
				"sex": r.Sex, "documentNumber": r.DocumentNumber, "addressStreet": r.Street,
				"addressCity": r.City, "addressState": r.State, "addressPostalCode": r.PostalCode,
				"country": r.Country, "eyeColor": r.EyeColor, "height": r.Height,
			}
			for k, v := range s.Expected {
				want := ""
				switch x := v.(type) {
				case string:
					want = x
				case float64:
					want = strconv.Itoa(int(x))
				}
				if g, ok := got[k]; !ok || g != want {
					t.Errorf("%s: %s = %q, want %q", file, k, g, want)
				}
			}
		}
	}
	// Reject twin: a portrait has no barcode.
	if _, err := e.ReadBarcode("portrait", face(t, "obama.jpg")); !errors.Is(err, ErrNoBarcode) {
		t.Fatalf("portrait: %v", err)
	}
}
