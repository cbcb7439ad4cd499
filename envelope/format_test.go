package envelope

import (
	"os"
	"strings"
	"testing"
)

// TestFormatDocMatchesConstants keeps FORMAT.md and limits.go in step.
func TestFormatDocMatchesConstants(t *testing.T) {
	b, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"| nonce | 16 |", "| key id | 16 |", "1 to 1024", "1 to 8192", "65536 bytes", "65552 bytes",
		"`" + string(magic[:]) + "`", "`" + string(trailerMagic[:]) + "`",
		wrapInfo, payloadKeyInfo, strings.TrimSuffix(transcriptLabel, "\x00"), strings.TrimSuffix(fingerprintLabel, "\x00"), sigContext, strings.TrimSuffix(digestLabel, "\x00"), mnemonicLabel,
		"enc (32) ‖ ct (48) = 80", "enc (1120) ‖ ct (48) = 1168", armorBegin, armorEnd,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("FORMAT.md does not say %q", want)
		}
	}
	if NonceSize != 16 || KeyIDSize != 16 || MaxRecipients != 1024 || MaxStanzaBody != 8192 || ChunkSize != 65536 || chunkCTSize != 65552 {
		t.Error("limits.go changed: update FORMAT.md and this test")
	}
	if X25519.stanzaBodySize() != 80 || XWing.stanzaBodySize() != 1168 || Ed25519.SignatureSize() != 64 || MLDSA65.SignatureSize() != 3309 {
		t.Error("sizes differ from FORMAT.md")
	}
}
