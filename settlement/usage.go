package settlement

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Resource is a metered resource type (FEATURES.md §7.2).
type Resource uint8

// Metered resources. Quantities are in milli-units (MilliUnits per unit): milli-core-hours of CPU,
// milli-GB-hours of memory and storage, milli-GPU-hours, milli-GB of network transfer.
const (
	CPU     Resource = iota // core-hours
	Memory                  // GB-hours
	Storage                 // GB-hours
	GPU                     // GPU-hours
	Network                 // GB transferred
	NumResources
)

var resourceNames = [NumResources]string{"cpu_core_hours", "memory_gb_hours", "storage_gb_hours", "gpu_hours", "network_gb"}

func (r Resource) String() string {
	if r < NumResources {
		return resourceNames[r]
	}
	return fmt.Sprintf("resource(%d)", uint8(r))
}

// SettlementKind says why a usage record is settled (FEATURES.md §7.3).
type SettlementKind uint8

// Settlement kinds. A final settlement closes the escrow: its remaining balance goes back to the
// customer and the escrow is released once every settlement has been paid out.
const (
	KindPeriodic SettlementKind = 1
	KindUsage    SettlementKind = 2
	KindFinal    SettlementKind = 3
)

func (k SettlementKind) String() string {
	switch k {
	case KindPeriodic:
		return "periodic"
	case KindUsage:
		return "usage"
	case KindFinal:
		return "final"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// UsageRecord is what a provider metered for one escrow over [PeriodStart, PeriodEnd), priced at
// UnitPrices (smallest currency unit per whole unit of each resource).
type UsageRecord struct {
	ChainID     string               `json:"chain_id"` // binds the signatures to one network
	EscrowID    string               `json:"escrow_id"`
	Seq         uint64               `json:"seq"` // must equal the escrow's NextSeq
	Provider    string               `json:"provider"`
	Customer    string               `json:"customer"`
	PeriodStart int64                `json:"period_start"`
	PeriodEnd   int64                `json:"period_end"`
	Kind        SettlementKind       `json:"kind"`
	Quantities  [NumResources]uint64 `json:"quantities_milli"`
	UnitPrices  [NumResources]uint64 `json:"unit_prices"`
	Corrects    uint64               `json:"corrects,omitempty"` // seq of the settlement this record corrects, 0 if none
}

// SignedUsage is a usage record with the provider's signature over its encoding and the customer's
// countersignature over the encoding followed by the provider's signature.
type SignedUsage struct {
	Record      UsageRecord `json:"record"`
	ProviderSig []byte      `json:"provider_sig"`
	CustomerSig []byte      `json:"customer_sig"`
}

// usageMagic starts every encoded usage record: a domain separator and the format version.
const usageMagic = "virtengine/usage/v1\x00"

// Encode returns the canonical encoding of r, the bytes both parties sign:
//
//	"virtengine/usage/v1\x00"
//	str(chain_id) str(escrow_id) u64(seq) str(provider) str(customer)
//	i64(period_start) i64(period_end) u8(kind) 5×u64(quantity) 5×u64(unit_price) u64(corrects)
//
// str is a uvarint length followed by the bytes; integers are big-endian, fixed width. Exactly one
// encoding exists per record, and DecodeUsage refuses any other.
func (r UsageRecord) Encode() []byte {
	b := make([]byte, 0, 160+len(r.ChainID)+len(r.EscrowID)+len(r.Provider)+len(r.Customer))
	b = append(b, usageMagic...)
	for _, s := range []string{r.ChainID, r.EscrowID} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint64(b, r.Seq)
	for _, s := range []string{r.Provider, r.Customer} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(r.PeriodStart))
	b = binary.BigEndian.AppendUint64(b, uint64(r.PeriodEnd))
	b = append(b, byte(r.Kind))
	for _, q := range r.Quantities {
		b = binary.BigEndian.AppendUint64(b, q)
	}
	for _, p := range r.UnitPrices {
		b = binary.BigEndian.AppendUint64(b, p)
	}
	return binary.BigEndian.AppendUint64(b, r.Corrects)
}

// DecodeUsage parses a canonical usage record. It accepts exactly the output of Encode: every
// malformed, truncated, over-long or non-minimal input is refused with an error wrapping ErrMalformed.
func DecodeUsage(b []byte) (*UsageRecord, error) {
	if len(b) > MaxUsageRecordLen {
		return nil, fmt.Errorf("%w: usage record of %d bytes exceeds %d", ErrMalformed, len(b), MaxUsageRecordLen)
	}
	d := decoder{b: b}
	if !d.magic(usageMagic) {
		return nil, fmt.Errorf("%w: not a v1 usage record", ErrMalformed)
	}
	var r UsageRecord
	r.ChainID = d.str()
	r.EscrowID = d.str()
	r.Seq = d.u64()
	r.Provider = d.str()
	r.Customer = d.str()
	r.PeriodStart = int64(d.u64())
	r.PeriodEnd = int64(d.u64())
	r.Kind = SettlementKind(d.u8())
	for i := range r.Quantities {
		r.Quantities[i] = d.u64()
	}
	for i := range r.UnitPrices {
		r.UnitPrices[i] = d.u64()
	}
	r.Corrects = d.u64()
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b))
	}
	return &r, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or invalid %s", ErrMalformed, what)
	}
	d.b = nil
}

func (d *decoder) magic(m string) bool {
	if len(d.b) < len(m) || string(d.b[:len(m)]) != m {
		return false
	}
	d.b = d.b[len(m):]
	return true
}

func (d *decoder) str() string {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) || n > MaxIDLen || k != uvarintLen(n) {
		d.fail("string")
		return ""
	}
	s := string(d.b[k : k+int(n)])
	d.b = d.b[k+int(n):]
	return s
}

func uvarintLen(n uint64) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], n)
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail("integer")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) u8() uint8 {
	if len(d.b) < 1 {
		d.fail("byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// Hash is the record's identity for replay protection: SHA-256 of its encoding.
func (r UsageRecord) Hash() [32]byte { return sha256.Sum256(r.Encode()) }

// Validate checks the record's own fields (not the escrow it refers to).
func (r UsageRecord) Validate() error {
	for _, f := range []struct{ name, v string }{{"escrow", r.EscrowID}, {"provider", r.Provider}, {"customer", r.Customer}} {
		if err := checkID(f.name, f.v); err != nil {
			return err
		}
	}
	if len(r.ChainID) > MaxIDLen {
		return invalidf("chain id longer than %d bytes", MaxIDLen)
	}
	if r.PeriodEnd <= r.PeriodStart {
		return invalidf("usage period [%d, %d) is empty", r.PeriodStart, r.PeriodEnd)
	}
	if r.Kind < KindPeriodic || r.Kind > KindFinal {
		return invalidf("unknown settlement kind %d", r.Kind)
	}
	if _, err := r.Lines(); err != nil {
		return err
	}
	return nil
}

// Line is the charge for one resource of a usage record.
type Line struct {
	Resource  Resource `json:"resource"`
	Quantity  uint64   `json:"quantity_milli"`
	UnitPrice uint64   `json:"unit_price"`
	Amount    uint64   `json:"amount"`
}

// Lines returns the charge per resource: quantity × unit price / 1000 with banker's rounding, for
// every resource with a non-zero quantity, in resource order.
func (r UsageRecord) Lines() ([]Line, error) {
	var out []Line
	for i := Resource(0); i < NumResources; i++ {
		q, p := r.Quantities[i], r.UnitPrices[i]
		if q == 0 {
			continue
		}
		a, ok := MulDivHalfEven(q, p, MilliUnits)
		if !ok {
			return nil, fmt.Errorf("%w: %s charge", ErrOverflow, i)
		}
		out = append(out, Line{Resource: i, Quantity: q, UnitPrice: p, Amount: a})
	}
	return out, nil
}

// Amount is the record's total charge, the sum of its lines.
func (r UsageRecord) Amount() (uint64, error) {
	lines, err := r.Lines()
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, l := range lines {
		if total, err = addChecked(total, l.Amount); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// SignUsage returns the record signed by the provider (Ed25519, RFC 8032) with no countersignature.
// A provider key that is not a 64-byte Ed25519 private key gives ErrBadKey.
func SignUsage(r UsageRecord, provider ed25519.PrivateKey) (SignedUsage, error) {
	if err := checkPrivateKey("provider", provider); err != nil {
		return SignedUsage{}, err
	}
	return SignedUsage{Record: r, ProviderSig: ed25519.Sign(provider, r.Encode())}, nil
}

// Countersign adds the customer's signature over the encoding followed by the provider's signature,
// so the customer agrees to exactly what the provider signed. A customer key that is not a 64-byte
// Ed25519 private key gives ErrBadKey and leaves s unchanged.
func (s *SignedUsage) Countersign(customer ed25519.PrivateKey) error {
	if err := checkPrivateKey("customer", customer); err != nil {
		return err
	}
	s.CustomerSig = ed25519.Sign(customer, countersignMsg(s.Record.Encode(), s.ProviderSig))
	return nil
}

// checkPrivateKey refuses a key ed25519.Sign would panic on.
func checkPrivateKey(role string, k ed25519.PrivateKey) error {
	if len(k) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: %s key is %d bytes, want a %d-byte Ed25519 private key (ed25519.NewKeyFromSeed of the 32-byte seed)",
			ErrBadKey, role, len(k), ed25519.PrivateKeySize)
	}
	return nil
}

func countersignMsg(enc, providerSig []byte) []byte {
	m := make([]byte, 0, len(enc)+len(providerSig))
	return append(append(m, enc...), providerSig...)
}

// Verify checks both signatures against the given keys.
func (s *SignedUsage) Verify(providerKey, customerKey ed25519.PublicKey) error {
	enc := s.Record.Encode()
	if len(providerKey) != ed25519.PublicKeySize || !ed25519.Verify(providerKey, enc, s.ProviderSig) {
		return fmt.Errorf("%w: provider signature does not verify (sign the record with the lease's provider key)", ErrBadSignature)
	}
	if len(customerKey) != ed25519.PublicKeySize || !ed25519.Verify(customerKey, countersignMsg(enc, s.ProviderSig), s.CustomerSig) {
		return fmt.Errorf("%w: customer countersignature does not verify (the order's customer key must countersign)", ErrBadSignature)
	}
	return nil
}
