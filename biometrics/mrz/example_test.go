package mrz_test

import (
	"fmt"

	"github.com/virtengine/sdk/biometrics/mrz"
)

func ExampleParse() {
	// The ICAO Doc 9303 specimen passport.
	r, err := mrz.Parse([]string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Format, r.Valid, r.DocumentNumber, r.Surname, r.GivenNames, r.BirthDate, r.ExpiryDate)
	// Output: TD3 true L898902C3 ERIKSSON ANNA MARIA 740812 120415
}
