package zk

import "time"

// Limits and sizes of the presentation circuit (CircuitVersion) and its encodings, gathered in one place.
// Changing any of them changes the circuit: bump CircuitVersion and re-run the setup.
const (
	// CircuitVersion names the presentation circuit. Keys, requests and presentations carry it and
	// are refused when it differs. credential-v2 added the Merkle-root country set and moved the
	// revocation tree to 4-ary nodes (CIRCUITS.md, "Versions").
	CircuitVersion = "credential-v2"

	// CredentialVersion names the credential format: attributes, commitment and issuer signature
	// (CIRCUITS.md §2). It did not change with credential-v2, so credentials issued for
	// credential-v1 still prove.
	CredentialVersion = "credential-v1"

	// NumAttributes is the number of committed attributes (see AttrBirthDate … AttrHolderKey).
	NumAttributes = 9

	// NumRanges is the number of range-checked attributes: birth date, score, tier, issued, expires.
	NumRanges = 5

	// RangeBits bounds every range-checked attribute and bound: values are in [0, 2^32). Comparisons
	// decompose differences into RangeBits bits, so they are exact integer comparisons, never field
	// division (not like the earlier system).
	RangeBits = 32

	// MaxRangeValue is the largest value a range bound or a range-checked attribute may take.
	MaxRangeValue = 1<<RangeBits - 1

	// MaxCountrySet is the number of countries a request may list inline (ISO 3166-1 numeric
	// codes), as public inputs.
	MaxCountrySet = 16

	// CountryTreeLevels is the height of the 4-ary Merkle tree of a large country set (the
	// Merkle-root mode): 4^4 = 256 leaves, more than the 249 ISO 3166-1 numeric codes assigned.
	CountryTreeLevels = 4

	// MaxCountryTreeSet is the largest country set of the Merkle-root mode.
	MaxCountryTreeSet = 1 << (2 * CountryTreeLevels)

	// MaxCountryCode is the largest ISO 3166-1 numeric code (three decimal digits).
	MaxCountryCode = 999

	// MaxScore is the largest identity score.
	MaxScore = 100

	// MaxTier is the largest identity tier (3 = Premium, see FEATURES.md §3.4).
	MaxTier = 3

	// FlagBits is the width of the verification-flags attribute.
	FlagBits = 8

	// RevocationDepth is the binary depth of the issuer's sparse Merkle revocation tree: 2^32 slots.
	RevocationDepth = 32

	// RevocationLevels is the height of the revocation tree, whose nodes have 4 children:
	// 4^RevocationLevels = 2^RevocationDepth slots.
	RevocationLevels = RevocationDepth / 2

	// NonceBytes is the size of a verifier nonce. 31 bytes always fit in one BN254 scalar.
	NonceBytes = 31

	// MaxAudienceLen bounds the audience string of a request (an origin or a DID).
	MaxAudienceLen = 256

	// MaxPresentationSize bounds a JSON presentation accepted by DecodePresentation.
	MaxPresentationSize = 64 << 10

	// MaxRequestSize bounds a JSON request accepted by DecodeRequest.
	MaxRequestSize = 64 << 10

	// MaxAcceptedIssuers bounds the issuer keys a request may accept.
	MaxAcceptedIssuers = 64

	// Groth16ProofSize is the size of an encoded Groth16 proof: A and C compressed in G1 (32 bytes
	// each) and B compressed in G2 (64 bytes).
	Groth16ProofSize = 128

	// IssuerPublicKeySize is the size of a compressed issuer public key (a point of BN254's twisted
	// Edwards curve, gnark-crypto encoding).
	IssuerPublicKeySize = 32

	// IssuerPrivateKeySize is the size of an encoded issuer private key: public point, secret scalar
	// and signing-nonce seed, 32 bytes each (gnark-crypto encoding).
	IssuerPrivateKeySize = 96

	// DefaultNonceTTL is how long a nonce is remembered when the request has no ValidUntil.
	DefaultNonceTTL = 24 * time.Hour

	// MaxProofSize bounds the encoded proof inside a presentation (Groth16: 128 bytes compressed;
	// PLONK: under 1 KiB).
	MaxProofSize = 4096
)

// Statement switches, bits of the public Statements input. An unset bit switches the statement off;
// range statements are switched off by the full range [0, MaxRangeValue] instead.
const (
	StmtSignature   = 1 << iota // the issuer's EdDSA signature over the commitment verifies
	StmtCountry                 // the country is one of the public inline set (≤ MaxCountrySet)
	StmtNotRevoked              // the revocation slot is empty in the public revocation root
	StmtHolder                  // the prover knows the holder secret behind the committed holder key
	StmtNullifier               // the public nullifier is H(holder secret, audience)
	StmtCountryRoot             // the country is a leaf of the public country-set Merkle root

	numStatementBits = 6
)
