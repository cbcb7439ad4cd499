package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/zk"
)

func init() { addCommand(newZKCmd()) }

func newZKCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "zk",
		Short: "Zero-knowledge credentials: keys, issuance, requests, proofs, verification",
		Long: `Selective-disclosure proofs over identity credentials (circuit ` + zk.CircuitVersion + `).

A typical local run:
  virtengine zk setup --dir keys                       # UNSAFE development keys
  virtengine zk keygen issuer --out issuer.key
  virtengine zk keygen holder --out holder.secret
  virtengine zk issue --issuer-key issuer.key --holder-secret holder.secret \
      --birth-date 1990-05-17 --country 276 --score 82 --tier 2 --flags email,document \
      --registry revocations.json --out cred.json
  virtengine zk request --audience https://shop.example --issuer-pub <0x…> --min-age 18 \
      --not-expired --countries 276,250 --min-score 70 --registry revocations.json --out req.json
  virtengine zk prove --pk keys/` + zk.CircuitVersion + `.groth16.pk --request req.json --credential cred.json \
      --holder-secret holder.secret --registry revocations.json --out pres.json
  virtengine zk verify --vk keys/` + zk.CircuitVersion + `.groth16.vk --request req.json --presentation pres.json --allow-unsafe

Country sets: --countries lists up to 16 codes inline; a longer list (up to 256, or --country-set-file)
becomes a Merkle-root set that the wallet proves a path into (zk country-set prints its root).`,
	}
	c.AddCommand(newZKSetupCmd(), newZKKeygenCmd(), newZKIssueCmd(), newZKRevokeCmd(), newZKRequestCmd(),
		newZKProveCmd(), newZKVerifyCmd(), newZKBenchCmd(), newZKCountrySetCmd())
	return c
}

func zkReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w (check the path)", err)
	}
	return json.Unmarshal(b, v)
}

func zkWriteFile(path string, b []byte, secret bool) error {
	mode := os.FileMode(0o644)
	if secret {
		mode = 0o600
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b, mode)
}

func zkDate(s string) (uint32, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: use YYYY-MM-DD", s)
	}
	return zk.DayOf(t), nil
}

func zkFlags(s string) (uint8, error) {
	names := map[string]uint8{"email": zk.FlagEmail, "sms": zk.FlagSMS, "domain": zk.FlagDomain,
		"biometric": zk.FlagBiometric, "document": zk.FlagDocument}
	var f uint8
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		v, ok := names[n]
		if !ok {
			return 0, fmt.Errorf("unknown flag %q: use email, sms, domain, biometric, document", n)
		}
		f |= v
	}
	return f, nil
}

// zkLoadRegistry reads a revocation registry, or returns an empty one if the file does not exist.
func zkLoadRegistry(path string) (*zk.RevocationTree, error) {
	t := zk.NewRevocationTree()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	if err := t.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("revocation registry %s: %w", path, err)
	}
	return t, nil
}

func zkSaveRegistry(path string, t *zk.RevocationTree) error {
	b, err := t.MarshalJSON()
	if err != nil {
		return err
	}
	return zkWriteFile(path, append(b, '\n'), false)
}

func zkKeyPaths(dir string, b zk.Backend) (pk, vk string) {
	base := filepath.Join(dir, zk.CircuitVersion+"."+string(b))
	return base + ".pk", base + ".vk"
}

func newZKSetupCmd() *cobra.Command {
	var dir, backend, solidity string
	c := &cobra.Command{
		Use:   "setup",
		Short: "Generate UNSAFE development keys for " + zk.CircuitVersion + " (production: setup ceremony …)",
		Long: `setup runs a development setup whose trapdoor this process knows: anyone who ran it can forge
proofs. The keys are marked UNSAFE and verifiers refuse them unless --allow-unsafe. For production keys
run the multi-party ceremony: virtengine zk setup ceremony -h.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := zk.Backend(backend)
			t0 := time.Now()
			pk, vk, err := zk.SetupUnsafe(b)
			if err != nil {
				return err
			}
			ms := time.Since(t0).Milliseconds()
			pkPath, vkPath := zkKeyPaths(dir, b)
			if err := zkWriteKeys(pkPath, vkPath, pk, vk); err != nil {
				return err
			}
			if solidity != "" {
				var buf bytes.Buffer
				if err := zk.ExportSolidity(&buf, vk, true); err != nil {
					return err
				}
				if err := zkWriteFile(solidity, buf.Bytes(), false); err != nil {
					return err
				}
			}
			n, _ := zk.ConstraintCount(b)
			out := map[string]any{"circuit": zk.CircuitVersion, "backend": b, "unsafe": true, "proving_key": pkPath,
				"verifying_key": vkPath, "constraints": n, "setup_ms": ms, "solidity": solidity}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "WARNING: UNSAFE development setup (the trapdoor was in this process). Do not use in production.\n")
				fmt.Fprintf(w, "%s %s, %d constraints, setup %d ms\n  proving key   %s\n  verifying key %s\n", zk.CircuitVersion, b, n, ms, pkPath, vkPath)
				if solidity != "" {
					fmt.Fprintf(w, "  solidity      %s (UNSAFE: do not deploy)\n", solidity)
				}
			})
		},
	}
	c.Flags().StringVar(&dir, "dir", "zk-keys", "directory for the key files")
	c.Flags().StringVar(&backend, "backend", string(zk.Groth16), "groth16 or plonk")
	c.Flags().StringVar(&solidity, "solidity", "", "also write a Solidity verifier contract (groth16) to this file")
	c.AddCommand(newZKCeremonyCmd())
	return c
}

func zkWriteKeys(pkPath, vkPath string, pk *zk.ProvingKey, vk *zk.VerifyingKey) error {
	pb, err := pk.MarshalBinary()
	if err != nil {
		return err
	}
	vb, err := vk.MarshalBinary()
	if err != nil {
		return err
	}
	if err := zkWriteFile(pkPath, pb, false); err != nil {
		return err
	}
	return zkWriteFile(vkPath, vb, false)
}

func newZKCeremonyCmd() *cobra.Command {
	var out, beacon, srsPath, dir string
	c := &cobra.Command{
		Use:   "ceremony",
		Short: "Multi-party Groth16 setup: phase1-init, phase1-contribute, phase1-verify, phase2-init, phase2-contribute, finalize",
		Long: `The ceremony produces production keys that are sound if one contributor per phase was honest.
  virtengine zk setup ceremony phase1-init --out p1.0
  virtengine zk setup ceremony phase1-contribute p1.0 --out p1.1      # each participant, in turn
  virtengine zk setup ceremony phase1-verify p1.1 p1.2 p1.3 --beacon <hex> --out srs
  virtengine zk setup ceremony phase2-init --srs srs --out p2.0
  virtengine zk setup ceremony phase2-contribute p2.0 --out p2.1     # each participant, in turn
  virtengine zk setup ceremony finalize p2.1 p2.2 p2.3 --srs srs --beacon <hex> --dir keys
The beacon is a public random value fixed after the last contribution (e.g. a drand round).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			step, files := args[0], args[1:]
			readP1 := func(p string) (*zk.Phase1, error) {
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				var s zk.Phase1
				return &s, s.UnmarshalBinary(b)
			}
			readP2 := func(p string) (*zk.Phase2, error) {
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, err
				}
				var s zk.Phase2
				return &s, s.UnmarshalBinary(b)
			}
			readSRS := func() (*zk.Phase1Result, error) {
				b, err := os.ReadFile(srsPath)
				if err != nil {
					return nil, fmt.Errorf("%w (pass --srs, the output of phase1-verify)", err)
				}
				var s zk.Phase1Result
				return &s, s.UnmarshalBinary(b)
			}
			save := func(m interface{ MarshalBinary() ([]byte, error) }) error {
				if out == "" {
					return errors.New("pass --out for the new state")
				}
				b, err := m.MarshalBinary()
				if err != nil {
					return err
				}
				return zkWriteFile(out, b, false)
			}
			beaconBytes, err := hex.DecodeString(beacon)
			if err != nil {
				return fmt.Errorf("--beacon must be hex: %w", err)
			}
			done := func(msg string) error {
				return emit(cmd, map[string]any{"step": step, "out": out, "ok": true}, func(w io.Writer) { fmt.Fprintln(w, msg) })
			}
			switch step {
			case "phase1-init":
				p, err := zk.StartPhase1()
				if err != nil {
					return err
				}
				return errors.Join(save(p), done("phase 1 initial state written to "+out))
			case "phase1-contribute", "phase2-contribute":
				if len(files) != 1 {
					return errors.New("give the previous state file")
				}
				var next interface{ MarshalBinary() ([]byte, error) }
				if step == "phase1-contribute" {
					p, err := readP1(files[0])
					if err != nil {
						return err
					}
					if next, err = p.Contribute(); err != nil {
						return err
					}
				} else {
					p, err := readP2(files[0])
					if err != nil {
						return err
					}
					if next, err = p.Contribute(); err != nil {
						return err
					}
				}
				if err := save(next); err != nil {
					return err
				}
				return done("contribution written to " + out + "; your randomness is gone, pass the file on")
			case "phase1-verify":
				var ps []*zk.Phase1
				for _, f := range files {
					p, err := readP1(f)
					if err != nil {
						return fmt.Errorf("%s: %w", f, err)
					}
					ps = append(ps, p)
				}
				srs, err := zk.VerifyPhase1(beaconBytes, ps...)
				if err != nil {
					return err
				}
				if err := save(srs); err != nil {
					return err
				}
				return done(fmt.Sprintf("%d phase 1 contributions verified; sealed SRS written to %s", len(ps), out))
			case "phase2-init":
				srs, err := readSRS()
				if err != nil {
					return err
				}
				p, err := zk.StartPhase2(srs)
				if err != nil {
					return err
				}
				if err := save(p); err != nil {
					return err
				}
				return done("phase 2 initial state written to " + out)
			case "finalize":
				srs, err := readSRS()
				if err != nil {
					return err
				}
				var ps []*zk.Phase2
				for _, f := range files {
					p, err := readP2(f)
					if err != nil {
						return fmt.Errorf("%s: %w", f, err)
					}
					ps = append(ps, p)
				}
				pk, vk, err := zk.FinalizeCeremony(srs, beaconBytes, ps...)
				if err != nil {
					return err
				}
				pkPath, vkPath := zkKeyPaths(dir, zk.Groth16)
				if err := zkWriteKeys(pkPath, vkPath, pk, vk); err != nil {
					return err
				}
				out = vkPath
				return done(fmt.Sprintf("%d phase 2 contributions verified; keys written to %s and %s", len(ps), pkPath, vkPath))
			}
			return fmt.Errorf("unknown step %q: see virtengine zk setup ceremony -h", step)
		},
	}
	c.Flags().StringVar(&out, "out", "", "file for the new state")
	c.Flags().StringVar(&beacon, "beacon", "", "public random beacon, hex (phase1-verify, finalize)")
	c.Flags().StringVar(&srsPath, "srs", "", "sealed phase 1 output (phase2-init, finalize)")
	c.Flags().StringVar(&dir, "dir", "zk-keys", "directory for the final keys (finalize)")
	return c
}

func newZKKeygenCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:       "keygen issuer|holder",
		Short:     "Generate an issuer signing key or a holder secret",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"issuer", "holder"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("pass --out for the secret file")
			}
			var pub string
			switch args[0] {
			case "issuer":
				k, err := zk.GenerateIssuerKey(nil)
				if err != nil {
					return err
				}
				if err := zkWriteFile(out, []byte(hex.EncodeToString(k.Bytes())+"\n"), true); err != nil {
					return err
				}
				pub = k.Public().String()
			case "holder":
				h, err := zk.GenerateHolderSecret(nil)
				if err != nil {
					return err
				}
				if err := zkWriteFile(out, []byte(h.Scalar().String()+"\n"), true); err != nil {
					return err
				}
				pub = h.PublicKey().String()
			default:
				return fmt.Errorf("unknown key kind %q: use issuer or holder", args[0])
			}
			return emit(cmd, map[string]string{"kind": args[0], "secret_file": out, "public": pub}, func(w io.Writer) {
				fmt.Fprintf(w, "%s secret written to %s (keep it private)\npublic: %s\n", args[0], out, pub)
			})
		},
	}
	c.Flags().StringVar(&out, "out", "", "file for the secret (mode 0600)")
	return c
}

func zkReadIssuerKey(path string) (*zk.IssuerPrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (create one with: virtengine zk keygen issuer --out %s)", err, path)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("issuer key %s: %w", path, err)
	}
	return zk.ParseIssuerPrivateKey(raw)
}

func zkReadHolder(path string) (*zk.HolderSecret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (create one with: virtengine zk keygen holder --out %s)", err, path)
	}
	var s zk.Scalar
	if err := s.UnmarshalText([]byte(strings.TrimSpace(string(b)))); err != nil {
		return nil, fmt.Errorf("holder secret %s: %w", path, err)
	}
	return zk.HolderSecretFromScalar(s)
}

func newZKIssueCmd() *cobra.Command {
	var issuerKey, holderPath, birth, issued, flags, registry, out string
	var country, score, tier, validDays int
	c := &cobra.Command{
		Use:   "issue",
		Short: "Issue a signed credential to a holder",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := zkReadIssuerKey(issuerKey)
			if err != nil {
				return err
			}
			h, err := zkReadHolder(holderPath)
			if err != nil {
				return err
			}
			bd, err := zkDate(birth)
			if err != nil {
				return fmt.Errorf("--birth-date: %w", err)
			}
			iss := zk.DayOf(time.Now())
			if issued != "" {
				if iss, err = zkDate(issued); err != nil {
					return fmt.Errorf("--issued: %w", err)
				}
			}
			fl, err := zkFlags(flags)
			if err != nil {
				return err
			}
			if country < 0 || country > 0xffff || score < 0 || score > 255 || tier < 0 || tier > 255 || validDays <= 0 {
				return errors.New("--country, --score, --tier and --valid-days must be small non-negative integers")
			}
			tree, err := zkLoadRegistry(registry)
			if err != nil {
				return err
			}
			slot, err := tree.Allocate()
			if err != nil {
				return err
			}
			cred, err := zk.Issue(k, zk.Attributes{BirthDate: bd, Country: uint16(country), Score: uint8(score),
				Tier: uint8(tier), Flags: fl, IssuedAt: iss, ExpiresAt: iss + uint32(validDays),
				RevocationIndex: slot, HolderKey: h.PublicKey()}, nil)
			if err != nil {
				return err
			}
			b, _ := zk.MarshalCredential(cred)
			if err := zkWriteFile(out, append(b, '\n'), true); err != nil {
				return err
			}
			if err := zkSaveRegistry(registry, tree); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"credential": out, "issuer": cred.Issuer, "revocation_index": slot,
				"expires_at": zk.DayDate(cred.Attributes.ExpiresAt).Format(time.DateOnly)}, func(w io.Writer) {
				fmt.Fprintf(w, "credential written to %s (revocation slot %d, expires %s)\n", out, slot, zk.DayDate(cred.Attributes.ExpiresAt).Format(time.DateOnly))
			})
		},
	}
	f := c.Flags()
	f.StringVar(&issuerKey, "issuer-key", "issuer.key", "issuer secret key file")
	f.StringVar(&holderPath, "holder-secret", "holder.secret", "holder secret file (only its public key is used)")
	f.StringVar(&birth, "birth-date", "", "date of birth, YYYY-MM-DD")
	f.StringVar(&issued, "issued", "", "issuance date, YYYY-MM-DD (default today)")
	f.IntVar(&validDays, "valid-days", 365, "validity in days")
	f.IntVar(&country, "country", 0, "ISO 3166-1 numeric country code (e.g. 276 Germany)")
	f.IntVar(&score, "score", 0, "identity score 0–100")
	f.IntVar(&tier, "tier", 0, "identity tier 0–3")
	f.StringVar(&flags, "flags", "", "verified factors: email,sms,domain,biometric,document")
	f.StringVar(&registry, "registry", "revocations.json", "issuer revocation registry (created if missing)")
	f.StringVar(&out, "out", "credential.json", "credential file")
	_ = c.MarkFlagRequired("birth-date")
	_ = c.MarkFlagRequired("country")
	return c
}

func newZKRevokeCmd() *cobra.Command {
	var registry string
	var index int64
	c := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke a credential's slot and print the new root with its update proof",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if index < 0 || index > zk.MaxRangeValue {
				return errors.New("--index must be a revocation slot (0–4294967295)")
			}
			tree, err := zkLoadRegistry(registry)
			if err != nil {
				return err
			}
			u, err := tree.Revoke(uint32(index))
			if err != nil {
				return err
			}
			if err := zkSaveRegistry(registry, tree); err != nil {
				return err
			}
			return emit(cmd, u, func(w io.Writer) {
				fmt.Fprintf(w, "slot %d revoked\nold root %s\nnew root %s (publish it; verifiers pass it to zk request --revocation-root)\n", u.Index, u.OldRoot, u.NewRoot)
			})
		},
	}
	c.Flags().StringVar(&registry, "registry", "revocations.json", "issuer revocation registry")
	c.Flags().Int64Var(&index, "index", -1, "revocation slot of the credential")
	return c
}

// zkCountryCodes parses ISO 3166-1 numeric codes separated by commas, spaces or new lines; '#'
// starts a comment that runs to the end of the line.
func zkCountryCodes(s string) ([]uint16, error) {
	var out []uint16
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			n, err := strconv.ParseUint(f, 10, 16)
			if err != nil || n == 0 || n > zk.MaxCountryCode {
				return nil, fmt.Errorf("%q is not an ISO 3166-1 numeric code (1–%d)", f, zk.MaxCountryCode)
			}
			out = append(out, uint16(n))
		}
	}
	return out, nil
}

// zkCountryArgs reads the country codes of --countries / --country-set-file style flags.
func zkCountryArgs(list, file string) ([]uint16, error) {
	codes, err := zkCountryCodes(list)
	if err != nil {
		return nil, err
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		more, err := zkCountryCodes(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		codes = append(codes, more...)
	}
	return codes, nil
}

func newZKCountrySetCmd() *cobra.Command {
	var codes, file string
	var country int
	c := &cobra.Command{
		Use:   "country-set",
		Short: "Print the Merkle root of a country set (and a country's path into it)",
		Long: `country-set builds the 4-ary Merkle tree of a set of up to 256 ISO 3166-1 numeric codes, the
form a request's country_set takes in the circuit, and prints its root. With --country it also prints
that country's membership path (what a wallet proves, privately).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := zkCountryArgs(codes, file)
			if err != nil {
				return err
			}
			t, err := zk.NewCountryTree(set)
			if err != nil {
				return err
			}
			out := map[string]any{"countries": t.Codes(), "root": t.Root()}
			if country > 0 {
				if country > zk.MaxCountryCode {
					return fmt.Errorf("--country %d is not an ISO 3166-1 numeric code", country)
				}
				p, err := t.Path(uint16(country))
				if err != nil {
					return err
				}
				out["country"], out["path"] = country, p
			}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "%d countries, root %s\n", len(t.Codes()), t.Root())
				if p, ok := out["path"]; ok {
					b, _ := json.Marshal(p)
					fmt.Fprintf(w, "path of %d: %s\n", country, b)
				}
			})
		},
	}
	c.Flags().StringVar(&codes, "countries", "", "ISO 3166-1 numeric codes, comma-separated")
	c.Flags().StringVar(&file, "countries-file", "", "file of ISO 3166-1 numeric codes (commas, spaces or lines; # comments)")
	c.Flags().IntVar(&country, "country", 0, "also print this country's membership path")
	return c
}

func newZKRequestCmd() *cobra.Command {
	var audience, today, countries, countrySetFile, flags, disclose, registry, root, out string
	var issuers []string
	var minAge, minScore int
	var notExpired, holder, nullifier, countryMerkle bool
	var validFor time.Duration
	c := &cobra.Command{
		Use:   "request",
		Short: "Create a presentation request (the relying party's side)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			day := zk.DayOf(time.Now())
			var err error
			if today != "" {
				if day, err = zkDate(today); err != nil {
					return fmt.Errorf("--today: %w", err)
				}
			}
			var accepted []zk.IssuerPublicKey
			for _, s := range issuers {
				var k zk.IssuerPublicKey
				if err := k.UnmarshalText([]byte(s)); err != nil {
					return fmt.Errorf("--issuer-pub: %w (it is printed by zk keygen issuer)", err)
				}
				accepted = append(accepted, k)
			}
			req, err := zk.NewRequest(audience, day, accepted...)
			if err != nil {
				return err
			}
			req.MinAge, req.NotExpired, req.HolderBinding, req.Nullifier = minAge, notExpired, holder, nullifier
			if validFor > 0 {
				req.ValidUntil = time.Now().Add(validFor).Unix()
			}
			if minScore > 0 {
				v := uint32(minScore)
				req.Ranges = append(req.Ranges, zk.Range{Attribute: "score", Min: &v})
			}
			codes, err := zkCountryArgs(countries, countrySetFile)
			if err != nil {
				return fmt.Errorf("--countries: %w", err)
			}
			// up to 16 codes go inline as public inputs; a longer list (or --country-merkle, or a
			// file) becomes a Merkle-root set
			if len(codes) > zk.MaxCountrySet || countryMerkle || countrySetFile != "" {
				req.CountrySet = codes
			} else {
				req.Countries = codes
			}
			if req.RequiredFlags, err = zkFlags(flags); err != nil {
				return err
			}
			for _, s := range strings.Split(disclose, ",") {
				if s = strings.TrimSpace(s); s != "" {
					req.Disclose = append(req.Disclose, s)
				}
			}
			switch {
			case root != "":
				var r zk.Scalar
				if err := r.UnmarshalText([]byte(root)); err != nil {
					return fmt.Errorf("--revocation-root: %w", err)
				}
				req.RevocationRoot = &r
			case registry != "":
				tree, err := zkLoadRegistry(registry)
				if err != nil {
					return err
				}
				r := tree.Root()
				req.RevocationRoot = &r
			}
			if err := req.Validate(); err != nil {
				return err
			}
			b, _ := json.MarshalIndent(req, "", "  ")
			if err := zkWriteFile(out, append(b, '\n'), false); err != nil {
				return err
			}
			return emit(cmd, req, func(w io.Writer) {
				fmt.Fprintf(w, "request written to %s (nonce %s)\n", out, req.Nonce)
				if r, ok := req.CountrySetRoot(); ok {
					fmt.Fprintf(w, "country set of %d (Merkle root %s)\n", len(req.CountrySet), r)
				}
			})
		},
	}
	f := c.Flags()
	f.StringVar(&audience, "audience", "", "who verifies (origin, DID or client id)")
	f.StringVar(&today, "today", "", "verifier's date, YYYY-MM-DD (default today)")
	f.StringArrayVar(&issuers, "issuer-pub", nil, "accepted issuer public key (repeatable)")
	f.IntVar(&minAge, "min-age", 0, "require age ≥ N years")
	f.IntVar(&minScore, "min-score", 0, "require score ≥ N")
	f.BoolVar(&notExpired, "not-expired", true, "require the credential to be valid today")
	f.StringVar(&countries, "countries", "", "accepted countries, ISO 3166-1 numeric, comma-separated (≤ 16 inline; more become a Merkle-root set of ≤ 256)")
	f.StringVar(&countrySetFile, "country-set-file", "", "accepted countries from a file (commas, spaces or lines; # comments), as a Merkle-root set")
	f.BoolVar(&countryMerkle, "country-merkle", false, "use the Merkle-root mode even for 16 countries or fewer")
	f.StringVar(&flags, "flags", "", "required verified factors: email,sms,domain,biometric,document")
	f.StringVar(&disclose, "disclose", "", "attributes to reveal, comma-separated (e.g. tier,country)")
	f.BoolVar(&holder, "holder", true, "require holder binding")
	f.BoolVar(&nullifier, "nullifier", false, "ask for a per-audience nullifier")
	f.StringVar(&registry, "registry", "", "take the revocation root from this issuer registry")
	f.StringVar(&root, "revocation-root", "", "accepted revocation root (0x…)")
	f.DurationVar(&validFor, "valid-for", 10*time.Minute, "how long the request may be answered")
	f.StringVar(&out, "out", "request.json", "request file")
	_ = c.MarkFlagRequired("audience")
	return c
}

func newZKProveCmd() *cobra.Command {
	var pkPath, reqPath, credPath, holderPath, registry, pathFile, out string
	c := &cobra.Command{
		Use:   "prove",
		Short: "Answer a request with a zero-knowledge presentation (the wallet's side)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pb, err := os.ReadFile(pkPath)
			if err != nil {
				return fmt.Errorf("%w (create keys with: virtengine zk setup)", err)
			}
			var pk zk.ProvingKey
			if err := pk.UnmarshalBinary(pb); err != nil {
				return err
			}
			req, err := readZKRequest(reqPath)
			if err != nil {
				return err
			}
			cb, err := os.ReadFile(credPath)
			if err != nil {
				return err
			}
			cred, err := zk.ParseCredential(cb)
			if err != nil {
				return err
			}
			var holder *zk.HolderSecret
			if holderPath != "" {
				if holder, err = zkReadHolder(holderPath); err != nil {
					return err
				}
			}
			var rev *zk.RevocationPath
			switch {
			case pathFile != "":
				rev = new(zk.RevocationPath)
				if err := zkReadJSON(pathFile, rev); err != nil {
					return err
				}
			case registry != "":
				tree, err := zkLoadRegistry(registry)
				if err != nil {
					return err
				}
				p := tree.Path(cred.Attributes.RevocationIndex)
				rev = &p
			}
			t0 := time.Now()
			pres, err := zk.Prove(&pk, req, cred, holder, rev)
			if err != nil {
				var ue *zk.UnsatisfiedError
				if errors.As(err, &ue) {
					return fmt.Errorf("%w (this credential cannot answer the request; ask the relying party for another statement or get a new credential)", err)
				}
				return err
			}
			ms := time.Since(t0).Milliseconds()
			b, _ := zk.MarshalPresentation(pres)
			if err := zkWriteFile(out, append(b, '\n'), false); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"presentation": out, "prove_ms": ms, "proof_bytes": len(pres.Proof), "unsafe_key": pk.Unsafe},
				func(w io.Writer) {
					fmt.Fprintf(w, "presentation written to %s (%d-byte %s proof, %d ms)\n", out, len(pres.Proof), pres.Backend, ms)
					if pk.Unsafe {
						fmt.Fprintln(w, "WARNING: proved with UNSAFE development keys")
					}
				})
		},
	}
	f := c.Flags()
	f.StringVar(&pkPath, "pk", filepath.Join("zk-keys", zk.CircuitVersion+".groth16.pk"), "proving key file")
	f.StringVar(&reqPath, "request", "request.json", "request file")
	f.StringVar(&credPath, "credential", "credential.json", "credential file")
	f.StringVar(&holderPath, "holder-secret", "", "holder secret file (for holder binding and nullifiers)")
	f.StringVar(&registry, "registry", "", "issuer revocation registry to take the revocation path from")
	f.StringVar(&pathFile, "revocation-path", "", "revocation path JSON from the issuer")
	f.StringVar(&out, "out", "presentation.json", "presentation file")
	return c
}

func newZKVerifyCmd() *cobra.Command {
	var vkPath, reqPath, presPath, nonceDB string
	var allowUnsafe bool
	c := &cobra.Command{
		Use:   "verify",
		Short: "Verify a presentation against a request (the relying party's side); exit 1 if rejected",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			vb, err := os.ReadFile(vkPath)
			if err != nil {
				return fmt.Errorf("%w (the verifying key is published with the setup)", err)
			}
			var vk zk.VerifyingKey
			if err := vk.UnmarshalBinary(vb); err != nil {
				return err
			}
			req, err := readZKRequest(reqPath)
			if err != nil {
				return err
			}
			pb, err := os.ReadFile(presPath)
			if err != nil {
				return err
			}
			pres, err := zk.DecodePresentation(pb)
			if err != nil {
				return err
			}
			t0 := time.Now()
			v := &zk.Verifier{Key: &vk, AllowUnsafeSetup: allowUnsafe}
			if nonceDB != "" {
				v.Nonces = &zk.FileNonceStore{Path: nonceDB}
			}
			res := v.Verify(req, pres, time.Now())
			us := time.Since(t0).Microseconds()
			if err := emit(cmd, res, func(w io.Writer) {
				if res.Valid {
					fmt.Fprintf(w, "VALID (%d µs)\n", us)
					for _, d := range res.Disclosed {
						v, _ := pres.DisclosedValue(d.Name)
						fmt.Fprintf(w, "  %s = %d\n", d.Name, v)
					}
					if res.Nullifier != nil {
						fmt.Fprintf(w, "  nullifier %s\n", res.Nullifier)
					}
				} else {
					fmt.Fprintf(w, "REJECTED: %s: %s\n", res.Reason, res.Detail)
				}
			}); err != nil {
				return err
			}
			if !res.Valid {
				hint := ""
				switch res.Reason {
				case zk.ReasonUnsafeKey:
					hint = " (pass --allow-unsafe for development keys)"
				case zk.ReasonReplay:
					hint = " (this presentation was already accepted; ask the wallet for a new one with a fresh request)"
				}
				return &exitError{code: 1, err: fmt.Errorf("presentation rejected: %s%s", res.Reason, hint), reported: jsonOut}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&vkPath, "vk", filepath.Join("zk-keys", zk.CircuitVersion+".groth16.vk"), "verifying key file")
	f.StringVar(&reqPath, "request", "request.json", "the request that was sent")
	f.StringVar(&presPath, "presentation", "presentation.json", "presentation file")
	f.BoolVar(&allowUnsafe, "allow-unsafe", false, "accept keys from the UNSAFE development setup")
	f.StringVar(&nonceDB, "nonce-db", "", "file recording the (audience, nonce) of accepted presentations, so none is accepted twice (created if missing; shared safely by concurrent runs)")
	return c
}

func newZKBenchCmd() *cobra.Command {
	var runs int
	var backend, reference string
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure " + zk.CircuitVersion + " with every statement on (median of --runs), optionally against circom/snarkjs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := zk.Bench(zk.Backend(backend), runs)
			if err != nil {
				return err
			}
			out := map[string]any{
				"circuit": r.Circuit, "backend": r.Backend, "constraints": r.Constraints,
				"public_inputs": r.PublicInputs, "runs": r.Runs, "setup_ms": r.SetupMS, "prove_ms": r.ProveMS,
				"prove_min_ms": r.ProveMinMS, "prove_max_ms": r.ProveMaxMS, "prove_plain_ms": r.PlainProveMS,
				"solve_ms": r.SolveMS, "prover_init_ms": r.ProverInitMS,
				"verify_ms": r.VerifyMS, "proof_bytes": r.ProofBytes, "unsafe_setup": r.UnsafeSetup,
				"prove_cpu_ms": r.ProveCPUMS, "prove_plain_cpu_ms": r.PlainProveCPUMS, "verify_cpu_ms": r.VerifyCPUMS,
				"load_avg": r.LoadAvg, "cpus": r.CPUs,
			}
			var ref map[string]any
			if reference != "" {
				if ref, err = zkRunReference(reference, runs); err != nil {
					return err
				}
				out["reference"] = ref
				if p, ok := ref["prove_ms"].(float64); ok && r.ProveMS > 0 {
					out["prove_speedup_vs_reference"] = p / r.ProveMS
					out["prove_plain_speedup_vs_reference"] = p / r.PlainProveMS
				}
				if v, ok := ref["verify_ms"].(float64); ok && r.VerifyMS > 0 {
					out["verify_speedup_vs_reference"] = v / r.VerifyMS
				}
				if p, ok := ref["prove_cpu_ms"].(float64); ok && r.ProveCPUMS > 0 {
					out["prove_cpu_speedup_vs_reference"] = p / r.ProveCPUMS
				}
				if c, ok := ref["constraints"].(float64); ok && c > 0 {
					out["constraints_ratio_vs_reference"] = float64(r.Constraints) / c
				}
			}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "%s (%s), all statements on, median of %d runs, %d CPUs, load %.1f → %.1f\n", r.Circuit, r.Backend, r.Runs, r.CPUs, r.LoadAvg[0], r.LoadAvg[1])
				fmt.Fprintf(w, "  constraints %d, public inputs %d\n  setup  %.1f ms (UNSAFE development setup)\n", r.Constraints, r.PublicInputs, r.SetupMS)
				fmt.Fprintf(w, "  prove  %.1f ms [%.1f–%.1f] (CPU %.1f ms) with a Prover (bases expanded once in %.0f ms); zk.Prove %.1f ms (CPU %.1f ms); solving %.1f ms of it\n",
					r.ProveMS, r.ProveMinMS, r.ProveMaxMS, r.ProveCPUMS, r.ProverInitMS, r.PlainProveMS, r.PlainProveCPUMS, r.SolveMS)
				fmt.Fprintf(w, "  verify %.2f ms (CPU %.2f ms)\n  proof  %d bytes\n", r.VerifyMS, r.VerifyCPUMS, r.ProofBytes)
				if ref != nil {
					fmt.Fprintf(w, "reference (circom + snarkjs groth16): constraints %v, prove %v ms, verify %v ms\n", ref["constraints"], ref["prove_ms"], ref["verify_ms"])
					fmt.Fprintf(w, "  prove %.1f× faster, verify %.1f× faster\n", out["prove_speedup_vs_reference"], out["verify_speedup_vs_reference"])
				}
			})
		},
	}
	c.Flags().IntVar(&runs, "runs", 5, "runs per measurement (the median is reported)")
	c.Flags().StringVar(&backend, "backend", string(zk.Groth16), "groth16 or plonk")
	c.Flags().StringVar(&reference, "reference", "", "bench/circom directory: also run the circom/snarkjs reference (needs node and npm install there)")
	return c
}

// zkRunReference runs bench/circom/bench.js, which prints one JSON object.
func zkRunReference(dir string, runs int) (map[string]any, error) {
	cmd := exec.Command("node", "bench.js", "--runs", strconv.Itoa(runs))
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reference bench failed: %v: %s (run npm install and npm run build in %s first)", err, strings.TrimSpace(stderr.String()), dir)
	}
	var ref map[string]any
	if err := json.Unmarshal(b, &ref); err != nil {
		return nil, fmt.Errorf("reference bench output: %w", err)
	}
	return ref, nil
}

// readZKRequest reads and decodes a presentation request file (prove and verify both take one).
func readZKRequest(path string) (*zk.Request, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return zk.DecodeRequest(b)
}
