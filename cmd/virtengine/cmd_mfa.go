package main

import (
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/mfa"
)

func init() { addCommand(newMFACmd()) }

func newMFACmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "mfa",
		Short: "Multi-factor authentication: TOTP keys and the step-up policy",
		Long: `mfa works with VirtEngine's multi-factor authentication.

  virtengine mfa totp enroll --account alice@example.com --qr key.png
  virtengine mfa totp code --uri 'otpauth://totp/...'
  virtengine mfa totp verify --uri 'otpauth://totp/...' --code 123456
  virtengine mfa policy show --json`,
	}
	c.AddCommand(newMFATOTPCmd(), newMFAPolicyCmd())
	return c
}

func newMFATOTPCmd() *cobra.Command {
	c := &cobra.Command{Use: "totp", Short: "Create TOTP keys (RFC 6238), print and check their codes"}
	c.AddCommand(newTOTPEnrollCmd(), newTOTPCodeCmd(), newTOTPVerifyCmd())
	return c
}

func newTOTPEnrollCmd() *cobra.Command {
	var issuer, account, alg, qr string
	var digits, size int
	c := &cobra.Command{
		Use:   "enroll",
		Short: "Create a TOTP key and print its otpauth:// URI (and a QR code PNG) for an authenticator app",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := mfa.GenerateTOTP(issuer, account, mfa.Algorithm(strings.ToUpper(alg)), digits, nil)
			if err != nil {
				return fmt.Errorf("%w (use --account NAME, --algorithm SHA1|SHA256|SHA512, --digits 6-8)", err)
			}
			// Enroll the key the way a node does, through a registry, so the key printed is one it
			// accepts.
			if _, err := enrollTOTP(k, time.Now()); err != nil {
				return err
			}
			if qr != "" {
				png, err := k.RevealQRCodePNG(size)
				if err != nil {
					return err
				}
				if err := os.WriteFile(qr, png, 0o600); err != nil {
					return fmt.Errorf("write QR code: %w (check that the directory of --qr exists)", err)
				}
			}
			out := map[string]any{
				"uri": k.RevealURI(), "secret": base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(k.Secret.Reveal()),
				"issuer": k.Issuer, "account": k.AccountName, "algorithm": k.Algorithm, "digits": k.Digits, "period": k.Period,
			}
			if qr != "" {
				out["qr_png"] = qr
			}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "otpauth URI: %s\nsecret:      %s\n", out["uri"], out["secret"])
				if qr != "" {
					fmt.Fprintf(w, "QR code:     %s (scan it with an authenticator app)\n", qr)
				}
				fmt.Fprintln(w, "Keep the URI secret: it is the key. Check a code with: virtengine mfa totp verify --uri '<uri>' --code <code>")
			})
		},
	}
	c.Flags().StringVar(&issuer, "issuer", "VirtEngine", "issuer shown by the authenticator app")
	c.Flags().StringVar(&account, "account", "", "account name shown by the authenticator app (required)")
	c.Flags().StringVar(&alg, "algorithm", "SHA1", "HMAC hash: SHA1, SHA256 or SHA512 (most apps support only SHA1)")
	c.Flags().IntVar(&digits, "digits", 6, "code length, 6-8")
	c.Flags().StringVar(&qr, "qr", "", "write the otpauth URI as a QR code PNG to this file")
	c.Flags().IntVar(&size, "qr-size", 256, "QR code size in pixels")
	return c
}

// keyFlags reads a key from --uri, or from --secret with --algorithm/--digits/--period.
type keyFlags struct {
	uri, secret, alg string
	digits, period   int
	at               int64
}

func (f *keyFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.uri, "uri", "", "otpauth:// URI of the key (or $VIRTENGINE_TOTP_URI)")
	c.Flags().StringVar(&f.secret, "secret", "", "base32 secret, instead of --uri")
	c.Flags().StringVar(&f.alg, "algorithm", "SHA1", "with --secret: SHA1, SHA256 or SHA512")
	c.Flags().IntVar(&f.digits, "digits", 6, "with --secret: code length 6-8")
	c.Flags().IntVar(&f.period, "period", mfa.TOTPPeriod, "with --secret: time step in seconds")
	c.Flags().Int64Var(&f.at, "time", 0, "Unix time to use instead of now")
}

func (f *keyFlags) key() (*mfa.OTPKey, time.Time, error) {
	now := time.Now()
	if f.at != 0 {
		now = time.Unix(f.at, 0)
	}
	uri := f.uri
	if uri == "" {
		uri = os.Getenv("VIRTENGINE_TOTP_URI")
	}
	if uri != "" {
		k, err := mfa.ParseURI(uri)
		if err != nil {
			return nil, now, fmt.Errorf("%w (pass the otpauth:// URI printed by 'virtengine mfa totp enroll')", err)
		}
		return k, now, nil
	}
	if f.secret == "" {
		return nil, now, errors.New("no key: pass --uri 'otpauth://…' or --secret BASE32 (create one with 'virtengine mfa totp enroll')")
	}
	sec, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(f.secret, "=")))
	if err != nil {
		return nil, now, fmt.Errorf("--secret is not base32: %v", err)
	}
	if f.period <= 0 {
		return nil, now, errors.New("--period must be positive")
	}
	k := &mfa.OTPKey{Type: "totp", AccountName: "cli", Secret: sec, Algorithm: mfa.Algorithm(strings.ToUpper(f.alg)), Digits: f.digits, Period: uint32(f.period)}
	return k, now, nil
}

// cliAccount is the account the CLI's one-shot registry enrolls a key under.
const cliAccount = "cli"

// enrollTOTP enrolls k in a fresh TOTP store through an mfa.Registry, the one way to enroll a
// factor; as the account's first factor it needs no step-up. It returns the store to verify with.
func enrollTOTP(k *mfa.OTPKey, now time.Time) (*mfa.TOTP, error) {
	t := mfa.NewTOTP()
	reg := mfa.NewRegistry(nil, nil)
	if err := reg.SetStores(mfa.Stores{TOTP: t}); err != nil {
		return nil, err
	}
	if _, err := reg.Enroll(mfa.Change{Account: cliAccount}, mfa.NewFactor{Type: mfa.FactorTOTP, Key: k}, now); err != nil {
		return nil, err
	}
	return t, nil
}

func newTOTPCodeCmd() *cobra.Command {
	var f keyFlags
	c := &cobra.Command{
		Use:   "code",
		Short: "Print the current TOTP code of a key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, now, err := f.key()
			if err != nil {
				return err
			}
			code, err := k.Code(now)
			if err != nil {
				return err
			}
			left := int64(k.Period) - now.Unix()%int64(k.Period)
			out := map[string]any{"code": code, "valid_for_seconds": left, "time": now.Unix()}
			return emit(cmd, out, func(w io.Writer) { fmt.Fprintf(w, "%s (valid %d s more)\n", code, left) })
		},
	}
	f.register(c)
	return c
}

func newTOTPVerifyCmd() *cobra.Command {
	var f keyFlags
	var code string
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check a TOTP code against a key (current step ±1, RFC 6238 §5.2)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, now, err := f.key()
			if err != nil {
				return err
			}
			if code == "" {
				return errors.New("pass the code to check with --code")
			}
			t, err := enrollTOTP(k, now)
			if err != nil {
				return err
			}
			verr := t.Verify(cliAccount, []byte(code), now)
			out := map[string]any{"valid": verr == nil, "time": now.Unix()}
			if verr != nil {
				out["error"] = verr.Error()
			}
			if err := emit(cmd, out, func(w io.Writer) {
				if verr == nil {
					fmt.Fprintln(w, "valid")
				}
			}); err != nil {
				return err
			}
			if verr != nil {
				return &exitError{code: 1, err: fmt.Errorf("%w: check the device clock (codes change every %d s) and that the code belongs to this key", verr, k.Period), reported: jsonOut}
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().StringVar(&code, "code", "", "the code to check")
	return c
}

func newMFAPolicyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "The sensitive-transaction policy (FEATURES.md §4.3)"}
	c.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the default step-up policy table",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := mfa.DefaultPolicy()
			out := struct {
				*mfa.Policy
				Hash string `json:"hash"`
			}{p, p.Hash()}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "policy %s (sha256 %s)\n\n", p.Version, p.Hash()[:16])
				fmt.Fprintf(w, "%-26s %-9s %-42s %s\n", "TRANSACTION", "MIN SCORE", "FACTORS", "SESSION")
				for _, r := range p.Rules {
					sets := make([]string, len(r.AnyOf))
					for i, s := range r.AnyOf {
						sets[i] = s.String()
					}
					session := "single use"
					if !r.SingleUse() {
						session = r.SessionTTL().String()
					}
					if r.CooldownSeconds > 0 {
						session += ", cooldown " + r.Cooldown().String()
					}
					fmt.Fprintf(w, "%-26s %-9d %-42s %s\n", r.Name, r.MinScore, strings.Join(sets, " | "), session)
				}
			})
		},
	})
	return c
}
