package demo

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/virtengine/sdk/biometrics/mrz"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// countryNumeric maps ICAO 9303 alpha-3 codes to ISO 3166-1 numeric codes. "UTO" (Utopia, ICAO's
// specimen state) takes 999 from ISO 3166-1's user-assigned range; "D" is Germany's MRZ code.
var countryNumeric = map[string]uint16{"UTO": 999, "D": 276, "DEU": 276, "USA": 840, "FRA": 250, "CHE": 756,
	"GBR": 826, "NLD": 528, "BEL": 56, "LUX": 442, "AUT": 40, "ITA": 380, "ESP": 724, "PRT": 620, "IRL": 372,
	"DNK": 208, "SWE": 752, "NOR": 578, "FIN": 246, "ISL": 352, "POL": 616, "CZE": 203, "SVK": 703, "HUN": 348,
	"SVN": 705, "HRV": 191, "ROU": 642, "BGR": 100, "GRC": 300, "CYP": 196, "MLT": 470, "EST": 233, "LVA": 428,
	"LTU": 440, "UKR": 804, "TUR": 792, "CAN": 124, "MEX": 484, "BRA": 76, "ARG": 32, "CHL": 152, "COL": 170,
	"AUS": 36, "NZL": 554, "JPN": 392, "KOR": 410, "CHN": 156, "IND": 356, "SGP": 702, "ISR": 376, "ZAF": 710,
	"NGA": 566, "EGY": 818, "MAR": 504, "ARE": 784, "SAU": 682}

// CountryNumeric returns the ISO 3166-1 numeric code of an ICAO 9303 state code (as read from a
// machine-readable zone), false when the table does not know it.
func CountryNumeric(alpha3 string) (uint16, bool) {
	c, ok := countryNumeric[alpha3]
	return c, ok
}

// newUUID returns a random RFC 9562 version-4 UUID URN for a credential id.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// issue is the network's side after a passed verification: the W3C VC and the zk credential.
func (f *flow) issue() error {
	f.kinds = []veid.ScopeKind{veid.KindIDDocument, veid.KindSelfie, veid.KindFaceVideo}
	if err := f.step("attestation: W3C VC 2.0, eddsa-jcs-2022, verified", func() (string, error) {
		id, err := newUUID()
		if err != nil {
			return "", err
		}
		vc, err := veid.IssueVC(f.vcIssuer, veid.Attestation{ID: id, Subject: f.userDID, Result: f.run.Result, Scopes: f.kinds, IssuedAt: f.now})
		if err != nil {
			return "", err
		}
		f.rep.VCBytes = len(vc)
		c, err := veid.VerifyVC(vc, f.vcIssuer.Key.Public().(ed25519.PublicKey), f.now)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d bytes, issuer %s…, valid until %s", len(vc), c.Issuer[:20], c.ValidUntil.Format("2006-01-02")), nil
	}); err != nil {
		return err
	}
	var err error
	if f.holder, err = zk.GenerateHolderSecret(nil); err != nil {
		return err
	}
	f.tree = zk.NewRevocationTree()
	if err := f.step("zk credential: birth date and country from the MRZ", func() (string, error) {
		z, err := f.eng.ReadMRZ("passport-td2.jpg", f.document)
		if err != nil {
			return "", err
		}
		iso, err := mrz.ISODate(z.BirthDate, false, f.now)
		if err != nil {
			return "", fmt.Errorf("MRZ birth date %q: %w", z.BirthDate, err)
		}
		birth, err := time.Parse("2006-01-02", iso)
		if err != nil {
			return "", err
		}
		country, ok := countryNumeric[z.Nationality]
		if !ok {
			return "", fmt.Errorf("no ISO 3166-1 numeric code known for %q", z.Nationality)
		}
		f.cred, err = veid.IssueZKCredential(f.zkIssuer, f.tree, f.run.Result, f.kinds,
			veid.ZKHolder{BirthDate: birth, Country: country, Key: f.holder.PublicKey()}, f.now, nil)
		if err != nil {
			return "", err
		}
		f.docFingerprint = veid.DocumentFingerprint(f.templateKey, z.IssuingState, z.DocumentNumber)
		return fmt.Sprintf("%s, born %s, nationality %s (%d), score %d, tier %d", z.Surname, iso, z.Nationality, country,
			f.cred.Attributes.Score, f.cred.Attributes.Tier), nil
	}); err != nil {
		return err
	}
	return f.step("duplicate index: protected face template, document fingerprint", func() (string, error) {
		t, err := f.faceTemplate(f.img[imgSelfie])
		if err != nil {
			return "", err
		}
		if err := f.duplicates.Check(f.userDID, t, f.docFingerprint); err != nil {
			return "", err
		}
		f.duplicates.Add(f.userDID, t, f.docFingerprint)
		return fmt.Sprintf("%d-bit keyed template stored; no embedding or document number kept", veid.FaceTemplateBits), nil
	})
}

// faceTemplate is the protected template of the largest face of an image.
func (f *flow) faceTemplate(img []byte) (veid.FaceTemplate, error) {
	fr, err := f.eng.EmbedImage("selfie", img)
	if err != nil {
		return veid.FaceTemplate{}, err
	}
	return veid.ProtectFace(f.templateKey, fr.Quantized)
}
