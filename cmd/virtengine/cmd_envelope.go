package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/envelope"
)

func init() { addCommand(newEnvelopeCmd()) }

func newEnvelopeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "envelope",
		Short: "Encrypt, sign, open and re-wrap envelopes (multi-recipient, post-quantum)",
		Long: `Envelopes carry every sensitive datum: only the listed recipients can read them and anyone can
check who sent them. Start with:

  virtengine envelope keygen -o me.key                 # prints your recipient and signer strings
  virtengine envelope seal -r vexw1… --sign me.key -o doc.env doc.pdf
  virtengine envelope open -i me.key --from veed1… -o doc.pdf doc.env

Input is stdin and output stdout unless given; payloads of any size stream in constant memory.`,
	}
	c.AddCommand(newEnvKeygenCmd(), newEnvSealCmd(), newEnvOpenCmd(), newEnvRewrapCmd(), newEnvInspectCmd())
	return c
}

func newEnvKeygenCmd() *cobra.Command {
	var classical, pqSigner, mnemonic, recover bool
	var out string
	c := &cobra.Command{
		Use:   "keygen [-o FILE]",
		Short: "Generate a key file: a decryption identity (X-Wing) and a signing key (Ed25519)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kem, scheme := envelope.XWing, envelope.Ed25519
			if classical {
				kem = envelope.X25519
			}
			if pqSigner {
				scheme = envelope.MLDSA65
			}
			var id *envelope.HPKEIdentity
			var sk *envelope.SigningKey
			var words string
			var err error
			switch {
			case recover:
				b, rerr := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4096))
				if rerr != nil {
					return rerr
				}
				words = string(b)
				if id, sk, err = envelope.KeysFromMnemonic(words, os.Getenv("VIRTENGINE_MNEMONIC_PASSPHRASE"), kem, scheme); err != nil {
					return fmt.Errorf("%w: give the 12 to 24 words on stdin, as keygen --mnemonic printed them (and the same --classical/--pq-signer flags)", err)
				}
				words = ""
			case mnemonic:
				if words, err = envelope.GenerateMnemonic(); err != nil {
					return err
				}
				if id, sk, err = envelope.KeysFromMnemonic(words, os.Getenv("VIRTENGINE_MNEMONIC_PASSPHRASE"), kem, scheme); err != nil {
					return err
				}
			default:
				if id, err = envelope.GenerateIdentity(kem); err != nil {
					return err
				}
				if sk, err = envelope.GenerateSigningKey(scheme); err != nil {
					return err
				}
			}
			file := (&envelope.KeyFile{Identities: []*envelope.HPKEIdentity{id}, Signers: []*envelope.SigningKey{sk}}).Marshal(time.Now())
			pub := map[string]string{
				"recipient": id.Recipient().String(), "signer": sk.Public().String(),
				"recipient_key_id": id.KeyID().String(), "signer_key_id": sk.Public().KeyID().String(),
			}
			if words != "" {
				pub["mnemonic"] = words
				if !jsonOut {
					fmt.Fprintf(cmd.ErrOrStderr(), "Write these words down; 'keygen --recover' re-creates the keys from them:\n%s\n", words)
				}
			}
			if out == "" {
				if jsonOut {
					pub["key_file"] = string(file)
					return writeJSON(cmd.OutOrStdout(), pub)
				}
				_, err := cmd.OutOrStdout().Write(file)
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				if errors.Is(err, os.ErrExist) {
					return fmt.Errorf("%s already exists: keygen never overwrites a key file; choose another -o path", out)
				}
				return err
			}
			if _, err := f.Write(file); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return emit(cmd, pub, func(w io.Writer) {
				fmt.Fprintf(w, "Keys written to %s (keep it secret).\nrecipient: %s\nsigner: %s\n", out, pub["recipient"], pub["signer"])
			})
		},
	}
	c.Flags().BoolVar(&classical, "classical", false, "X25519 instead of X-Wing for decryption (smaller, not post-quantum)")
	c.Flags().BoolVar(&pqSigner, "pq-signer", false, "ML-DSA-65 instead of Ed25519 for signing (post-quantum, 3.3 KB signatures)")
	c.Flags().StringVarP(&out, "output", "o", "", "write the key file here (mode 0600) instead of stdout")
	c.Flags().BoolVar(&mnemonic, "mnemonic", false, "derive the keys from 24 new BIP-39 words and print them (passphrase: $VIRTENGINE_MNEMONIC_PASSPHRASE)")
	c.Flags().BoolVar(&recover, "recover", false, "re-create the keys from BIP-39 words read on stdin")
	c.MarkFlagsMutuallyExclusive("mnemonic", "recover")
	return c
}

func newEnvSealCmd() *cobra.Command {
	var recipients []string
	var signPath, out string
	var armor, anonymous, chacha bool
	c := &cobra.Command{
		Use:   "seal -r RECIPIENT... --sign KEYFILE [-o OUT] [IN]",
		Short: "Encrypt IN (or stdin) for the recipients and sign it",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(recipients) == 0 {
				return errors.New("no recipients: pass -r vexw1… (or vecx1…) once per recipient; 'virtengine envelope keygen' prints a recipient string")
			}
			var rs []envelope.Recipient
			for _, s := range recipients {
				r, err := parseRecipientArg(s)
				if err != nil {
					return err
				}
				rs = append(rs, r)
			}
			if signPath == "" {
				return errors.New("every envelope is signed: pass --sign KEYFILE (create one with 'virtengine envelope keygen -o KEYFILE')")
			}
			kf, err := readKeyFile(signPath)
			if err != nil {
				return err
			}
			if len(kf.Signers) == 0 {
				return fmt.Errorf("%s holds no signing key (VE-SECRET-ED-… or VE-SECRET-MD-…); generate one with 'virtengine envelope keygen'", signPath)
			}
			if jsonOut && out == "" {
				return errors.New("with --json the report goes to stdout: write the envelope to a file with -o")
			}
			in, closeIn, err := openInput(args)
			if err != nil {
				return err
			}
			defer closeIn()
			opts := &envelope.SealOptions{Anonymous: anonymous}
			if chacha {
				opts.AEAD = envelope.ChaCha20Poly1305
			}
			if err := writeOutput(out, func(w io.Writer) error {
				var aw io.WriteCloser
				dst := w
				if armor {
					if aw, err = envelope.NewArmorWriter(w); err != nil {
						return err
					}
					dst = aw
				}
				ew, err := envelope.NewWriter(dst, kf.Signers[0], rs, opts)
				if err != nil {
					return err
				}
				if _, err := io.Copy(ew, in); err != nil {
					return err
				}
				if err := ew.Close(); err != nil {
					return err
				}
				if aw != nil {
					return aw.Close()
				}
				return nil
			}); err != nil {
				return err
			}
			return reportWritten(cmd, out)
		},
	}
	c.Flags().StringArrayVarP(&recipients, "recipient", "r", nil, "recipient public key (vexw1… or vecx1…); repeat for each recipient")
	c.Flags().StringVar(&signPath, "sign", "", "key file holding your signing key")
	c.Flags().StringVarP(&out, "output", "o", "", "write the envelope here instead of stdout")
	c.Flags().BoolVarP(&armor, "armor", "a", false, "write text armor (PEM-like) instead of binary")
	c.Flags().BoolVar(&anonymous, "anonymous", false, "hide the recipients' key ids")
	c.Flags().BoolVar(&chacha, "chacha20", false, "ChaCha20-Poly1305 payload instead of AES-256-GCM (for CPUs without AES instructions)")
	return c
}

func newEnvOpenCmd() *cobra.Command {
	var idPaths, from []string
	var out string
	c := &cobra.Command{
		Use:   "open -i IDENTITY [--from SENDER] [-o OUT] [IN]",
		Short: "Decrypt IN (or stdin), verify the sender's signature and report who signed",
		Long: `Decrypt an envelope and verify its signature. Without --from, any valid signature is accepted and
the signer is reported; with --from, only those senders are.

The payload streams: when writing to stdout, bytes before the last chunk are written before the
signature is checked at the end; on failure the command exits non-zero and the output must be
discarded. With -o, the file appears only if everything verified.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyringFrom(idPaths)
			if err != nil {
				return err
			}
			opts := &envelope.OpenOptions{}
			for _, s := range from {
				v, err := envelope.ParseVerifyingKey(s)
				if err != nil {
					return fmt.Errorf("--from %.16s…: %w (want the signer string printed by keygen, veed1… or vemd1…)", s, err)
				}
				opts.Senders = append(opts.Senders, v)
			}
			if jsonOut && out == "" {
				return errors.New("with --json the report goes to stdout: write the plaintext to a file with -o")
			}
			in, closeIn, err := openInput(args)
			if err != nil {
				return err
			}
			defer closeIn()
			var signer *envelope.VerifyingKey
			var n int64
			err = writeOutput(out, func(w io.Writer) error {
				r, err := envelope.NewReader(maybeDearmor(in), kr, opts)
				if err != nil {
					return explainOpen(err)
				}
				if n, err = io.Copy(w, r); err != nil {
					return explainOpen(err)
				}
				signer = r.Signer()
				return nil
			})
			if err != nil {
				return err
			}
			report := map[string]any{"signer": signer.String(), "signer_key_id": signer.KeyID().String(), "bytes": n, "verified": true}
			if jsonOut {
				return writeJSON(cmd.OutOrStdout(), report)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "signed by %s (key id %s), %d bytes\n", abbreviate(signer.String()), signer.KeyID(), n)
			return nil
		},
	}
	c.Flags().StringArrayVarP(&idPaths, "identity", "i", nil, "key file with your decryption identity; repeat to try several")
	c.Flags().StringArrayVar(&from, "from", nil, "accept only this sender (veed1… or vemd1…); repeat to allow several")
	c.Flags().StringVarP(&out, "output", "o", "", "write the plaintext here instead of stdout")
	return c
}

func newEnvRewrapCmd() *cobra.Command {
	var idPaths, add, remove []string
	var signPath, out string
	c := &cobra.Command{
		Use:   "rewrap -i IDENTITY [--add R]... [--remove R]... [-o OUT] [IN]",
		Short: "Add or remove recipients by rewriting only the header (the payload is copied, not decrypted)",
		Long: `Add or remove recipients. The payload is neither decrypted nor re-encrypted; the new header is
signed with --sign (default: the signing key in the identity file) and names you as the sender.
A removed recipient who kept the old envelope can still read that copy.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(add)+len(remove) == 0 {
				return errors.New("nothing to do: pass --add RECIPIENT and/or --remove RECIPIENT")
			}
			kr, err := keyringFrom(idPaths)
			if err != nil {
				return err
			}
			if signPath == "" && len(idPaths) > 0 {
				signPath = idPaths[0]
			}
			kf, err := readKeyFile(signPath)
			if err != nil {
				return err
			}
			if len(kf.Signers) == 0 {
				return fmt.Errorf("%s holds no signing key: pass --sign KEYFILE", signPath)
			}
			opts := envelope.RewrapOptions{Identity: kr, Signer: kf.Signers[0]}
			for _, s := range add {
				r, err := parseRecipientArg(s)
				if err != nil {
					return err
				}
				opts.Add = append(opts.Add, r)
			}
			for _, s := range remove {
				id, err := parseKeyIDArg(s)
				if err != nil {
					return err
				}
				opts.Remove = append(opts.Remove, id)
			}
			if jsonOut && out == "" {
				return errors.New("with --json the report goes to stdout: write the envelope to a file with -o")
			}
			in, closeIn, err := openInput(args)
			if err != nil {
				return err
			}
			defer closeIn()
			if err := writeOutput(out, func(w io.Writer) error {
				return explainOpen(envelope.Rewrap(w, maybeDearmor(in), opts))
			}); err != nil {
				return err
			}
			return reportWritten(cmd, out)
		},
	}
	c.Flags().StringArrayVarP(&idPaths, "identity", "i", nil, "key file with a current recipient's identity")
	c.Flags().StringArrayVar(&add, "add", nil, "recipient to add (vexw1… or vecx1…)")
	c.Flags().StringArrayVar(&remove, "remove", nil, "recipient to remove (its vexw1…/vecx1… string or its 32-hex-digit key id)")
	c.Flags().StringVar(&signPath, "sign", "", "key file with the signing key for the new header (default: the -i file)")
	c.Flags().StringVarP(&out, "output", "o", "", "write the envelope here instead of stdout")
	return c
}

func newEnvInspectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect [IN]",
		Short: "Show an envelope's suites, recipient key ids, claimed signer and sizes, without keys",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, closeIn, err := openInput(args)
			if err != nil {
				return err
			}
			defer closeIn()
			info, err := envelope.Inspect(maybeDearmor(in))
			if err != nil {
				return fmt.Errorf("not a valid envelope: %w", err)
			}
			return emit(cmd, info, func(w io.Writer) {
				fmt.Fprintf(w, "envelope v%d, %v payload, %v signature\n", info.Version, info.AEAD, info.Signature)
				fmt.Fprintf(w, "signer (unverified; 'open' checks it): %s\n  key id %s\n", abbreviate(info.Signer), info.SignerID)
				mode := "named"
				if info.Anonymous {
					mode = "anonymous"
				}
				fmt.Fprintf(w, "%d recipients (%s):\n", len(info.Recipients), mode)
				for _, r := range info.Recipients {
					id := r.KeyID
					if id == "" {
						id = "(hidden)"
					}
					fmt.Fprintf(w, "  %-28v %s\n", r.Type, id)
				}
				s := info.Sizes
				fmt.Fprintf(w, "sizes: header %d, payload %d in %d chunks, trailer %d; plaintext %d bytes\n", s.Header, s.Payload, s.Chunks, s.Trailer, s.Plaintext)
			})
		},
	}
}

// parseRecipientArg accepts a recipient string or a key file (whose identities' public keys are used).
func parseRecipientArg(s string) (envelope.Recipient, error) {
	r, err := envelope.ParseRecipient(s)
	if err == nil {
		return r, nil
	}
	if kf, ferr := readKeyFile(s); ferr == nil && len(kf.Identities) > 0 {
		return kf.Identities[0].Recipient(), nil
	}
	return nil, fmt.Errorf("recipient %s: %w (want a vexw1…/vecx1… string from 'virtengine envelope keygen')", abbreviate(s), err)
}

func parseKeyIDArg(s string) (envelope.KeyID, error) {
	var id envelope.KeyID
	if b, err := hex.DecodeString(s); err == nil && len(b) == envelope.KeyIDSize {
		copy(id[:], b)
		return id, nil
	}
	r, err := envelope.ParseRecipient(s)
	if err != nil {
		return id, fmt.Errorf("--remove %s: want a recipient string or a key id from 'virtengine envelope inspect': %w", abbreviate(s), err)
	}
	return r.KeyID(), nil
}

func readKeyFile(path string) (*envelope.KeyFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w (create one with 'virtengine envelope keygen -o FILE')", err)
	}
	defer f.Close()
	kf, err := envelope.ParseKeyFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kf, nil
}

func keyringFrom(paths []string) (*envelope.Keyring, error) {
	if len(paths) == 0 {
		return nil, errors.New("no identity: pass -i KEYFILE (the file 'virtengine envelope keygen -o' wrote)")
	}
	kr := envelope.NewKeyring()
	for _, p := range paths {
		kf, err := readKeyFile(p)
		if err != nil {
			return nil, err
		}
		for _, id := range kf.Identities {
			kr.Add(id)
		}
	}
	if kr.Len() == 0 {
		return nil, fmt.Errorf("%s holds no decryption identity (VE-SECRET-XW-… or VE-SECRET-CX-…)", strings.Join(paths, ", "))
	}
	return kr, nil
}

func explainOpen(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, envelope.ErrNotRecipient):
		return fmt.Errorf("%w: this envelope is not addressed to the given identity; 'virtengine envelope inspect' lists its recipients' key ids", err)
	case errors.Is(err, envelope.ErrWrongSigner):
		return fmt.Errorf("%w: drop --from to see who signed it, and decide whether to trust that key", err)
	case errors.Is(err, envelope.ErrBadSignature), errors.Is(err, envelope.ErrChunkAuth), errors.Is(err, envelope.ErrTruncated), errors.Is(err, envelope.ErrTrailingData):
		return fmt.Errorf("%w: the envelope was altered or damaged in transit; discard any output and ask the sender for a new copy", err)
	}
	return err
}

// openInput returns the named file or stdin.
func openInput(args []string) (io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return bufio.NewReaderSize(os.Stdin, 256<<10), func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, err
	}
	return bufio.NewReaderSize(f, 256<<10), func() { f.Close() }, nil
}

// maybeDearmor looks at the first bytes and removes text armor if present.
func maybeDearmor(r io.Reader) io.Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	if b, _ := br.Peek(len("-----BEGIN VIRTENGINE ENVELOPE-----")); envelope.IsArmored(b) {
		return envelope.NewArmorReader(br)
	}
	return br
}

// writeOutput runs fn on stdout or on a temporary file renamed to path only if fn succeeds, so a
// failed open never leaves a plausible-looking plaintext file behind.
func writeOutput(path string, fn func(io.Writer) error) error {
	if path == "" || path == "-" {
		w := bufio.NewWriterSize(os.Stdout, 256<<10)
		if err := fn(w); err != nil {
			w.Flush()
			return err
		}
		return w.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 256<<10)
	if err := fn(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-12:]
	}
	return s
}

// reportWritten prints, with --json, what seal or rewrap wrote to path: the file and the
// envelope's inspection (suites, recipient key ids, signer, sizes). Without --json it prints nothing:
// the envelope itself is the output.
func reportWritten(cmd *cobra.Command, path string) error {
	if !jsonOut {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := envelope.Inspect(maybeDearmor(f))
	if err != nil {
		return fmt.Errorf("inspect %s: %w", path, err)
	}
	return writeJSON(cmd.OutOrStdout(), map[string]any{"output": path, "envelope": info})
}
