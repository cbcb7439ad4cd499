package mrz

import (
	"errors"
	"fmt"
	"time"
)

// ErrDate reports a YYMMDD field that is not a calendar date.
var ErrDate = errors.New("mrz: not a date")

// ISODate turns a YYMMDD field into an ISO 8601 date (YYYY-MM-DD). The MRZ drops the century
// (ICAO 9303-3 §4.4.3), so it is chosen against now: a birth date (expiry false) takes the latest
// century that puts it not after now; an expiry date takes the century that puts it closest to now,
// within 50 years either way.
func ISODate(yymmdd string, expiry bool, now time.Time) (string, error) {
	if len(yymmdd) != 6 || !isDigits(yymmdd) {
		return "", fmt.Errorf("%w: %q", ErrDate, yymmdd)
	}
	yy := int(yymmdd[0]-'0')*10 + int(yymmdd[1]-'0')
	mm := int(yymmdd[2]-'0')*10 + int(yymmdd[3]-'0')
	dd := int(yymmdd[4]-'0')*10 + int(yymmdd[5]-'0')
	century := now.Year() / 100 * 100
	year := century + yy
	if expiry {
		if year > now.Year()+50 {
			year -= 100
		} else if year < now.Year()-50 {
			year += 100
		}
	} else if year > now.Year() {
		year -= 100
	}
	t := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || int(t.Month()) != mm || t.Day() != dd {
		return "", fmt.Errorf("%w: %q", ErrDate, yymmdd)
	}
	return t.Format("2006-01-02"), nil
}
