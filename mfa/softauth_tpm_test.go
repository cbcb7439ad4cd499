package mfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	"github.com/google/go-tpm/tpm2"
)

// tpmAttestor is the attestation side of a software TPM (W3C WebAuthn Level 3 §8.3, TPM 2.0
// Part 2 §10.12): an attestation identity key (AIK) whose certificate a test CA issued with the
// §8.3.1 requirements (version 3, empty subject, a critical SAN naming the TPM manufacturer, model
// and version, the tcg-kp-AIKCertificate EKU, CA false). It certifies the credential key's
// TPMT_PUBLIC with a TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY whose extraData is the hash of
// authenticatorData ‖ clientDataHash.
//
// The fields break one requirement each, for the reject twins.
type tpmAttestor struct {
	manufacturer string            // "id:…" TPM vendor ID in the AIK certificate's SAN
	aikSigner    *ecdsa.PrivateKey // signs certInfo instead of the AIK (a foreign signature)
	pubAreaKey   *ecdsa.PrivateKey // certifies this key's TPMT_PUBLIC instead of the credential's
	expired      bool              // the AIK certificate expired an hour ago
}

var (
	oidTPMManufacturer = asn1.ObjectIdentifier{2, 23, 133, 2, 1}
	oidTPMModel        = asn1.ObjectIdentifier{2, 23, 133, 2, 2}
	oidTPMVersion      = asn1.ObjectIdentifier{2, 23, 133, 2, 3}
	oidAIKCertificate  = asn1.ObjectIdentifier{2, 23, 133, 8, 3}
	oidSubjectAltName  = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// "id:FFFFF1D0" is the vendor ID the FIDO Alliance conformance tools use for software TPMs; it is in
// go-webauthn's list of registered TPM manufacturers for that reason.
const tpmTestManufacturer = "id:FFFFF1D0"

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// statement returns the tpm attStmt for authData and clientDataHash, certifying credKey.
func (o *tpmAttestor) statement(credKey *ecdsa.PrivateKey, authData, clientDataHash []byte) map[string]any {
	certified := credKey
	if o.pubAreaKey != nil {
		certified = o.pubAreaKey
	}
	x, y := make([]byte, 32), make([]byte, 32)
	certified.PublicKey.X.FillBytes(x)
	certified.PublicKey.Y.FillBytes(y)
	pub := tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgECC,
		NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{
			SignEncrypt: true, FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true, UserWithAuth: true,
		},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
			Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
			Scheme: tpm2.TPMTECCScheme{Scheme: tpm2.TPMAlgECDSA,
				Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: tpm2.TPMAlgSHA256})},
			CurveID: tpm2.TPMECCNistP256,
			KDF:     tpm2.TPMTKDFScheme{Scheme: tpm2.TPMAlgNull},
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgECC, &tpm2.TPMSECCPoint{
			X: tpm2.TPM2BECCParameter{Buffer: x}, Y: tpm2.TPM2BECCParameter{Buffer: y},
		}),
	}
	name := must(tpm2.ObjectName(&pub))
	extra := sha256.Sum256(append(append([]byte{}, authData...), clientDataHash...)) // alg ES256 → SHA-256
	certInfo := tpm2.Marshal(tpm2.TPMSAttest{
		Magic:     tpm2.TPMGeneratedValue,
		Type:      tpm2.TPMSTAttestCertify,
		ExtraData: tpm2.TPM2BData{Buffer: extra[:]},
		Attested:  tpm2.NewTPMUAttest(tpm2.TPMSTAttestCertify, &tpm2.TPMSCertifyInfo{Name: *name}),
	})

	caKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	aikKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	now := time.Now() // go-webauthn checks the AIK certificate against the wall clock
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "VirtEngine test TPM attestation CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER := must(x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey))
	ca = must(x509.ParseCertificate(caDER))
	manufacturer := o.manufacturer
	if manufacturer == "" {
		manufacturer = tpmTestManufacturer
	}
	dn := must(asn1.Marshal(pkix.RDNSequence{{
		{Type: oidTPMManufacturer, Value: manufacturer},
		{Type: oidTPMModel, Value: "VirtEngine software TPM"},
		{Type: oidTPMVersion, Value: "id:00020000"},
	}}))
	san := must(asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dn}}))
	aik := &x509.Certificate{
		SerialNumber: big.NewInt(2), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		BasicConstraintsValid: true, IsCA: false,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidAIKCertificate},
		ExtraExtensions:    []pkix.Extension{{Id: oidSubjectAltName, Critical: true, Value: san}},
	}
	if o.expired {
		aik.NotBefore, aik.NotAfter = now.Add(-48*time.Hour), now.Add(-time.Hour)
	}
	aikDER := must(x509.CreateCertificate(rand.Reader, aik, ca, &aikKey.PublicKey, caKey))

	signer := aikKey
	if o.aikSigner != nil {
		signer = o.aikSigner
	}
	digest := sha256.Sum256(certInfo)
	sig := must(ecdsa.SignASN1(rand.Reader, signer, digest[:]))
	return map[string]any{
		"ver": "2.0", "alg": -7, "x5c": []any{aikDER, caDER}, "sig": sig,
		"certInfo": certInfo, "pubArea": tpm2.Marshal(pub),
	}
}
