package mfa

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// Persistence. The factor stores keep their state in memory; Export and Import move it to and from
// storage as a SealedState: one record per account, sealed under a caller's StateKey (seal.go), so
// stored state holds no secret, counter or destination in plaintext and cannot be edited or moved
// between accounts unnoticed. Open ceremonies and pending codes are not exported: they expire within
// minutes anyway. Import a store before handing it to a Registry (Registry.SetStores records what it
// holds); a store the registry drives refuses Import, which would change its factors behind the
// registry's limit and step-up rules.

func sortRecords(rs []SealedRecord) {
	slices.SortFunc(rs, func(a, b SealedRecord) int { return strings.Compare(a.Account, b.Account) })
}

// passkeyRecord is the sealed state of one account's passkeys: its user handle and credential
// records (public key, counter, flags, attestation) with their dates. Nothing here is secret, but a
// changed public key or counter would let another authenticator in, so it is sealed like the rest.
type passkeyRecord struct {
	Handle      []byte             `json:"handle"`
	Credentials []storedCredential `json:"credentials"`
}

type storedCredential struct {
	Record     webauthn.Credential `json:"record"`
	CreatedAt  time.Time           `json:"created_at"`
	LastUsedAt time.Time           `json:"last_used_at"`
}

// Export seals the registered passkeys of every account under key.
func (p *Passkeys) Export(key *StateKey) (SealedState, error) {
	if key == nil {
		return SealedState{}, invalid("nil state key")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := SealedState{Factor: FactorFIDO2, Accounts: []SealedRecord{}}
	for _, u := range p.users {
		rec := passkeyRecord{Handle: u.handle}
		for i := range u.creds {
			rec.Credentials = append(rec.Credentials, storedCredential{Record: u.creds[i], CreatedAt: u.created[i], LastUsedAt: u.used[i]})
		}
		sealed, err := key.seal(FactorFIDO2, u.account, rec)
		if err != nil {
			return SealedState{}, err
		}
		st.Accounts = append(st.Accounts, SealedRecord{Account: u.account, Sealed: sealed})
	}
	sortRecords(st.Accounts)
	return st, nil
}

// Import replaces the registered passkeys with st, sealed under key. It refuses a record that does
// not open (ErrSealedState), a duplicated account, a credential ID used twice, or more than
// MaxFactorsPerAccount credentials on an account; on any error the store is unchanged.
func (p *Passkeys) Import(key *StateKey, st SealedState) error {
	if err := checkState(key, FactorFIDO2, st); err != nil {
		return err
	}
	users := map[string]*passkeyUser{}
	owners := map[string]string{}
	for i, a := range st.Accounts {
		var rec passkeyRecord
		if err := key.open(FactorFIDO2, a.Account, a.Sealed, &rec); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if len(rec.Handle) == 0 || len(rec.Handle) > 64 { // §5.4.3: a user handle is 1–64 bytes
			return invalid("record %d: user handle of %d bytes", i, len(rec.Handle))
		}
		if len(rec.Credentials) > MaxFactorsPerAccount {
			return fmt.Errorf("%w: record %d has %d passkeys", ErrFactorLimit, i, len(rec.Credentials))
		}
		u := &passkeyUser{account: a.Account, handle: rec.Handle}
		for _, c := range rec.Credentials {
			if len(c.Record.ID) == 0 || len(c.Record.PublicKey) == 0 {
				return invalid("record %d: credential without ID or public key", i)
			}
			if _, dup := owners[string(c.Record.ID)]; dup {
				return invalid("record %d: credential ID used twice", i)
			}
			owners[string(c.Record.ID)] = a.Account
			u.creds = append(u.creds, c.Record)
			u.created = append(u.created, c.CreatedAt)
			u.used = append(u.used, c.LastUsedAt)
		}
		users[a.Account] = u
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registry != nil {
		return errManaged(FactorFIDO2)
	}
	p.users, p.owners = users, owners
	return nil
}

// otpRecord is the sealed state of one account's TOTP or HOTP key: the key with its secret and the
// replay state (last time step used, or the HOTP counter), which keeps replay protection across
// restarts.
type otpRecord struct {
	Type        string    `json:"type"`
	Issuer      string    `json:"issuer"`
	AccountName string    `json:"account_name"`
	Secret      []byte    `json:"secret"`
	Algorithm   Algorithm `json:"algorithm"`
	Digits      int       `json:"digits"`
	Period      uint32    `json:"period"`
	Counter     uint64    `json:"counter"`
	LastStep    uint64    `json:"last_step"`
	Used        bool      `json:"used"`
}

// Export seals every enrolled key, with its replay state, under key.
func (t *TOTP) Export(key *StateKey) (SealedState, error) {
	if key == nil {
		return SealedState{}, invalid("nil state key")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := SealedState{Factor: FactorTOTP, Accounts: []SealedRecord{}}
	for acct, s := range t.keys {
		k := s.key
		sealed, err := key.seal(FactorTOTP, acct, otpRecord{
			Type: k.Type, Issuer: k.Issuer, AccountName: k.AccountName, Secret: k.Secret, Algorithm: k.Algorithm,
			Digits: k.Digits, Period: k.Period, Counter: k.Counter, LastStep: s.lastStep, Used: s.used,
		})
		if err != nil {
			return SealedState{}, err
		}
		st.Accounts = append(st.Accounts, SealedRecord{Account: acct, Sealed: sealed})
	}
	sortRecords(st.Accounts)
	return st, nil
}

// Import replaces the enrolled keys with st, sealed under key, validating each. It refuses a record
// that does not open (ErrSealedState) or holds an invalid key; on any error the store is unchanged.
func (t *TOTP) Import(key *StateKey, st SealedState) error {
	if err := checkState(key, FactorTOTP, st); err != nil {
		return err
	}
	keys := map[string]*otpState{}
	for i, a := range st.Accounts {
		var r otpRecord
		if err := key.open(FactorTOTP, a.Account, a.Sealed, &r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		k := OTPKey{Type: r.Type, Issuer: r.Issuer, AccountName: r.AccountName, Secret: r.Secret, Algorithm: r.Algorithm,
			Digits: r.Digits, Period: r.Period, Counter: r.Counter}
		if err := k.validate(); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		keys[a.Account] = &otpState{key: k, lastStep: r.LastStep, used: r.Used}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.owner != nil {
		return errManaged(FactorTOTP)
	}
	t.keys = keys
	return nil
}

// backupRecord is the sealed state of one account's backup codes: the salt, the salted hashes and
// which codes were used.
type backupRecord struct {
	Salt   []byte   `json:"salt"`
	Hashes [][]byte `json:"hashes"`
	Used   []bool   `json:"used"`
}

// Export seals every account's backup-code hashes and used flags under key. The codes themselves
// were never kept.
func (b *BackupCodes) Export(key *StateKey) (SealedState, error) {
	if key == nil {
		return SealedState{}, invalid("nil state key")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := SealedState{Factor: FactorBackupCode, Accounts: []SealedRecord{}}
	for acct, s := range b.sets {
		r := backupRecord{Salt: s.salt[:], Used: s.used}
		for i := range s.hashes {
			r.Hashes = append(r.Hashes, s.hashes[i][:])
		}
		sealed, err := key.seal(FactorBackupCode, acct, r)
		if err != nil {
			return SealedState{}, err
		}
		st.Accounts = append(st.Accounts, SealedRecord{Account: acct, Sealed: sealed})
	}
	sortRecords(st.Accounts)
	return st, nil
}

// Import replaces every account's backup codes with st, sealed under key. It refuses a record that
// does not open (ErrSealedState) or is malformed; on any error the store is unchanged.
func (b *BackupCodes) Import(key *StateKey, st SealedState) error {
	if err := checkState(key, FactorBackupCode, st); err != nil {
		return err
	}
	sets := map[string]*backupSet{}
	for i, a := range st.Accounts {
		var r backupRecord
		if err := key.open(FactorBackupCode, a.Account, a.Sealed, &r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if len(r.Salt) != 16 || len(r.Hashes) == 0 || len(r.Hashes) > BackupCodeCount || len(r.Used) != len(r.Hashes) {
			return invalid("record %d: malformed backup codes", i)
		}
		s := &backupSet{hashes: make([][32]byte, len(r.Hashes)), used: r.Used}
		copy(s.salt[:], r.Salt)
		for j, h := range r.Hashes {
			if len(h) != 32 {
				return invalid("record %d: malformed backup codes", i)
			}
			copy(s.hashes[j][:], h)
		}
		sets[a.Account] = s
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.owner != nil {
		return errManaged(FactorBackupCode)
	}
	b.sets = sets
	return nil
}

// deliveredRecord is the sealed state of one account on a delivered-code channel: the destination
// (personal data) and the recent sends that the rate limit counts.
type deliveredRecord struct {
	Destination string      `json:"destination"`
	Sends       []time.Time `json:"sends,omitempty"`
}

// Export seals every account's destination and recent sends under key. Pending codes are not
// exported.
func (d *DeliveredCode) Export(key *StateKey) (SealedState, error) {
	if key == nil {
		return SealedState{}, invalid("nil state key")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st := SealedState{Factor: d.channel, Accounts: []SealedRecord{}}
	for acct, dest := range d.dests {
		sealed, err := key.seal(d.channel, acct, deliveredRecord{Destination: dest, Sends: d.sends[acct]})
		if err != nil {
			return SealedState{}, err
		}
		st.Accounts = append(st.Accounts, SealedRecord{Account: acct, Sealed: sealed})
	}
	sortRecords(st.Accounts)
	return st, nil
}

// Import replaces the destinations and send history with st, sealed under key for this channel.
// Pending codes are dropped. On any error the store is unchanged.
func (d *DeliveredCode) Import(key *StateKey, st SealedState) error {
	if err := checkState(key, d.channel, st); err != nil {
		return err
	}
	dests := map[string]string{}
	sends := map[string][]time.Time{}
	for i, a := range st.Accounts {
		var r deliveredRecord
		if err := key.open(d.channel, a.Account, a.Sealed, &r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if r.Destination == "" || len(r.Destination) > MaxDestinationLen || len(r.Sends) > DeliveredCodesPerHour {
			return invalid("record %d: malformed destination or send history", i)
		}
		dests[a.Account] = r.Destination
		if len(r.Sends) > 0 {
			sends[a.Account] = r.Sends
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.owner != nil {
		return errManaged(d.channel)
	}
	d.dests, d.sends, d.codes = dests, sends, map[string]*pendingCode{}
	return nil
}
