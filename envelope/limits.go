package envelope

// Sizes and limits of format v1, in one place. FORMAT.md states the same numbers; a test checks that
// the two agree.
const (
	// FormatVersion is the version byte of every envelope this package writes (FORMAT.md §2).
	FormatVersion = 1

	// ChunkSize is the plaintext size of every payload chunk but the last (64 KiB, as in age and the
	// STREAM construction of Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and
	// its Nonce-Reuse Misuse-Resistance", CRYPTO 2015).
	ChunkSize = 64 << 10

	// TagSize is the AEAD tag appended to every chunk (both suites use 128-bit tags).
	TagSize = 16

	// NonceSize is the per-envelope random nonce, used as the HKDF salt of the payload key.
	NonceSize = 16

	// KeyIDSize is the length of a recipient key identifier: the first 16 bytes of the key's
	// SHA-256 fingerprint. 128 bits are enough to route; they are not a security boundary.
	KeyIDSize = 16

	// MaxRecipients bounds the recipient stanzas of one envelope (validator sets and committees up
	// to 1024 members, FEATURES.md §1.2).
	MaxRecipients = 1024

	// MaxStanzaBody bounds one stanza's body; an X-Wing stanza is 1168 bytes. The bound keeps the
	// largest header a parser must buffer under 8.5 MiB.
	MaxStanzaBody = 8192

	// MaxSignerKeySize bounds the sender's public key in the header (ML-DSA-65: 1952 bytes).
	MaxSignerKeySize = 4096

	fileKeySize = 32 // random payload key material, 256 bits

	// maxTrailerSize is the largest trailer: magic, digest and an ML-DSA-65 signature (3309 bytes).
	maxTrailerSize = 4 + digestSize + 3309
	digestSize     = 32 // SHA-256 of the payload ciphertext
	chunkCTSize    = ChunkSize + TagSize

	// batchChunks is the number of chunks a worker seals or opens together (1 MiB): the 16 lanes
	// of the vector SHA-256 that computes their digests (pipeline.go).
	batchChunks = 16

	// maxBatchesInFlight caps the batches sealed or opened at once whatever GOMAXPROCS says, so a
	// Writer or Reader holds at most (maxBatchesInFlight+1) × batchChunks chunk buffers (about
	// 5.4 MiB) however large the payload.
	maxBatchesInFlight = 4

	// maxKeyFileLine bounds one line of a key file (an ML-DSA secret key string is under 100
	// bytes; a comment holding an X-Wing recipient string is about 2 KB).
	maxKeyFileLine = 8192

	// armorColumns is the base64 line length of text armor (FORMAT.md §6).
	armorColumns = 64

	// maxTrailerProbes bounds the positions tried when diagnosing data appended after an envelope;
	// it caps the work an adversarial input can cause on the error path.
	maxTrailerProbes = 64
)

// magic opens every binary envelope; trailerMagic opens its trailer (FORMAT.md §2, §4).
var (
	magic        = [4]byte{'V', 'E', 'N', 'V'}
	trailerMagic = [4]byte{'V', 'E', 'N', 'D'}
)
