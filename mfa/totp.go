package mfa

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// OTPKey is an enrolled one-time-password secret with its parameters: TOTP (RFC 6238) when Counter
// is unused and Period > 0, HOTP (RFC 4226) when Type is "hotp".
type OTPKey struct {
	Type        string    `json:"type"` // "totp" or "hotp"
	Issuer      string    `json:"issuer"`
	AccountName string    `json:"account_name"`
	Secret      Secret    `json:"secret"` // prints redacted and refuses to encode; see Secret
	Algorithm   Algorithm `json:"algorithm"`
	Digits      int       `json:"digits"`
	Period      uint32    `json:"period,omitempty"`  // TOTP time step X in seconds (RFC 6238 §4.1)
	Counter     uint64    `json:"counter,omitempty"` // HOTP: next expected counter
}

// GenerateTOTP creates a TOTP key with a random secret of the hash's length, 30 s period.
// rnd nil means crypto/rand.
func GenerateTOTP(issuer, accountName string, alg Algorithm, digits int, rnd io.Reader) (*OTPKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := alg.hash(); err != nil {
		return nil, err
	}
	if alg == "" {
		alg = SHA1
	}
	if accountName == "" || len(accountName) > MaxLabelLen || len(issuer) > MaxLabelLen {
		return nil, invalid("account name must be 1–%d bytes and issuer at most %d", MaxLabelLen, MaxLabelLen)
	}
	k := &OTPKey{Type: "totp", Issuer: issuer, AccountName: accountName, Algorithm: alg, Digits: digits, Period: TOTPPeriod}
	k.Secret = make(Secret, alg.keyLen())
	if _, err := io.ReadFull(rnd, k.Secret); err != nil {
		return nil, fmt.Errorf("mfa: read TOTP secret: %w", err)
	}
	return k, k.validate()
}

func (k *OTPKey) validate() error {
	if k.Type != "totp" && k.Type != "hotp" {
		return invalid("OTP type must be totp or hotp, got %q", k.Type)
	}
	if err := checkOTPParams(k.Secret, k.Digits); err != nil {
		return err
	}
	if len(k.Secret) < MinSecretLen {
		return invalid("OTP secret must be at least %d bytes (RFC 4226 §4)", MinSecretLen)
	}
	if _, err := k.Algorithm.hash(); err != nil {
		return err
	}
	if k.Type == "totp" && k.Period == 0 {
		return invalid("TOTP period must be positive")
	}
	// The first ':' of an otpauth label separates issuer and account name, so URI would give an
	// issuer with a ':', or a ':' in the account name of a key without issuer, a different meaning.
	if strings.Contains(k.Issuer, ":") || (k.Issuer == "" && strings.Contains(k.AccountName, ":")) {
		return invalid("the issuer may not contain ':', nor the account name of a key without issuer")
	}
	return nil
}

// Step returns the RFC 6238 §4.2 time step T = floor((unix time − T0) / X) with T0 = 0.
func (k *OTPKey) Step(now time.Time) (uint64, error) {
	u := now.Unix()
	if u < 0 {
		return 0, invalid("time before the Unix epoch")
	}
	if k.Period == 0 {
		return 0, invalid("TOTP period must be positive")
	}
	return uint64(u) / uint64(k.Period), nil
}

// Code returns the TOTP code at now (RFC 6238 §4.2), or for an HOTP key the code of its counter.
func (k *OTPKey) Code(now time.Time) (string, error) {
	if err := k.validate(); err != nil {
		return "", err
	}
	c := k.Counter
	if k.Type == "totp" {
		var err error
		if c, err = k.Step(now); err != nil {
			return "", err
		}
	}
	return HOTP(k.Secret, c, k.Digits, k.Algorithm)
}

// TOTP is a Factor holding TOTP and HOTP keys per account. It accepts a code from the current step
// or one step either side (RFC 6238 §5.2) and remembers the last step used, so a code cannot be
// replayed, nor an older one used after it (RFC 6238 §5.2: "the verifier MUST NOT accept the
// second attempt of the OTP after the successful validation"). HOTP keys accept the expected
// counter or up to HOTPLookAhead beyond it, then move past the one used (RFC 4226 §7.2, §7.4).
type TOTP struct {
	mu    sync.Mutex
	keys  map[string]*otpState
	owner *Registry // set by Registry.SetStores: enrollment goes through the registry only
}

type otpState struct {
	key      OTPKey
	lastStep uint64
	used     bool
}

// NewTOTP returns an empty TOTP factor store.
func NewTOTP() *TOTP { return &TOTP{keys: map[string]*otpState{}} }

// Type implements Factor.
func (t *TOTP) Type() FactorType { return FactorTOTP }

// String implements fmt.Stringer: how many accounts hold a key, nothing of the keys.
func (t *TOTP) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprintf("mfa.TOTP{accounts: %d}", len(t.keys))
}

// Format implements fmt.Formatter with String for every verb.
func (t *TOTP) Format(f fmt.State, verb rune) { s := t.String(); formatRedacted(f, verb, s, s) }

// Enroll stores key for account, replacing an earlier one. It keeps its own copy of the key. A store
// driven by a Registry refuses it (ErrInvalidInput): enroll with Registry.Enroll, which applies the
// factor limit and the step-up rules.
func (t *TOTP) Enroll(account string, key *OTPKey) error {
	if err := checkIDs(account, ""); err != nil {
		return err
	}
	if key == nil {
		return invalid("nil key")
	}
	if err := key.validate(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != nil {
		return errManaged(FactorTOTP)
	}
	t.putLocked(account, key)
	return nil
}

// Remove forgets the key of account. A store driven by a Registry refuses it (ErrInvalidInput):
// remove the enrollment with Registry.Remove, which needs a step-up.
func (t *TOTP) Remove(account string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != nil {
		return errManaged(FactorTOTP)
	}
	delete(t.keys, account)
	return nil
}

// putLocked stores a copy of a validated key, with fresh replay state. Called with t.mu held.
func (t *TOTP) putLocked(account string, key *OTPKey) {
	k := *key
	k.Secret = append(Secret(nil), key.Secret...)
	t.keys[account] = &otpState{key: k}
}

// put and drop are the registry's way in.
func (t *TOTP) put(account string, key *OTPKey) {
	t.mu.Lock()
	t.putLocked(account, key)
	t.mu.Unlock()
}

func (t *TOTP) drop(account string) {
	t.mu.Lock()
	delete(t.keys, account)
	t.mu.Unlock()
}

// manage hands the store to r; the accounts holding a key are returned for r to record.
func (t *TOTP) manage(r *Registry) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != nil && t.owner != r {
		return nil, invalid("the TOTP store is already driven by another Registry")
	}
	t.owner = r
	return mapKeys(t.keys), nil
}

// Verify implements Factor: response is the code the user typed. It fails with ErrFactorNotFound,
// ErrWrongCode or ErrCodeReplayed.
func (t *TOTP) Verify(account string, response []byte, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.keys[account]
	if st == nil {
		return fmt.Errorf("%w: no TOTP key for %q; enroll one with 'virtengine mfa totp enroll'", ErrFactorNotFound, account)
	}
	code, ok := normalizeCode(response, st.key.Digits)
	if !ok {
		return fmt.Errorf("%w: expected %d digits", ErrWrongCode, st.key.Digits)
	}
	h, err := st.key.Algorithm.hash()
	if err != nil {
		return err
	}
	if st.key.Type == "hotp" {
		for c := st.key.Counter; c <= st.key.Counter+HOTPLookAhead && c >= st.key.Counter; c++ { // c >= Counter: stop at wrap-around
			if codeEqual(hotp(h, st.key.Secret, c, st.key.Digits), code) {
				st.key.Counter = c + 1
				return nil
			}
		}
		return ErrWrongCode
	}
	cur, err := st.key.Step(now)
	if err != nil {
		return err
	}
	lo := cur
	if lo >= TOTPSkew {
		lo -= TOTPSkew
	} else {
		lo = 0
	}
	// Compare every step of the window, so the time taken does not reveal which one matched.
	matched, found := uint64(0), false
	for s := lo; s <= cur+TOTPSkew; s++ {
		if codeEqual(hotp(h, st.key.Secret, s, st.key.Digits), code) && !found {
			matched, found = s, true
		}
	}
	if !found {
		return ErrWrongCode
	}
	if st.used && matched <= st.lastStep {
		return ErrCodeReplayed
	}
	st.lastStep, st.used = matched, true
	return nil
}
