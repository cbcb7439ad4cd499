package zk

import "time"

// dayEpoch is Day 0: 1900-01-01 UTC. Day numbers are unsigned so birth dates after 1900 fit.
var dayEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// Day returns the Day number (days since 1900-01-01, proleptic Gregorian) of a calendar date.
// Dates before 1900 return 0.
func Day(year int, month time.Month, day int) uint32 {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if t.Before(dayEpoch) {
		return 0
	}
	return uint32(t.Sub(dayEpoch) / (24 * time.Hour))
}

// DayOf returns the Day number of t's UTC date.
func DayOf(t time.Time) uint32 {
	t = t.UTC()
	return Day(t.Year(), t.Month(), t.Day())
}

// DayDate returns the calendar date of Day d.
func DayDate(d uint32) time.Time { return dayEpoch.AddDate(0, 0, int(d)) }

// AgeCutoff returns the latest birth Day of a person who is at least years old on Day today: the same
// month and day, years earlier (a 29 February today maps to 28 February in a common year). A person
// is old enough exactly when BirthDate ≤ AgeCutoff(today, years); the circuit checks that inequality.
func AgeCutoff(today uint32, years int) uint32 {
	t := DayDate(today)
	y, m, d := t.Year()-years, t.Month(), t.Day()
	if m == time.February && d == 29 && !isLeap(y) {
		d = 28
	}
	return Day(y, m, d)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
