package settlement

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

// envInt reads a positive integer from the environment, or returns def.
func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive integer", name, s)
		}
		return n
	}
	return def
}

// propertyOps is how many random operations one run applies (PROPERTY_OPS raises it for long runs);
// propertySeeds how many seeds run (PROPERTY_SEEDS). The defaults keep the package's tests as fast
// as one seed of 2,500 operations was: the checks cost grows with the ledger, so more seeds of fewer
// operations cover more histories for the same time.
func propertyOps(t *testing.T) int   { return envInt(t, "PROPERTY_OPS", 500) }
func propertySeeds(t *testing.T) int { return envInt(t, "PROPERTY_SEEDS", 8) }

// refModel is the ledger's money as a reference model in unbounded integers: what every account
// and escrow must hold after each operation, given only the operation and its result. A balance
// that wraps around in the ledger's uint64 arithmetic differs from the model (which would go
// negative or beyond 2^64 instead), and conservation is summed without any bound.
type refModel struct {
	minted   *big.Int
	accounts map[string]*big.Int
	escrows  map[string]*refEscrow
	stls     map[string]*refSettlement
}

type refEscrow struct {
	customer                            string
	deposit, balance, settled, refunded *big.Int
}

type refSettlement struct {
	escrow, provider string
	split            Split
	due              int64
	status           SettlementStatus
}

func newRefModel() *refModel {
	return &refModel{minted: new(big.Int), accounts: map[string]*big.Int{}, escrows: map[string]*refEscrow{}, stls: map[string]*refSettlement{}}
}

func bi(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

func (m *refModel) acct(a string) *big.Int {
	if m.accounts[a] == nil {
		m.accounts[a] = new(big.Int)
	}
	return m.accounts[a]
}

func (m *refModel) credit(a string, v *big.Int) { m.acct(a).Add(m.acct(a), v) }
func (m *refModel) debit(a string, v *big.Int)  { m.acct(a).Sub(m.acct(a), v) }

func (m *refModel) pay(id string) {
	s := m.stls[id]
	m.credit(s.provider, bi(s.split.Provider))
	m.credit(PlatformAccount, bi(s.split.Platform))
	m.credit(ValidatorPool, bi(s.split.Validator))
	s.status = SettlementPaid
}

func (m *refModel) returnBalance(id string) {
	e := m.escrows[id]
	m.credit(e.customer, e.balance)
	e.refunded.Add(e.refunded, e.balance)
	e.balance = new(big.Int)
}

// check compares the ledger with the model and verifies conservation in unbounded integers.
func (m *refModel) check(l *Ledger) error {
	maxU64 := bi(math.MaxUint64)
	if m.minted.Cmp(maxU64) > 0 {
		return fmt.Errorf("model minted %s > 2^64-1: a mint that overflows the supply was accepted", m.minted)
	}
	sum := new(big.Int)
	names := make([]string, 0, len(m.accounts))
	for a := range m.accounts {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		want := m.accounts[a]
		if want.Sign() < 0 {
			return fmt.Errorf("account %s would hold %s: an operation debited more than it had and was accepted", a, want)
		}
		got, err := l.Balance(a)
		if err != nil {
			return err
		}
		if bi(got).Cmp(want) != 0 {
			return fmt.Errorf("account %s holds %d, the model %s (a balance wrapped or moved without its operation)", a, got, want)
		}
		sum.Add(sum, want)
	}
	es, err := l.Escrows()
	if err != nil {
		return err
	}
	if len(es) != len(m.escrows) {
		return fmt.Errorf("ledger has %d escrows, model %d", len(es), len(m.escrows))
	}
	for _, e := range es {
		r := m.escrows[e.ID]
		if r == nil {
			return fmt.Errorf("escrow %s is not in the model", e.ID)
		}
		for _, f := range []struct {
			name string
			got  uint64
			want *big.Int
		}{{"deposit", e.Deposit, r.deposit}, {"balance", e.Balance, r.balance}, {"settled", e.Settled, r.settled}, {"refunded", e.Refunded, r.refunded}} {
			if f.want.Sign() < 0 || bi(f.got).Cmp(f.want) != 0 {
				return fmt.Errorf("escrow %s %s is %d, the model %s", e.ID, f.name, f.got, f.want)
			}
		}
		parts := new(big.Int).Add(r.balance, r.settled)
		if parts.Add(parts, r.refunded).Cmp(r.deposit) != 0 {
			return fmt.Errorf("escrow %s: deposit %s ≠ balance + settled + refunded %s (unbounded)", e.ID, r.deposit, parts)
		}
		sum.Add(sum, r.balance)
	}
	for _, s := range m.stls {
		if s.status == SettlementPending || s.status == SettlementDisputed {
			sum.Add(sum, bi(s.split.Gross))
		}
	}
	supply, err := l.Supply()
	if err != nil {
		return err
	}
	if sum.Cmp(m.minted) != 0 || bi(supply).Cmp(m.minted) != 0 {
		return fmt.Errorf("conservation: minted %s, ledger supply %d, accounts + escrows + unpaid settlements %s", m.minted, supply, sum)
	}
	return nil
}

// runRandom applies n random operations (legal and illegal) from seed to a fresh ledger and returns
// the final state hash. With check, after every operation it runs CheckInvariants and compares the
// ledger with the reference model (balances, escrows, conservation, all unbounded).
func runRandom(t *testing.T, seed uint64, n int, check bool) [32]byte {
	h, _ := runRandomStats(t, seed, n, check)
	return h
}

// opStats counts, per operation kind, how many succeeded and how many were refused.
type opStats struct{ ok, refused [12]int }

func runRandomStats(t *testing.T, seed uint64, n int, check bool) ([32]byte, opStats) {
	var st opStats
	rng := rand.New(rand.NewPCG(seed, 99))
	store := kv.NewMem()
	l := NewLedger(store)
	m := newRefModel()
	customers := []string{"c0", "c1", "c2"}
	providers := []string{"p0", "p1"}
	all := append(append([]string{PlatformAccount, ValidatorPool}, customers...), providers...)
	for _, a := range all {
		m.acct(a)
	}
	for _, c := range customers {
		must(t, l.Mint(c, 5_000_000))
		m.credit(c, bi(5_000_000))
		m.minted.Add(m.minted, bi(5_000_000))
	}
	now := t0
	type esc struct {
		id, cust, prov string
		seq            uint64
		end            int64
	}
	var escrows []*esc
	var settled []string
	// pick chooses an escrow, mostly one in state want (so that operations mostly meet escrows they
	// apply to), sometimes any (so that they are refused too).
	pick := func(want EscrowState) *esc {
		if rng.IntN(8) != 0 {
			var c []*esc
			for _, e := range escrows {
				if got, err := l.Escrow(e.id); err == nil && got.State == want {
					c = append(c, e)
				}
			}
			if len(c) > 0 {
				return c[rng.IntN(len(c))]
			}
		}
		return escrows[rng.IntN(len(escrows))]
	}
	// amount is usually small, sometimes at the edge of uint64, to probe wrap-around.
	amount := func(small uint64) uint64 {
		if rng.IntN(16) == 0 {
			return math.MaxUint64 - rng.Uint64N(small)
		}
		return rng.Uint64N(small)
	}
	for i := 0; i < n; i++ {
		now += rng.Int64N(4000)
		var err error
		op := rng.IntN(12)
		switch op {
		case 0, 1:
			c := customers[rng.IntN(len(customers))]
			id := fmt.Sprintf("e%d", i)
			amt := 1 + amount(3_000_000)
			_, err = l.OpenEscrow(OpenEscrow{ID: id, Customer: c, CustomerKey: pub(c), Amount: amt, ExpiresAt: now + 1 + rng.Int64N(400_000)}, now)
			if err == nil {
				escrows = append(escrows, &esc{id: id, cust: c, seq: 1, end: now - 50_000})
				m.debit(c, bi(amt))
				m.escrows[id] = &refEscrow{customer: c, deposit: bi(amt), balance: bi(amt), settled: new(big.Int), refunded: new(big.Int)}
			}
		case 2:
			if len(escrows) > 0 {
				e := pick(EscrowPending)
				e.prov = providers[rng.IntN(len(providers))]
				err = l.ActivateEscrow(e.id, e.prov, pub(e.prov), now)
			}
		case 3, 4, 5:
			if len(escrows) > 0 {
				e := pick(EscrowActive)
				start := e.end
				if rng.IntN(8) == 0 {
					start -= 100 // overlapping: refused
				}
				end := start + 1 + rng.Int64N(3600)
				if end > now {
					end = now
				}
				r := UsageRecord{ChainID: "prop", EscrowID: e.id, Seq: e.seq, Provider: e.prov, Customer: e.cust,
					PeriodStart: start, PeriodEnd: end, Kind: SettlementKind(1 + rng.IntN(3))}
				r.Quantities[rng.IntN(int(NumResources))] = amount(2_000)
				r.UnitPrices = [NumResources]uint64{1000, 300, 10, 90_000, 50}
				signer := e.prov
				if rng.IntN(10) == 0 {
					signer = "mallory"
				}
				var s *Settlement
				s, err = l.Settle(signed(r, signer, e.cust), now)
				if err == nil {
					e.seq++
					e.end = end
					settled = append(settled, s.ID)
					sp := s.Split
					if sum := new(big.Int).Add(bi(sp.Platform), bi(sp.Validator)); sum.Add(sum, bi(sp.Provider)).Cmp(bi(sp.Gross)) != 0 {
						t.Fatalf("seed %d op %d: split %+v does not sum (unbounded)", seed, i, sp)
					}
					me := m.escrows[e.id]
					me.balance.Sub(me.balance, bi(sp.Gross))
					me.settled.Add(me.settled, bi(sp.Gross))
					m.stls[s.ID] = &refSettlement{escrow: e.id, provider: e.prov, split: sp, due: s.DisputeUntil, status: SettlementPending}
					if r.Kind == KindFinal {
						m.returnBalance(e.id)
					}
				}
			}
		case 6:
			if len(settled) > 0 {
				id := settled[rng.IntN(len(settled))]
				if err = l.Dispute(id, now); err == nil {
					m.stls[id].status = SettlementDisputed
				}
			}
		case 7:
			if len(escrows) > 0 {
				e := pick(EscrowDisputed)
				outcome := DisputeOutcome(1 + rng.IntN(2))
				if err = l.ResolveDispute(e.id, outcome, now); err == nil {
					ids := make([]string, 0)
					for id, s := range m.stls {
						if s.escrow == e.id && s.status == SettlementDisputed {
							ids = append(ids, id)
						}
					}
					sort.Strings(ids)
					for _, id := range ids {
						if outcome == ForProvider {
							m.pay(id)
							continue
						}
						s, me := m.stls[id], m.escrows[e.id]
						me.settled.Sub(me.settled, bi(s.split.Gross))
						me.refunded.Add(me.refunded, bi(s.split.Gross))
						m.credit(me.customer, bi(s.split.Gross))
						s.status = SettlementReversed
					}
					m.returnBalance(e.id)
				}
			}
		case 8:
			if len(escrows) > 0 {
				e := escrows[rng.IntN(len(escrows))]
				if err = l.RefundEscrow(e.id, now); err == nil {
					m.returnBalance(e.id)
				}
			}
		case 9:
			var paid []Paid
			paid, err = l.Payout(now)
			if err == nil {
				due := map[string]bool{}
				for id, s := range m.stls {
					if s.status == SettlementPending && s.due <= now {
						due[id] = true
					}
				}
				for _, p := range paid {
					if !due[p.Settlement] {
						t.Fatalf("seed %d op %d: paid %s, which is not a pending settlement due by %d", seed, i, p.Settlement, now)
					}
					delete(due, p.Settlement)
					m.pay(p.Settlement)
				}
				if len(due) > 0 {
					t.Fatalf("seed %d op %d: payout left %d due settlements unpaid", seed, i, len(due))
				}
			}
			if rng.IntN(4) == 0 {
				var ids []string
				if ids, err = l.ExpireEscrows(now); err == nil {
					for _, id := range ids {
						m.returnBalance(id)
					}
				}
			}
		case 10:
			if len(escrows) > 0 {
				e := escrows[rng.IntN(len(escrows))]
				amt := amount(100_000)
				if err = l.TopUp(e.id, amt, now); err == nil {
					me := m.escrows[e.id]
					m.debit(me.customer, bi(amt))
					me.deposit.Add(me.deposit, bi(amt))
					me.balance.Add(me.balance, bi(amt))
				}
			}
		case 11:
			// Mint small amounts, or right at the edge of the supply's range (2^64-1 - supply ± 2).
			a := all[rng.IntN(len(all))]
			amt := rng.Uint64N(1_000_000)
			if rng.IntN(8) == 0 {
				supply, _ := l.Supply()
				amt = math.MaxUint64 - supply
				if d := rng.IntN(5) - 2; d < 0 {
					amt -= uint64(-d)
				} else {
					amt += uint64(d) // past the edge: supply + amt overflows and must be refused
				}
			}
			if err = l.Mint(a, amt); err == nil {
				m.credit(a, bi(amt))
				m.minted.Add(m.minted, bi(amt))
			}
		}
		// Illegal operations are expected; they must change nothing.
		if err == nil {
			st.ok[op]++
		} else {
			st.refused[op]++
		}
		if !check {
			continue
		}
		if err := l.CheckInvariants(); err != nil {
			t.Fatalf("seed %d op %d (kind %d): %v", seed, i, op, err)
		}
		if err := m.check(l); err != nil {
			t.Fatalf("seed %d op %d (kind %d): %v", seed, i, op, err)
		}
	}
	h, err := kv.Hash(store)
	must(t, err)
	return h, st
}

// Across thousands of random operations over several seeds the ledger conserves money, keeps every
// escrow's invariant, never wraps a balance (checked against an unbounded reference model after
// every operation), splits fees exactly, and replaying the same sequence yields the same state hash.
func TestRandomOperations(t *testing.T) {
	n, seeds := propertyOps(t), propertySeeds(t)
	var total opStats
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		a, st := runRandomStats(t, seed, n, true)
		b := runRandom(t, seed, n, false)
		if a != b {
			t.Fatalf("seed %d: replay gave state hash %x, first run %x", seed, b, a)
		}
		for k := range st.ok {
			total.ok[k] += st.ok[k]
			total.refused[k] += st.refused[k]
		}
	}
	// The run is not vacuous: every kind of operation both succeeded and was refused somewhere.
	for k := range total.ok {
		if n*seeds >= 2000 && (total.ok[k] == 0 || total.refused[k] == 0 && k != 9) { // payout has nothing to refuse
			t.Errorf("operation kind %d: %d succeeded, %d refused; the random mix never exercises one side", k, total.ok[k], total.refused[k])
		}
	}
	t.Logf("%d seeds × %d operations: succeeded %v, refused %v", seeds, n, total.ok, total.refused)
	if runRandom(t, 1, 50, false) == runRandom(t, 3, 50, false) {
		t.Fatal("different operation sequences gave the same hash")
	}
}

// Reject twin of the model: a ledger whose balance was wrapped behind its back is caught, even
// though the uint64 sums would hide it.
func TestRefModelCatchesWrap(t *testing.T) {
	store := kv.NewMem()
	l := NewLedger(store)
	m := newRefModel()
	must(t, l.Mint("a", 10))
	must(t, l.Mint("b", 10))
	m.credit("a", bi(10))
	m.credit("b", bi(10))
	m.minted.SetUint64(20)
	must(t, m.check(l))
	// Move 15 from a (which holds 10) to b with raw writes: a wraps to 2^64-5, b is 25, and the
	// uint64 total is still 20.
	must(t, (&tx{store}).setU64(pAcct+"a", 10-15+(1<<64-1)+1))
	must(t, (&tx{store}).setU64(pAcct+"b", 25))
	if err := m.check(l); err == nil {
		t.Fatal("the model missed a wrapped balance")
	}
	m.debit("a", bi(15))
	m.credit("b", bi(15))
	if err := m.check(l); err == nil {
		t.Fatal("the model accepted a negative balance")
	}
}
