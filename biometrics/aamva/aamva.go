// Package aamva parses the PDF417 data of North American driving licences and identity cards
// (AAMVA DL/ID Card Design Standard, versions 1 (2000) to 10 (2020), Annex D). It is pure Go.
//
//	lic, err := aamva.Parse(barcodeBytes) // from pdf417.Decode
//	lic.FamilyName, lic.DocumentNumber, lic.BirthDate // ISO 8601 dates
package aamva

import (
	"errors"
	"fmt"
)

// Separators of the header (AAMVA 2020 §D.12.3).
const (
	complianceIndicator = '@'
	elementSeparator    = '\n'
	recordSeparator     = 0x1e
	segmentTerminator   = '\r'

	// MaxDataLen bounds the input (a PDF417 symbol holds at most about 1.8 KB of text).
	MaxDataLen = 4096
	// MaxEntries bounds the subfile designators read from the header.
	MaxEntries = 32
	// MinVersion and MaxVersion are the AAMVA versions this parser knows.
	MinVersion, MaxVersion = 1, 10
)

// Errors.
var (
	ErrHeader  = errors.New("aamva: bad header")
	ErrVersion = errors.New("aamva: unsupported version")
	ErrSubfile = errors.New("aamva: bad subfile")
	ErrDate    = errors.New("aamva: bad date")
	ErrTooLong = errors.New("aamva: data too long")
)

// FieldError names the element that failed.
type FieldError struct {
	Element string // e.g. "DBB"
	Value   string
	Err     error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("aamva: element %s %q: %v", e.Element, e.Value, e.Err)
}
func (e *FieldError) Unwrap() error { return e.Err }

// Element is one data element: a three-letter id (Table D.3) and its value.
type Element struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// Subfile is one subfile: "DL" or "ID" for the standard data, "Z?" for the jurisdiction's own.
type Subfile struct {
	Type     string    `json:"type"`
	Elements []Element `json:"elements"`
}

// License is the parsed barcode. Dates are ISO 8601 (YYYY-MM-DD).
type License struct {
	IIN                 string    `json:"iin"` // issuer identification number
	Version             int       `json:"aamva_version"`
	JurisdictionVersion int       `json:"jurisdiction_version"`
	DocumentType        string    `json:"document_type"` // "DL" or "ID"
	Subfiles            []Subfile `json:"subfiles"`

	FamilyName     string `json:"surname"`
	GivenName      string `json:"given_name"`
	MiddleName     string `json:"middle_name,omitempty"`
	DocumentNumber string `json:"document_number"`
	BirthDate      string `json:"birth_date"`
	ExpiryDate     string `json:"expiry_date,omitempty"`
	IssueDate      string `json:"issue_date,omitempty"`
	Sex            string `json:"sex,omitempty"` // "M", "F" or "X"
	Street         string `json:"street,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	PostalCode     string `json:"postal_code,omitempty"`
	Country        string `json:"country,omitempty"`
	EyeColor       string `json:"eye_color,omitempty"`
	Height         string `json:"height,omitempty"`
}

// Get returns the first value of element id in the DL or ID subfile (then any subfile).
func (l *License) Get(id string) (string, bool) {
	for _, pass := range []bool{true, false} {
		for _, s := range l.Subfiles {
			if pass != (s.Type == "DL" || s.Type == "ID") {
				continue
			}
			for _, e := range s.Elements {
				if e.ID == id {
					return e.Value, true
				}
			}
		}
	}
	return "", false
}
