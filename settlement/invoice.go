package settlement

import (
	"fmt"
	"sort"
)

// InvoiceStatus is the state of an invoice (FEATURES.md §7.4).
type InvoiceStatus string

// Invoice statuses.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoicePending       InvoiceStatus = "pending"
	InvoicePaid          InvoiceStatus = "paid"
	InvoicePartiallyPaid InvoiceStatus = "partially_paid"
	InvoiceOverdue       InvoiceStatus = "overdue"
	InvoiceDisputed      InvoiceStatus = "disputed"
	InvoiceCancelled     InvoiceStatus = "cancelled"
	InvoiceRefunded      InvoiceStatus = "refunded"
)

// InvoiceTransitions is the explicit transition table; every other change is refused with a
// TransitionError. cancelled and refunded are terminal.
var InvoiceTransitions = map[InvoiceStatus][]InvoiceStatus{
	InvoiceDraft:         {InvoicePending, InvoiceCancelled},
	InvoicePending:       {InvoicePaid, InvoicePartiallyPaid, InvoiceOverdue, InvoiceDisputed, InvoiceCancelled},
	InvoicePartiallyPaid: {InvoicePaid, InvoicePartiallyPaid, InvoiceOverdue, InvoiceDisputed},
	InvoiceOverdue:       {InvoicePaid, InvoicePartiallyPaid, InvoiceDisputed, InvoiceCancelled},
	InvoiceDisputed:      {InvoicePending, InvoicePaid, InvoiceCancelled, InvoiceRefunded},
	InvoicePaid:          {InvoiceRefunded, InvoiceDisputed},
}

// AllInvoiceStatuses lists every status, for exhaustive tests and help text.
var AllInvoiceStatuses = []InvoiceStatus{InvoiceDraft, InvoicePending, InvoicePaid, InvoicePartiallyPaid,
	InvoiceOverdue, InvoiceDisputed, InvoiceCancelled, InvoiceRefunded}

// InvoiceCanTransition reports whether the table allows from → to.
func InvoiceCanTransition(from, to InvoiceStatus) bool {
	for _, s := range InvoiceTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// InvoiceLine is one line: a resource at one unit price, summed over the period's settlements.
type InvoiceLine struct {
	Resource  Resource `json:"resource"`
	Name      string   `json:"name"`
	Quantity  uint64   `json:"quantity_milli"`
	UnitPrice uint64   `json:"unit_price"`
	Amount    uint64   `json:"amount"`
}

// Invoice bills the settlements of one escrow over a period.
type Invoice struct {
	ID          string        `json:"id"`
	EscrowID    string        `json:"escrow_id"`
	Customer    string        `json:"customer"`
	Provider    string        `json:"provider"`
	PeriodStart int64         `json:"period_start"`
	PeriodEnd   int64         `json:"period_end"`
	Lines       []InvoiceLine `json:"lines"`
	Subtotal    uint64        `json:"subtotal"`
	DiscountBps uint64        `json:"discount_bps"`
	Discount    uint64        `json:"discount"`
	TaxBps      uint64        `json:"tax_bps"`
	Tax         uint64        `json:"tax"`
	Total       uint64        `json:"total"`
	Paid        uint64        `json:"paid"`
	Status      InvoiceStatus `json:"status"`
	CreatedAt   int64         `json:"created_at"`
	DueAt       int64         `json:"due_at"`
	UpdatedAt   int64         `json:"updated_at"`
}

// InvoiceRequest asks for an invoice of an escrow's settlements whose periods lie in
// [PeriodStart, PeriodEnd).
type InvoiceRequest struct {
	ID          string
	EscrowID    string
	PeriodStart int64
	PeriodEnd   int64
	DiscountBps uint64 // discount on the subtotal
	TaxBps      uint64 // tax on the subtotal after discount
	DueAt       int64
}

// ComputeTotals fills Subtotal, Discount, Tax and Total from the lines and rates, with banker's
// rounding: discount = subtotal·d/10⁴ and tax = (subtotal − discount)·t/10⁴, each rounded half to even.
func (inv *Invoice) ComputeTotals() error {
	if inv.DiscountBps > BasisPoints {
		return invalidf("discount %d bp exceeds 100%%", inv.DiscountBps)
	}
	if inv.TaxBps > BasisPoints {
		return invalidf("tax %d bp exceeds 100%%", inv.TaxBps)
	}
	var sub uint64
	for _, l := range inv.Lines {
		var err error
		if sub, err = addChecked(sub, l.Amount); err != nil {
			return err
		}
	}
	disc, _ := MulDivHalfEven(sub, inv.DiscountBps, BasisPoints) // ≤ sub: no overflow
	tax, _ := MulDivHalfEven(sub-disc, inv.TaxBps, BasisPoints)
	total, err := addChecked(sub-disc, tax)
	if err != nil {
		return err
	}
	inv.Subtotal, inv.Discount, inv.Tax, inv.Total = sub, disc, tax, total
	return nil
}

// CreateInvoice builds a draft invoice from the escrow's non-reversed settlements in the period, one
// line per (resource, unit price).
func (l *Ledger) CreateInvoice(req InvoiceRequest, now int64) (*Invoice, error) {
	var inv *Invoice
	err := l.update(func(t *tx) error {
		if err := checkID("invoice", req.ID); err != nil {
			return err
		}
		if req.PeriodEnd <= req.PeriodStart {
			return invalidf("invoice period [%d, %d) is empty", req.PeriodStart, req.PeriodEnd)
		}
		if _, ok, err := t.s.Get([]byte(pInv + req.ID)); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: invoice %q", ErrExists, req.ID)
		}
		e, err := t.escrow(req.EscrowID)
		if err != nil {
			return err
		}
		ss, err := t.settlements(e.ID)
		if err != nil {
			return err
		}
		type key struct {
			r Resource
			p uint64
		}
		agg := map[key]*InvoiceLine{}
		for _, s := range ss {
			if s.Status == SettlementReversed || s.PeriodStart < req.PeriodStart || s.PeriodEnd > req.PeriodEnd {
				continue
			}
			for _, ln := range s.Lines {
				k := key{ln.Resource, ln.UnitPrice}
				il := agg[k]
				if il == nil {
					il = &InvoiceLine{Resource: ln.Resource, Name: ln.Resource.String(), UnitPrice: ln.UnitPrice}
					agg[k] = il
				}
				if il.Quantity, err = addChecked(il.Quantity, ln.Quantity); err != nil {
					return err
				}
				if il.Amount, err = addChecked(il.Amount, ln.Amount); err != nil {
					return err
				}
			}
		}
		if len(agg) > MaxLineItems {
			return invalidf("%d line items exceed %d: invoice a shorter period", len(agg), MaxLineItems)
		}
		inv = &Invoice{ID: req.ID, EscrowID: e.ID, Customer: e.Customer, Provider: e.Provider,
			PeriodStart: req.PeriodStart, PeriodEnd: req.PeriodEnd, DiscountBps: req.DiscountBps, TaxBps: req.TaxBps,
			Status: InvoiceDraft, CreatedAt: now, DueAt: req.DueAt, UpdatedAt: now}
		for _, il := range agg { // sorted below: map order never reaches the state
			inv.Lines = append(inv.Lines, *il)
		}
		sort.Slice(inv.Lines, func(i, j int) bool {
			a, b := inv.Lines[i], inv.Lines[j]
			return a.Resource < b.Resource || (a.Resource == b.Resource && a.UnitPrice < b.UnitPrice)
		})
		if err := inv.ComputeTotals(); err != nil {
			return err
		}
		return t.putJSON(pInv+inv.ID, inv)
	})
	return inv, err
}

// Invoice returns the invoice with the id.
func (l *Ledger) Invoice(id string) (*Invoice, error) {
	var inv Invoice
	ok, err := (&tx{l.store}).getJSON(pInv+id, &inv)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: invoice %q", ErrNotFound, id)
	}
	return &inv, nil
}

func (l *Ledger) invoiceOp(id string, now int64, fn func(inv *Invoice) (InvoiceStatus, error)) (*Invoice, error) {
	var out *Invoice
	err := l.update(func(t *tx) error {
		var inv Invoice
		ok, err := t.getJSON(pInv+id, &inv)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: invoice %q", ErrNotFound, id)
		}
		to, err := fn(&inv)
		if err != nil {
			return err
		}
		if !InvoiceCanTransition(inv.Status, to) {
			return &TransitionError{Kind: "invoice", ID: id, From: string(inv.Status), To: string(to)}
		}
		inv.Status, inv.UpdatedAt = to, now
		out = &inv
		return t.putJSON(pInv+id, &inv)
	})
	return out, err
}

// IssueInvoice sends a draft invoice to the customer (draft → pending).
func (l *Ledger) IssueInvoice(id string, now int64) (*Invoice, error) {
	return l.invoiceOp(id, now, func(*Invoice) (InvoiceStatus, error) { return InvoicePending, nil })
}

// PayInvoice records a payment: paid when the total is covered, partially_paid otherwise. Paying
// more than is owed is refused.
func (l *Ledger) PayInvoice(id string, amount uint64, now int64) (*Invoice, error) {
	return l.invoiceOp(id, now, func(inv *Invoice) (InvoiceStatus, error) {
		if !InvoiceCanTransition(inv.Status, InvoicePartiallyPaid) && !InvoiceCanTransition(inv.Status, InvoicePaid) {
			return "", &TransitionError{Kind: "invoice", ID: id, From: string(inv.Status), To: "paid"}
		}
		if amount == 0 {
			return "", invalidf("payment must be positive")
		}
		if amount > inv.Total-inv.Paid {
			return "", invalidf("payment %d exceeds the %d still owed", amount, inv.Total-inv.Paid)
		}
		inv.Paid += amount
		if inv.Paid == inv.Total {
			return InvoicePaid, nil
		}
		return InvoicePartiallyPaid, nil
	})
}

// MarkOverdue moves a pending or partially paid invoice past its due time to overdue.
func (l *Ledger) MarkOverdue(id string, now int64) (*Invoice, error) {
	return l.invoiceOp(id, now, func(inv *Invoice) (InvoiceStatus, error) {
		if inv.DueAt == 0 || now <= inv.DueAt {
			return "", invalidf("invoice %q is due at %d; it is not overdue at %d", id, inv.DueAt, now)
		}
		return InvoiceOverdue, nil
	})
}

// SetInvoiceStatus applies a status change that needs no amount (disputed, cancelled, refunded,
// pending again after a dispute) through the transition table.
func (l *Ledger) SetInvoiceStatus(id string, to InvoiceStatus, now int64) (*Invoice, error) {
	return l.invoiceOp(id, now, func(inv *Invoice) (InvoiceStatus, error) {
		if to == InvoicePaid || to == InvoicePartiallyPaid {
			return "", invalidf("record payments with PayInvoice")
		}
		if to == InvoiceOverdue {
			return "", invalidf("use MarkOverdue")
		}
		return to, nil
	})
}
