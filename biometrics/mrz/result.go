package mrz

import (
	"encoding/json"
	"fmt"
)

// Format names a document layout.
type Format string

// The formats Parse recognises.
const (
	TD1      Format = "TD1"                   // ICAO 9303-5: identity cards, 3 lines of 30
	TD2      Format = "TD2"                   // ICAO 9303-6: 2 lines of 36
	TD3      Format = "TD3"                   // ICAO 9303-4: passports, 2 lines of 44
	MRVA     Format = "MRV-A"                 // ICAO 9303-7: visa, 2 lines of 44
	MRVB     Format = "MRV-B"                 // ICAO 9303-7: visa, 2 lines of 36
	FrenchID Format = "FRENCH_NATIONAL_ID"    // French identity card (1988–2021), 2 lines of 36
	SwissDL  Format = "SWISS_DRIVING_LICENSE" // Swiss driving licence, 9 + 30 + 30
)

// Check is the outcome of one check digit.
type Check struct {
	Field string `json:"field"`
	OK    bool   `json:"ok"`
}

// Correction is one character that Parse changed because a check digit proved the change. Its JSON
// writes the characters as one-character strings: {"line":1,"pos":16,"from":"O","to":"0"}.
type Correction struct {
	Line int  `json:"line"` // 0-based
	Pos  int  `json:"pos"`  // 0-based
	From byte `json:"from"`
	To   byte `json:"to"`
}

// correctionJSON is Correction's JSON form: the characters as strings, not byte codes.
type correctionJSON struct {
	Line int    `json:"line"`
	Pos  int    `json:"pos"`
	From string `json:"from"`
	To   string `json:"to"`
}

// MarshalJSON writes From and To as one-character strings.
func (c Correction) MarshalJSON() ([]byte, error) {
	return json.Marshal(correctionJSON{c.Line, c.Pos, string(rune(c.From)), string(rune(c.To))})
}

// UnmarshalJSON reads what MarshalJSON writes; From and To must be single ASCII characters.
func (c *Correction) UnmarshalJSON(b []byte) error {
	var j correctionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if len(j.From) != 1 || len(j.To) != 1 {
		return fmt.Errorf("mrz: correction characters %q → %q: want one ASCII character each", j.From, j.To)
	}
	*c = Correction{Line: j.Line, Pos: j.Pos, From: j.From[0], To: j.To[0]}
	return nil
}

// Result holds the fields of a zone. Text fields have their fillers turned into spaces and trimmed.
// Dates are as printed, YYMMDD (see Date for a calendar date).
type Result struct {
	Format         Format `json:"format"`
	Valid          bool   `json:"valid"`
	DocumentCode   string `json:"document_code"`
	IssuingState   string `json:"issuing_state"`
	DocumentNumber string `json:"document_number"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
	Nationality    string `json:"nationality,omitempty"`
	BirthDate      string `json:"birth_date"`
	Sex            string `json:"sex,omitempty"` // "male", "female" or "unspecified"
	ExpiryDate     string `json:"expiry_date,omitempty"`
	PersonalNumber string `json:"personal_number,omitempty"` // TD3 personal number
	Optional1      string `json:"optional1,omitempty"`       // TD1 line 1, TD2/MRV optional data
	Optional2      string `json:"optional2,omitempty"`       // TD1 line 2

	// Format-specific fields (French identity card, Swiss driving licence).
	IssueDate           string `json:"issue_date,omitempty"`
	AdministrativeCode  string `json:"administrative_code,omitempty"`
	AdministrativeCode2 string `json:"administrative_code2,omitempty"`
	LanguageCode        string `json:"language_code,omitempty"`
	PINCode             string `json:"pin_code,omitempty"`
	VersionNumber       string `json:"version_number,omitempty"`

	// CheckDigits maps each protected field to its check digit as printed (after corrections).
	CheckDigits map[string]string `json:"check_digits,omitempty"`
	Checks      []Check           `json:"checks"`
	Corrections []Correction      `json:"corrections,omitempty"`
	// Lines are the zone's lines after corrections.
	Lines []string `json:"lines"`
}
