package settlement

import (
	"errors"
	"testing"
)

func TestInvoiceTransitionTable(t *testing.T) {
	n := 0
	for _, from := range AllInvoiceStatuses {
		for _, to := range AllInvoiceStatuses {
			if InvoiceCanTransition(from, to) {
				n++
			}
		}
	}
	// The table is the contract: pin its size so an edit shows here.
	if n != 21 {
		t.Fatalf("%d legal invoice transitions, want 21", n)
	}
	for _, term := range []InvoiceStatus{InvoiceCancelled, InvoiceRefunded} {
		for _, to := range AllInvoiceStatuses {
			if InvoiceCanTransition(term, to) {
				t.Errorf("%s is terminal but goes to %s", term, to)
			}
		}
	}
}

func TestInvoiceTotalsBankersRounding(t *testing.T) {
	// subtotal 1,250; discount 2% = 25 exactly; tax 10% of 1,225 = 122.5 → 122 (even).
	inv := Invoice{Lines: []InvoiceLine{{Amount: 1000}, {Amount: 250}}, DiscountBps: 200, TaxBps: 1000}
	must(t, inv.ComputeTotals())
	if inv.Subtotal != 1250 || inv.Discount != 25 || inv.Tax != 122 || inv.Total != 1347 {
		t.Fatalf("%+v", inv)
	}
	// tax 10% of 1,235 = 123.5 → 124 (even).
	inv = Invoice{Lines: []InvoiceLine{{Amount: 1235}}, TaxBps: 1000}
	must(t, inv.ComputeTotals())
	if inv.Tax != 124 || inv.Total != 1359 {
		t.Fatalf("%+v", inv)
	}
	inv = Invoice{Lines: []InvoiceLine{{Amount: 1}}, TaxBps: 10_001}
	if err := inv.ComputeTotals(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("tax over 100%%: %v", err)
	}
}

func invoiceFixture(t *testing.T) *fixture {
	f := newFixture(t, 5_000_000)
	r := record(1, t0, t0+3600, 2500, 1000)              // 2.5 core-hours at 1000 → 2500
	r.Quantities[Memory], r.UnitPrices[Memory] = 1500, 3 // 1.5 GB-h at 3 → 4.5 → 4
	_, err := f.l.Settle(signed(r, "prov", "alice"), t0+3600)
	must(t, err)
	r2 := record(2, t0+3600, t0+7200, 2500, 1000)
	r2.Quantities[Memory], r2.UnitPrices[Memory] = 2500, 3 // 7.5 → 8
	_, err = f.l.Settle(signed(r2, "prov", "alice"), t0+7200)
	must(t, err)
	return f
}

func TestInvoiceFromSettlements(t *testing.T) {
	f := invoiceFixture(t)
	inv, err := f.l.CreateInvoice(InvoiceRequest{ID: "inv-1", EscrowID: "ord-1", PeriodStart: t0, PeriodEnd: t0 + 7200, TaxBps: 2000, DueAt: t0 + 86400}, t0+7200)
	must(t, err)
	if len(inv.Lines) != 2 || inv.Lines[0].Name != "cpu_core_hours" || inv.Lines[0].Quantity != 5000 || inv.Lines[0].Amount != 5000 ||
		inv.Lines[1].Quantity != 4000 || inv.Lines[1].Amount != 12 {
		t.Fatalf("lines %+v", inv.Lines)
	}
	if inv.Subtotal != 5012 || inv.Tax != 1002 || inv.Total != 6014 || inv.Status != InvoiceDraft {
		t.Fatalf("%+v", inv)
	}
	if _, err := f.l.CreateInvoice(InvoiceRequest{ID: "inv-1", EscrowID: "ord-1", PeriodStart: t0, PeriodEnd: t0 + 1}, t0); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate invoice: %v", err)
	}
	if _, err := f.l.PayInvoice("inv-1", 1, t0); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("paying a draft: %v", err)
	}
	_, err = f.l.IssueInvoice("inv-1", t0+7300)
	must(t, err)
	if _, err := f.l.MarkOverdue("inv-1", t0+86400); !errors.Is(err, ErrInvalid) {
		t.Fatalf("overdue before due: %v", err)
	}
	inv, err = f.l.PayInvoice("inv-1", 1000, t0+8000)
	must(t, err)
	if inv.Status != InvoicePartiallyPaid {
		t.Fatalf("status %s", inv.Status)
	}
	inv, err = f.l.MarkOverdue("inv-1", t0+86401)
	must(t, err)
	if inv.Status != InvoiceOverdue {
		t.Fatal(inv.Status)
	}
	if _, err := f.l.PayInvoice("inv-1", 6000, t0+86402); !errors.Is(err, ErrInvalid) {
		t.Fatalf("overpayment: %v", err)
	}
	inv, err = f.l.PayInvoice("inv-1", 5014, t0+86402)
	must(t, err)
	if inv.Status != InvoicePaid || inv.Paid != inv.Total {
		t.Fatalf("%+v", inv)
	}
	if _, err := f.l.SetInvoiceStatus("inv-1", InvoiceCancelled, t0+86403); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("cancelling a paid invoice: %v", err)
	}
	_, err = f.l.SetInvoiceStatus("inv-1", InvoiceRefunded, t0+86404)
	must(t, err)
	var te *TransitionError
	if _, err := f.l.SetInvoiceStatus("inv-1", InvoicePending, t0+86405); !errors.As(err, &te) || te.From != "refunded" {
		t.Fatalf("leaving refunded: %v", err)
	}
}

// Every status change through the public API agrees with the table.
func TestInvoiceEveryTransition(t *testing.T) {
	// paths from draft to reach each status
	reach := map[InvoiceStatus][]InvoiceStatus{
		InvoiceDraft:         nil,
		InvoicePending:       {InvoicePending},
		InvoiceDisputed:      {InvoicePending, InvoiceDisputed},
		InvoiceCancelled:     {InvoiceCancelled},
		InvoiceRefunded:      {InvoicePending, InvoiceDisputed, InvoiceRefunded},
		InvoiceOverdue:       {InvoicePending, InvoiceOverdue},
		InvoicePartiallyPaid: {InvoicePending, InvoicePartiallyPaid},
		InvoicePaid:          {InvoicePending, InvoicePaid},
	}
	apply := func(f *fixture, id string, to InvoiceStatus, now int64) error {
		switch to {
		case InvoicePaid:
			inv, _ := f.l.Invoice(id)
			_, err := f.l.PayInvoice(id, inv.Total-inv.Paid, now)
			return err
		case InvoicePartiallyPaid:
			_, err := f.l.PayInvoice(id, 1, now)
			return err
		case InvoiceOverdue:
			_, err := f.l.MarkOverdue(id, now)
			return err
		}
		_, err := f.l.SetInvoiceStatus(id, to, now)
		return err
	}
	f := invoiceFixture(t)
	n := 0
	for _, from := range AllInvoiceStatuses {
		for _, to := range AllInvoiceStatuses {
			n++
			id := "inv-" + string(rune('a'+n/26)) + string(rune('a'+n%26))
			_, err := f.l.CreateInvoice(InvoiceRequest{ID: id, EscrowID: "ord-1", PeriodStart: t0, PeriodEnd: t0 + 7200, DueAt: t0 + 10}, t0)
			must(t, err)
			for _, s := range reach[from] {
				must(t, apply(f, id, s, t0+100))
			}
			inv, _ := f.l.Invoice(id)
			if inv.Status != from {
				t.Fatalf("set-up reached %s, want %s", inv.Status, from)
			}
			err = apply(f, id, to, t0+200)
			// Paying a partially paid invoice partly stays partially_paid (a legal self-loop).
			if want := InvoiceCanTransition(from, to); (err == nil) != want {
				t.Errorf("%s → %s: err=%v, table says allowed=%v", from, to, err, want)
			} else if err != nil && !errors.Is(err, ErrBadTransition) {
				t.Errorf("%s → %s refused with %v, want ErrBadTransition", from, to, err)
			}
		}
	}
}
