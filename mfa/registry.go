package mfa

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Enrollment records that an account enrolled a factor. The secrets live in the factor's own store
// (Passkeys, TOTP, DeliveredCode, BackupCodes); the registry holds what the policy needs to know.
type Enrollment struct {
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	Type      FactorType `json:"type"`
	Label     string     `json:"label,omitempty"`
	Device    string     `json:"device,omitempty"` // for FactorTrustedDevice: the device identifier
	CreatedAt time.Time  `json:"created_at"`
}

// Registry holds the enrolled factors of every account (at most MaxFactorsPerAccount each) and
// enforces the recovery rules of FEATURES.md §4.5:
//
//   - the first factor of an account enrolls freely (the account was just identity-verified);
//   - adding a factor to an account that has one needs a step-up for TxKeyRotation (or a recovery);
//   - removing a factor needs a step-up for TxDisableFactor (or a recovery), and the last factor
//     cannot be removed, only replaced;
//   - Replace swaps a lost factor for a new one only after the recovery policy (TxAccountRecovery)
//     passed.
//
// The step-ups are checked, and single-use sessions consumed, through the Gate. Registry implements
// DeviceTrust from its FactorTrustedDevice enrollments.
type Registry struct {
	gate Gate
	rnd  io.Reader

	mu       sync.Mutex
	accounts map[string][]Enrollment
}

// NewRegistry returns an empty registry that checks changes through gate; rnd nil means
// crypto/rand.
func NewRegistry(gate Gate, rnd io.Reader) *Registry {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Registry{gate: gate, rnd: rnd, accounts: map[string][]Enrollment{}}
}

// SetGate sets the gate after construction, for the usual wiring where the Engine trusts the
// registry's devices and the registry checks changes with the Engine.
func (r *Registry) SetGate(g Gate) {
	r.mu.Lock()
	r.gate = g
	r.mu.Unlock()
}

// Change names the device a factor change comes from; it must match a device-bound session.
type Change struct {
	Account string
	Device  string
}

// List returns the account's enrollments in the order they were made.
func (r *Registry) List(account string) []Enrollment {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Enrollment(nil), r.accounts[account]...)
}

// Types returns the distinct factor types enrolled by account, in enrollment order.
func (r *Registry) Types(account string) []FactorType {
	var out []FactorType
	for _, e := range r.List(account) {
		if !containsFactor(out, e.Type) {
			out = append(out, e.Type)
		}
	}
	return out
}

// IsTrustedDevice implements DeviceTrust.
func (r *Registry) IsTrustedDevice(account, device string) bool {
	if device == "" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.accounts[account] {
		if e.Type == FactorTrustedDevice && e.Device == device {
			return true
		}
	}
	return false
}

// Enroll adds a factor. Errors: ErrUnknownFactor, ErrInvalidInput, ErrFactorLimit, and the Gate's
// errors (a *StepUpRequiredError) when the account already has factors and no step-up for
// TxKeyRotation or TxAccountRecovery is open.
func (r *Registry) Enroll(c Change, t FactorType, label string, now time.Time) (Enrollment, error) {
	if err := checkEnrollment(c, t, label); err != nil {
		return Enrollment{}, err
	}
	r.mu.Lock()
	n := len(r.accounts[c.Account])
	r.mu.Unlock()
	if n >= MaxFactorsPerAccount {
		return Enrollment{}, fmt.Errorf("%w: %d factors enrolled; remove one first", ErrFactorLimit, n)
	}
	if n > 0 {
		if err := r.authorize(c, now, TxKeyRotation, TxAccountRecovery); err != nil {
			return Enrollment{}, err
		}
	}
	e, err := r.newEnrollment(c, t, label, now)
	if err != nil {
		return Enrollment{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.accounts[c.Account]) >= MaxFactorsPerAccount { // raced with another Enroll
		return Enrollment{}, fmt.Errorf("%w: %d factors enrolled", ErrFactorLimit, len(r.accounts[c.Account]))
	}
	r.accounts[c.Account] = append(r.accounts[c.Account], e)
	return e, nil
}

// Remove deletes an enrollment after a step-up for TxDisableFactor (or a recovery). The last factor
// cannot be removed (ErrLastFactor): use Replace.
func (r *Registry) Remove(c Change, id string, now time.Time) error {
	if err := checkIDs(c.Account, c.Device); err != nil {
		return err
	}
	r.mu.Lock()
	list := r.accounts[c.Account]
	idx := indexOf(list, id)
	n := len(list)
	r.mu.Unlock()
	if idx < 0 {
		return ErrFactorNotFound
	}
	if n == 1 {
		return fmt.Errorf("%w: enroll another factor first, or use recovery to replace it", ErrLastFactor)
	}
	if err := r.authorize(c, now, TxDisableFactor, TxAccountRecovery); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	list = r.accounts[c.Account]
	if idx = indexOf(list, id); idx < 0 {
		return ErrFactorNotFound
	}
	r.accounts[c.Account] = append(list[:idx:idx], list[idx+1:]...)
	return nil
}

// Replace is the recovery of a lost factor (FEATURES.md §4.5): after the recovery policy passed
// (a step-up for TxAccountRecovery), the lost enrollment is removed and the new factor enrolled in
// one step. Under the default policy recovery needs VEID + FIDO2 + (SMS or email): an account that
// lost its only FIDO2 key recovers from a trusted device (one factor fewer, §4.4), which is why a
// second passkey is worth registering. Operators who want backup codes to count add a set with
// FactorBackupCode to their policy.
//
// The registry records enrollments; the secrets live in the factor stores. Revoke the lost factor
// there too (Passkeys.RemoveCredential, TOTP.Remove), or the lost key still passes its factor.
func (r *Registry) Replace(c Change, lostID string, t FactorType, label string, now time.Time) (Enrollment, error) {
	if err := checkEnrollment(c, t, label); err != nil {
		return Enrollment{}, err
	}
	r.mu.Lock()
	idx := indexOf(r.accounts[c.Account], lostID)
	r.mu.Unlock()
	if idx < 0 {
		return Enrollment{}, ErrFactorNotFound
	}
	if err := r.authorize(c, now, TxAccountRecovery); err != nil {
		return Enrollment{}, err
	}
	e, err := r.newEnrollment(c, t, label, now)
	if err != nil {
		return Enrollment{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.accounts[c.Account]
	if idx = indexOf(list, lostID); idx < 0 {
		return Enrollment{}, ErrFactorNotFound
	}
	list = append(list[:idx:idx], list[idx+1:]...)
	r.accounts[c.Account] = append(list, e)
	return e, nil
}

// authorize asks the gate for the first of txs it grants; with none it returns the error of the
// first (whose message names the factors to pass).
func (r *Registry) authorize(c Change, now time.Time, txs ...TxType) error {
	r.mu.Lock()
	g := r.gate
	r.mu.Unlock()
	if g == nil {
		return fmt.Errorf("%w: registry has no gate to check the step-up", ErrStepUpRequired)
	}
	var first error
	for _, tx := range txs {
		_, err := g.Authorize(AuthorizeRequest{Account: c.Account, Tx: tx, Device: c.Device}, now)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrStepUpRequired) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// checkEnrollment validates the request of an enrollment.
func checkEnrollment(c Change, t FactorType, label string) error {
	if err := checkIDs(c.Account, c.Device); err != nil {
		return err
	}
	if !t.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownFactor, t)
	}
	if len(label) > MaxFactorLabelLen {
		return invalid("label longer than %d bytes", MaxFactorLabelLen)
	}
	if t == FactorTrustedDevice && c.Device == "" {
		return invalid("a trusted device enrollment needs the device identifier")
	}
	return nil
}

// newEnrollment builds an enrollment with a fresh identifier; a trusted device records its device.
func (r *Registry) newEnrollment(c Change, t FactorType, label string, now time.Time) (Enrollment, error) {
	var b [12]byte
	if _, err := io.ReadFull(r.rnd, b[:]); err != nil {
		return Enrollment{}, fmt.Errorf("mfa: read random identifier: %w", err)
	}
	e := Enrollment{ID: hex.EncodeToString(b[:]), Account: c.Account, Type: t, Label: label, CreatedAt: now}
	if t == FactorTrustedDevice {
		e.Device = c.Device
	}
	return e, nil
}

func indexOf(list []Enrollment, id string) int {
	for i, e := range list {
		if e.ID == id {
			return i
		}
	}
	return -1
}
