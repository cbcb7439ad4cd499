package mfa

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
)

// Enrollment records that an account enrolled a factor. The secrets live in the factor's store
// (Passkeys, TOTP, DeliveredCode, BackupCodes), which the Registry drives; the registry holds what
// the policy needs to know.
type Enrollment struct {
	ID         string     `json:"id"`
	Account    string     `json:"account"`
	Type       FactorType `json:"type"`
	Label      string     `json:"label,omitempty"`
	Device     string     `json:"device,omitempty"`        // for FactorTrustedDevice: the device identifier
	Credential []byte     `json:"credential_id,omitempty"` // for FactorFIDO2: the WebAuthn credential ID
	CreatedAt  time.Time  `json:"created_at"`
}

// Stores are the factor stores a Registry drives. Each kind left nil cannot be enrolled. A store
// handed to a registry refuses enrollment, removal and Import of its own (ErrInvalidInput), so the
// registry is the single way to change an account's factors.
type Stores struct {
	Passkeys *Passkeys      // FactorFIDO2
	TOTP     *TOTP          // FactorTOTP
	Backup   *BackupCodes   // FactorBackupCode
	SMS      *DeliveredCode // FactorSMS
	Voice    *DeliveredCode // FactorVoice
	Email    *DeliveredCode // FactorEmail
}

// NewFactor is a factor to enroll, with its material.
type NewFactor struct {
	Type  FactorType
	Label string
	// Key is the TOTP or HOTP key of FactorTOTP (from GenerateTOTP, shown to the user with
	// RevealURI). The registry's store keeps its own copy.
	Key *OTPKey
	// Destination is the phone number or email address of FactorSMS, FactorVoice and FactorEmail.
	Destination string
}

// Enrolled is the result of Enroll and Replace: the enrollment and, for FactorBackupCode, the new
// codes, to show the user once (only their hashes are kept). It prints without the codes under every
// fmt verb, and encodes to JSON without them.
type Enrolled struct {
	Enrollment
	BackupCodes []string `json:"-"`
}

// String implements fmt.Stringer without the backup codes.
func (e Enrolled) String() string {
	return fmt.Sprintf("{%s %s %s backup codes: %d %s}", e.ID, e.Account, e.Type, len(e.BackupCodes), redacted)
}

// Format implements fmt.Formatter with String for every verb.
func (e Enrolled) Format(f fmt.State, verb rune) { s := e.String(); formatRedacted(f, verb, s, s) }

// Registry holds the enrolled factors of every account and is the one way to change them. It drives
// the factor stores (SetStores): enrolling writes the secret to its store, and removing or replacing
// a factor revokes it there, so a removed passkey, TOTP key, destination or backup-code set stops
// verifying. It enforces, for every kind of factor alike:
//
//   - at most MaxFactorsPerAccount factors per account, all kinds together; one TOTP key, one
//     backup-code set and one destination per delivery channel (their stores hold one each);
//   - the first factor of an account enrolls freely (the account was just identity-verified);
//   - adding a factor to an account that has one needs a step-up for TxKeyRotation (or a recovery);
//   - removing a factor needs a step-up for TxDisableFactor (or a recovery), and the last factor
//     cannot be removed, only replaced;
//   - Replace swaps a lost factor for a new one only after the recovery policy (TxAccountRecovery)
//     passed (FEATURES.md §4.5).
//
// The step-ups are checked, and single-use sessions consumed, through the Gate. Passkeys enroll in
// two steps (BeginPasskey authorizes and opens the WebAuthn ceremony, FinishPasskey completes it);
// other kinds with Enroll and Replace. Registry implements DeviceTrust from its FactorTrustedDevice
// enrollments.
type Registry struct {
	rnd io.Reader

	mu       sync.Mutex
	gate     Gate
	stores   Stores
	accounts map[string][]Enrollment
}

// NewRegistry returns an empty registry that checks changes through gate; rnd nil means
// crypto/rand. Hand it its factor stores with SetStores.
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

// SetStores hands the factor stores to the registry. From then on each store refuses enrollment,
// removal and Import of its own. What a store already holds (imported state) is recorded as
// enrollments, so it counts towards the limit and the step-up rules. A store already driven by
// another registry, or a delivered-code store of another channel, is refused (ErrInvalidInput);
// stores may be added by later calls but not swapped. Call it once at start-up, after importing the
// stores' state: on an error, some stores may already refuse their own enrollment paths.
func (r *Registry) SetStores(s Stores) error {
	for _, c := range []struct {
		d  *DeliveredCode
		ch FactorType
	}{{s.SMS, FactorSMS}, {s.Voice, FactorVoice}, {s.Email, FactorEmail}} {
		if c.d != nil && c.d.channel != c.ch {
			return invalid("Stores.%s is a %s store", c.ch, c.d.channel)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.stores
	if conflict(old.Passkeys, s.Passkeys) || conflict(old.TOTP, s.TOTP) || conflict(old.Backup, s.Backup) ||
		conflict(old.SMS, s.SMS) || conflict(old.Voice, s.Voice) || conflict(old.Email, s.Email) {
		return invalid("a store of this kind is already set; stores are added, never swapped")
	}
	var adopt []Enrollment
	if s.Passkeys != nil {
		creds, err := s.Passkeys.manage(r)
		if err != nil {
			return err
		}
		for _, acct := range sortedKeys(creds) {
			for _, c := range creds[acct] {
				adopt = append(adopt, Enrollment{Account: acct, Type: FactorFIDO2, Credential: c.ID, CreatedAt: c.CreatedAt})
			}
		}
		r.stores.Passkeys = s.Passkeys
	}
	type single interface {
		manage(*Registry) ([]string, error)
	}
	var singles []single
	var kinds []FactorType
	if s.TOTP != nil {
		singles, kinds = append(singles, s.TOTP), append(kinds, FactorTOTP)
	}
	if s.Backup != nil {
		singles, kinds = append(singles, s.Backup), append(kinds, FactorBackupCode)
	}
	for _, d := range []*DeliveredCode{s.SMS, s.Voice, s.Email} {
		if d != nil {
			singles, kinds = append(singles, d), append(kinds, d.channel)
		}
	}
	for i, st := range singles {
		accts, err := st.manage(r)
		if err != nil {
			return err
		}
		slices.Sort(accts)
		for _, acct := range accts {
			adopt = append(adopt, Enrollment{Account: acct, Type: kinds[i]})
		}
	}
	r.stores.TOTP, r.stores.Backup = pick(s.TOTP, old.TOTP), pick(s.Backup, old.Backup)
	r.stores.SMS, r.stores.Voice, r.stores.Email = pick(s.SMS, old.SMS), pick(s.Voice, old.Voice), pick(s.Email, old.Email)
	for _, e := range adopt {
		if r.recordedLocked(e) {
			continue
		}
		id, err := r.newID()
		if err != nil {
			return err
		}
		e.ID = id
		r.accounts[e.Account] = append(r.accounts[e.Account], e)
	}
	return nil
}

// Passkeys returns the passkey store the registry drives, or nil: the store that verifies the
// passkeys it enrolls (Engine.Submit, Passkeys.BeginStepUp).
func (r *Registry) Passkeys() *Passkeys {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stores.Passkeys
}

// recordedLocked reports whether the registry already holds the store entry e. Called with r.mu held.
func (r *Registry) recordedLocked(e Enrollment) bool {
	for _, have := range r.accounts[e.Account] {
		if have.Type == e.Type && (e.Type != FactorFIDO2 || string(have.Credential) == string(e.Credential)) {
			return true
		}
	}
	return false
}

// Change names who asks for a factor change: the account, the device it comes from (it must match a
// device-bound session) and, optionally, the step-up session to use (empty: the first valid one).
type Change struct {
	Account   string
	Device    string
	SessionID string
}

// List returns the account's enrollments in the order they were made.
func (r *Registry) List(account string) []Enrollment {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Enrollment, 0, len(r.accounts[account]))
	for _, e := range r.accounts[account] {
		e.Credential = append([]byte(nil), e.Credential...)
		out = append(out, e)
	}
	return out
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

// Enroll adds a factor of any kind but FactorFIDO2 (BeginPasskey): the registry checks the limit and
// the step-up, then writes the factor's material to its store. Errors: ErrUnknownFactor,
// ErrInvalidInput (bad material, no store for the kind, a passkey), ErrFactorLimit (ten factors, or a
// second TOTP key, backup-code set or destination of one channel: Replace it), and the Gate's errors
// (a *StepUpRequiredError) when the account already has factors and no step-up for TxKeyRotation or
// TxAccountRecovery is open. Material is checked before a session is used up.
func (r *Registry) Enroll(c Change, f NewFactor, now time.Time) (Enrolled, error) {
	if err := r.checkNew(c, f); err != nil {
		return Enrolled{}, err
	}
	r.mu.Lock()
	list := r.accounts[c.Account]
	err := enrollAllowed(list, f.Type, "")
	r.mu.Unlock()
	if err != nil {
		return Enrolled{}, err
	}
	first := len(list) == 0
	if !first {
		if err := r.authorize(c, now, TxKeyRotation, TxAccountRecovery); err != nil {
			return Enrolled{}, err
		}
	}
	return r.commit(c, f, "", first, now)
}

// Replace is the recovery of a lost factor (FEATURES.md §4.5): after the recovery policy passed (a
// step-up for TxAccountRecovery), the lost enrollment is revoked in its store, so it no longer
// verifies, and the new factor enrolled, in one step. The new factor may be of another kind; a
// passkey replaces through BeginPasskey with lostID. Under the default policy recovery needs VEID +
// FIDO2 + (SMS or email): an account that lost its only FIDO2 key recovers from a trusted device
// (one factor fewer, §4.4), which is why a second passkey is worth registering.
func (r *Registry) Replace(c Change, lostID string, f NewFactor, now time.Time) (Enrolled, error) {
	if err := r.checkNew(c, f); err != nil {
		return Enrolled{}, err
	}
	r.mu.Lock()
	list := r.accounts[c.Account]
	err := enrollAllowed(list, f.Type, lostID)
	r.mu.Unlock()
	if err != nil {
		return Enrolled{}, err
	}
	if err := r.authorize(c, now, TxAccountRecovery); err != nil {
		return Enrolled{}, err
	}
	return r.commit(c, f, lostID, false, now)
}

// Remove revokes a factor in its store and deletes its enrollment, after a step-up for
// TxDisableFactor (or a recovery). The last factor cannot be removed (ErrLastFactor): use Replace.
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
	if len(list) == 1 {
		return fmt.Errorf("%w: enroll another factor first, or use recovery to replace it", ErrLastFactor)
	}
	r.revokeLocked(list[idx])
	r.accounts[c.Account] = append(list[:idx:idx], list[idx+1:]...)
	return nil
}

// BeginPasskey authorizes a passkey enrollment and opens its WebAuthn registration ceremony. With
// lostID empty it adds a passkey under the rules of Enroll (limit; key rotation or recovery unless
// it is the account's first factor); with lostID it replaces that enrollment under the rules of
// Replace (recovery). The step-up session is used up here; FinishPasskey completes the change.
func (r *Registry) BeginPasskey(c Change, lostID, label string, now time.Time) (*protocol.CredentialCreation, error) {
	f := NewFactor{Type: FactorFIDO2, Label: label}
	if err := r.checkNew(c, f); err != nil {
		return nil, err
	}
	r.mu.Lock()
	p := r.stores.Passkeys
	list := r.accounts[c.Account]
	err := enrollAllowed(list, FactorFIDO2, lostID)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	first := len(list) == 0
	switch {
	case lostID != "":
		err = r.authorize(c, now, TxAccountRecovery)
	case !first:
		err = r.authorize(c, now, TxKeyRotation, TxAccountRecovery)
	}
	if err != nil {
		return nil, err
	}
	return p.beginRegistration(c.Account, &pendingPasskey{registry: r, lostID: lostID, label: label, device: c.Device, first: first}, now)
}

// FinishPasskey verifies the browser's answer to a BeginPasskey ceremony, stores the credential and
// records the enrollment; a replacement revokes the lost factor in its store. It fails with the
// errors of Passkeys.FinishRegistration, with ErrFactorLimit when the account filled up meanwhile,
// ErrFactorNotFound when the lost factor went meanwhile, and ErrStepUpRequired when a first factor
// was enrolled meanwhile by another way (the free first enrollment no longer applies).
func (r *Registry) FinishPasskey(account string, response []byte, now time.Time) (Enrollment, PasskeyCredential, error) {
	if err := checkIDs(account, ""); err != nil {
		return Enrollment{}, PasskeyCredential{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.stores.Passkeys
	if p == nil {
		return Enrollment{}, PasskeyCredential{}, noStore(FactorFIDO2)
	}
	var pend *pendingPasskey
	cred, err := p.finishRegistration(account, response, now, func(pp *pendingPasskey) error {
		if pp.registry != r {
			return webauthnErr(ErrCeremonyNotFound, errors.New("registration was begun by another registry"))
		}
		list := r.accounts[account]
		if pp.first && len(list) > 0 {
			return fmt.Errorf("%w: the account enrolled a factor since this passkey registration began; begin again with a key rotation step-up", ErrStepUpRequired)
		}
		if err := enrollAllowed(list, FactorFIDO2, pp.lostID); err != nil {
			return err
		}
		pend = pp
		return nil
	})
	if err != nil {
		return Enrollment{}, PasskeyCredential{}, err
	}
	id, err := r.newID()
	if err != nil {
		p.drop(account, cred.ID)
		return Enrollment{}, PasskeyCredential{}, err
	}
	e := Enrollment{ID: id, Account: account, Type: FactorFIDO2, Label: pend.label, Credential: append([]byte(nil), cred.ID...), CreatedAt: now}
	if pend.lostID != "" {
		r.revokeLocked(r.accounts[account][indexOf(r.accounts[account], pend.lostID)]) // admit checked it exists
	}
	r.replaceLocked(account, pend.lostID, e)
	return e, cred, nil
}

// checkNew validates a change and its new factor before anything is authorized.
func (r *Registry) checkNew(c Change, f NewFactor) error {
	if err := checkIDs(c.Account, c.Device); err != nil {
		return err
	}
	if !f.Type.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownFactor, f.Type)
	}
	if len(f.Label) > MaxFactorLabelLen {
		return invalid("label longer than %d bytes", MaxFactorLabelLen)
	}
	r.mu.Lock()
	s := r.stores
	r.mu.Unlock()
	switch f.Type {
	case FactorTrustedDevice:
		if c.Device == "" {
			return invalid("a trusted device enrollment needs the device identifier")
		}
	case FactorFIDO2:
		if s.Passkeys == nil {
			return noStore(f.Type)
		}
	case FactorTOTP:
		if s.TOTP == nil {
			return noStore(f.Type)
		}
		if f.Key == nil {
			return invalid("a TOTP enrollment needs its key")
		}
		if err := f.Key.validate(); err != nil {
			return err
		}
	case FactorSMS, FactorVoice, FactorEmail:
		if s.delivered(f.Type) == nil {
			return noStore(f.Type)
		}
		if err := checkDestination(f.Destination); err != nil {
			return err
		}
	case FactorBackupCode:
		if s.Backup == nil {
			return noStore(f.Type)
		}
	}
	return nil
}

// commit writes an authorized enrollment: the new factor's material to its store, the lost factor
// (if any) revoked in its store, and the registry updated, all under r.mu.
func (r *Registry) commit(c Change, f NewFactor, lostID string, first bool, now time.Time) (Enrolled, error) {
	if f.Type == FactorFIDO2 {
		return Enrolled{}, invalid("passkeys enroll through BeginPasskey and FinishPasskey")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.accounts[c.Account]
	if first && len(list) > 0 {
		return Enrolled{}, fmt.Errorf("%w: the account enrolled a factor meanwhile; a further one needs a key rotation step-up", ErrStepUpRequired)
	}
	if err := enrollAllowed(list, f.Type, lostID); err != nil {
		return Enrolled{}, err
	}
	var set *backupSet
	var codes []string
	if f.Type == FactorBackupCode {
		var err error
		if set, codes, err = r.stores.Backup.newSet(c.Account); err != nil {
			return Enrolled{}, err
		}
	}
	id, err := r.newID()
	if err != nil {
		return Enrolled{}, err
	}
	e := Enrollment{ID: id, Account: c.Account, Type: f.Type, Label: f.Label, CreatedAt: now}
	if f.Type == FactorTrustedDevice {
		e.Device = c.Device
	}
	// Revoke first: the lost factor may share the new one's store slot (a TOTP key for a TOTP key).
	if lostID != "" {
		if idx := indexOf(list, lostID); idx >= 0 {
			r.revokeLocked(list[idx])
		}
	}
	switch f.Type {
	case FactorTOTP:
		r.stores.TOTP.put(c.Account, f.Key)
	case FactorSMS, FactorVoice, FactorEmail:
		r.stores.delivered(f.Type).put(c.Account, f.Destination)
	case FactorBackupCode:
		r.stores.Backup.put(c.Account, set)
	}
	r.replaceLocked(c.Account, lostID, e)
	return Enrolled{Enrollment: e, BackupCodes: codes}, nil
}

// replaceLocked records e in place of the enrollment lostID, if set, which the caller revoked in its
// store. Called with r.mu held.
func (r *Registry) replaceLocked(account, lostID string, e Enrollment) {
	list := r.accounts[account]
	if lostID != "" {
		if idx := indexOf(list, lostID); idx >= 0 {
			list = append(list[:idx:idx], list[idx+1:]...)
		}
	}
	r.accounts[account] = append(list, e)
}

// revokeLocked removes an enrollment's secret from its store, so the factor stops verifying.
// Revoking twice is harmless. Called with r.mu held.
func (r *Registry) revokeLocked(e Enrollment) {
	switch e.Type {
	case FactorFIDO2:
		if r.stores.Passkeys != nil {
			r.stores.Passkeys.drop(e.Account, e.Credential)
		}
	case FactorTOTP:
		if r.stores.TOTP != nil {
			r.stores.TOTP.drop(e.Account)
		}
	case FactorSMS, FactorVoice, FactorEmail:
		if d := r.stores.delivered(e.Type); d != nil {
			d.drop(e.Account)
		}
	case FactorBackupCode:
		if r.stores.Backup != nil {
			r.stores.Backup.drop(e.Account)
		}
	}
}

// enrollAllowed checks the limits of adding a factor of type t to list, replacing lostID if set: the
// lost enrollment must exist, the account stays within MaxFactorsPerAccount, and kinds whose store
// holds one entry per account are enrolled once.
func enrollAllowed(list []Enrollment, t FactorType, lostID string) error {
	n := len(list)
	if lostID != "" {
		if indexOf(list, lostID) < 0 {
			return ErrFactorNotFound
		}
		n--
	}
	if n >= MaxFactorsPerAccount {
		return fmt.Errorf("%w: %d factors enrolled; remove one first", ErrFactorLimit, n)
	}
	switch t {
	case FactorTOTP, FactorSMS, FactorVoice, FactorEmail, FactorBackupCode:
		for _, e := range list {
			if e.Type == t && e.ID != lostID {
				return fmt.Errorf("%w: an account holds one %s factor; replace it instead", ErrFactorLimit, t)
			}
		}
	}
	return nil
}

// authorize asks the gate for the first of txs it grants; with none it returns the error of the
// first (whose message names the factors to pass). A named session of another transaction type
// moves on to the next.
func (r *Registry) authorize(c Change, now time.Time, txs ...TxType) error {
	r.mu.Lock()
	g := r.gate
	r.mu.Unlock()
	if g == nil {
		return fmt.Errorf("%w: registry has no gate to check the step-up", ErrStepUpRequired)
	}
	var first error
	for _, tx := range txs {
		_, err := g.Authorize(AuthorizeRequest{Account: c.Account, Tx: tx, Device: c.Device, SessionID: c.SessionID}, now)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
		if !errors.Is(err, ErrStepUpRequired) && !errors.Is(err, ErrSessionWrongTx) {
			return err
		}
	}
	return first
}

func (s Stores) delivered(t FactorType) *DeliveredCode {
	switch t {
	case FactorSMS:
		return s.SMS
	case FactorVoice:
		return s.Voice
	case FactorEmail:
		return s.Email
	}
	return nil
}

func noStore(t FactorType) error {
	return invalid("the registry has no %s store (Registry.SetStores)", t)
}

// errManaged is the refusal of a store's own enrollment paths once a Registry drives it.
func errManaged(t FactorType) error {
	return invalid("this %s store is driven by a Registry: enroll, replace and remove %s factors through it", t, t)
}

// newID draws a fresh enrollment identifier.
func (r *Registry) newID() (string, error) {
	var b [12]byte
	if _, err := io.ReadFull(r.rnd, b[:]); err != nil {
		return "", fmt.Errorf("mfa: read random identifier: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func indexOf(list []Enrollment, id string) int {
	for i, e := range list {
		if e.ID == id {
			return i
		}
	}
	return -1
}

func conflict[T any](have, want *T) bool { return have != nil && want != nil && have != want }

func pick[T any](want, have *T) *T {
	if want != nil {
		return want
	}
	return have
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := mapKeys(m)
	slices.Sort(out)
	return out
}
