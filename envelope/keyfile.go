package envelope

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// KeyFile is the text file a person keeps (FORMAT.md §5.2): secret keys one per line, "#" comments.
// It holds decryption identities and signing keys; the CLI's keygen writes one of each.
type KeyFile struct {
	Identities []*HPKEIdentity
	Signers    []*SigningKey
}

// ParseKeyFile reads a key file. Unknown secret key kinds are an error, so a typo is never ignored.
func ParseKeyFile(r io.Reader) (*KeyFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxKeyFileLine)
	kf := &KeyFile{}
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		upper := strings.ToUpper(l)
		switch {
		case strings.HasPrefix(upper, "VE-SECRET-XW-1"), strings.HasPrefix(upper, "VE-SECRET-CX-1"):
			id, err := ParseIdentity(l)
			if err != nil {
				return nil, fmt.Errorf("key file line %d: %w", line, err)
			}
			kf.Identities = append(kf.Identities, id)
		case strings.HasPrefix(upper, "VE-SECRET-ED-1"), strings.HasPrefix(upper, "VE-SECRET-MD-1"):
			k, err := ParseSigningKey(l)
			if err != nil {
				return nil, fmt.Errorf("key file line %d: %w", line, err)
			}
			kf.Signers = append(kf.Signers, k)
		default:
			return nil, fmt.Errorf("key file line %d: %w", line, &KeyError{Kind: "key file", Reason: "not a VE-SECRET-… key or a # comment"})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: key file: %v", ErrInvalidKey, err)
	}
	if len(kf.Identities)+len(kf.Signers) == 0 {
		return nil, &KeyError{Kind: "key file", Reason: "no keys in it"}
	}
	return kf, nil
}

// Keyring returns the file's identities as one Identity.
func (kf *KeyFile) Keyring() *Keyring {
	k := NewKeyring()
	for _, id := range kf.Identities {
		k.Add(id)
	}
	return k
}

// Marshal writes the file: for each key a comment with its public string, then the secret.
func (kf *KeyFile) Marshal(created time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# VirtEngine envelope keys, created %s\n", created.UTC().Format(time.RFC3339))
	for _, id := range kf.Identities {
		fmt.Fprintf(&b, "# recipient: %s\n%s\n", id.Recipient(), id.SecretString())
	}
	for _, k := range kf.Signers {
		fmt.Fprintf(&b, "# signer: %s\n%s\n", k.Public(), k.SecretString())
	}
	return []byte(b.String())
}
