package aamva_test

import (
	"fmt"

	"github.com/virtengine/sdk/biometrics/aamva"
)

func ExampleParse() {
	data := "@\n\x1e\rANSI 636000100001DL00310075DLDCSSAMPLE\nDACJANE\nDAQT64235789\nDBB08121974\nDBA04152030\nDBC2\r"
	lic, err := aamva.Parse([]byte(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(lic.Version, lic.FamilyName, lic.GivenName, lic.DocumentNumber, lic.BirthDate, lic.ExpiryDate, lic.Sex)
	// Output: 10 SAMPLE JANE T64235789 1974-08-12 2030-04-15 F
}
