// Package mrz parses the machine-readable zone of travel documents (ICAO Doc 9303 Part 3, 4, 5, 6, 7)
// and checks its check digits. It is pure Go (no cgo) so that scoring code can use it without OpenCV.
//
// Most users call Parse with the zone's lines, as read by OCR or from an NFC chip's DG1:
//
//	res, err := mrz.Parse([]string{line1, line2})
//
// Parse recognises TD1 (3×30), TD2 (2×36), TD3 (2×44), the machine-readable visas MRV-A (2×44) and MRV-B
// (2×36), the French national identity card (2×36) and the Swiss driving licence (9+30+30). A result is
// Valid when every check digit (ICAO 9303-3 §4.9) holds and every field has the allowed characters.
//
// OCR engines confuse O/0, I/1, B/8, S/5, Z/2, G/6 and the like. Parse corrects such a confusion only
// when a check digit proves it: a field whose check digit fails is retried with single-character
// substitutions, and the correction is kept only when exactly one candidate satisfies the check digit.
// Every correction is listed in Result.Corrections.
package mrz
