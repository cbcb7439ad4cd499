package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

func init() { addCommand(newSettlementCmd()) }

func newSettlementCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "settlement",
		Short: "Try escrow, usage, settlement, invoices and payouts locally (see `virtengine market -h` for the flow)",
	}
	addStateFlags(c)
	c.AddCommand(stlMintCmd(), stlBalanceCmd(), stlEscrowCmd(), stlUsageCmd(), stlSettleCmd(), stlDisputeCmd(),
		stlInvoiceCmd(), stlPayInvoiceCmd(), stlPayoutCmd(), stlRewardsCmd(), stlCheckCmd())
	return c
}

func stlMintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mint ACCOUNT AMOUNT",
		Short: "Create funds in a local account (a faucet; a node does this only at genesis)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			amt, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("amount %q: an integer in the smallest unit", args[1])
			}
			return withState(func(st *localState, _ int64) error {
				if _, err := st.account(args[0]); err != nil {
					return err
				}
				l := settlement.NewLedger(st.store)
				if err := l.Mint(args[0], amt); err != nil {
					return err
				}
				bal, _ := l.Balance(args[0])
				return emit(cmd, map[string]any{"account": args[0], "balance": bal}, func(w io.Writer) { fmt.Fprintf(w, "%s: %d\n", args[0], bal) })
			})
		},
	}
}

func stlBalanceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "balance [ACCOUNT...]",
		Short: "Show account balances: the named accounts, or every account of the local state",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadState()
			if err != nil {
				return err
			}
			l := settlement.NewLedger(st.store)
			out := map[string]uint64{}
			names := args
			if len(args) == 0 {
				// Every account: those holding money in the ledger and those in the wallet.
				bs, err := l.Balances()
				if err != nil {
					return err
				}
				for _, b := range bs {
					out[b.Account] = b.Balance
				}
				for a := range st.wallet.Accounts {
					if _, ok := out[a]; !ok {
						out[a] = 0
					}
				}
				names = make([]string, 0, len(out))
				for a := range out {
					names = append(names, a)
				}
				sort.Strings(names)
				if len(names) == 0 {
					return emit(cmd, out, func(w io.Writer) {
						fmt.Fprintf(w, "no accounts in %s yet; create one with `virtengine settlement mint ACCOUNT AMOUNT`\n", mktState)
					})
				}
			}
			for _, a := range args {
				if out[a], err = l.Balance(a); err != nil {
					return err
				}
			}
			return emit(cmd, out, func(w io.Writer) {
				for _, a := range names {
					fmt.Fprintf(w, "%s: %d\n", a, out[a])
				}
			})
		},
	}
}

func stlEscrowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "escrow ORDER",
		Short: "Show an order's escrow and its settlements",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadState()
			if err != nil {
				return err
			}
			l := settlement.NewLedger(st.store)
			e, err := l.Escrow(args[0])
			if err != nil {
				return err
			}
			ss, err := l.Settlements(args[0])
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"escrow": e, "settlements": ss}, func(w io.Writer) {
				fmt.Fprintf(w, "escrow %s: %s, deposit %d = balance %d + settled %d + refunded %d\n", e.ID, e.State, e.Deposit, e.Balance, e.Settled, e.Refunded)
				for _, s := range ss {
					fmt.Fprintf(w, "  %s %s: %d (platform %d, validators %d, provider %d), %s, disputable until %d\n",
						s.ID, s.Kind, s.Split.Gross, s.Split.Platform, s.Split.Validator, s.Split.Provider, s.Status, s.DisputeUntil)
				}
			})
		},
	}
}

// relTime parses Unix seconds, or a signed duration (-1h, +30m) relative to base.
func relTime(s string, base int64) (int64, error) {
	if s == "" {
		return base, nil
	}
	if s[0] == '-' || s[0] == '+' {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("time %q: write Unix seconds or a duration like -1h", s)
		}
		return base + int64(d/time.Second), nil
	}
	return strconv.ParseInt(s, 10, 64)
}

func stlUsageCmd() *cobra.Command {
	var order, from, to, out, chain string
	var q [settlement.NumResources]uint64
	var final bool
	c := &cobra.Command{
		Use:   "usage",
		Short: "Meter a lease's usage: a record signed by the provider and countersigned by the customer (both local)",
		Long: `Writes a signed usage record for --order at the lease's unit prices. Quantities are in
milli-units: --cpu 4000 is 4 core-hours. Submit it with "virtengine settlement settle FILE".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at, err := now()
			if err != nil {
				return err
			}
			st, err := loadState()
			if err != nil {
				return err
			}
			m := st.market()
			l, err := m.Lease(order)
			if err != nil {
				return fmt.Errorf("%w (usage is metered for leased orders: accept a bid first)", err)
			}
			e, err := settlement.NewLedger(st.store).Escrow(order)
			if err != nil {
				return err
			}
			r := settlement.UsageRecord{ChainID: chain, EscrowID: order, Seq: e.NextSeq, Provider: l.Provider, Customer: l.Customer,
				Quantities: q, UnitPrices: l.UnitPrices, Kind: settlement.KindPeriodic}
			if final {
				r.Kind = settlement.KindFinal
			}
			if r.PeriodStart, err = relTime(from, at); err != nil {
				return err
			}
			if r.PeriodEnd, err = relTime(to, at); err != nil {
				return err
			}
			if r.PeriodStart < e.SettledThrough {
				r.PeriodStart = e.SettledThrough
			}
			pk, err := st.accountSigner(l.Provider)
			if err != nil {
				return err
			}
			ck, err := st.accountSigner(l.Customer)
			if err != nil {
				return err
			}
			su, err := settlement.SignUsage(r, pk)
			if err != nil {
				return fmt.Errorf("signing as provider %s: %w", l.Provider, err)
			}
			if err := su.Countersign(ck); err != nil {
				return fmt.Errorf("countersigning as customer %s: %w", l.Customer, err)
			}
			amt, err := r.Amount()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out != "" {
				if err := writeFileJSON(out, su, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "usage record %d of %s: %d, written to %s\n", r.Seq, order, amt, out)
				return nil
			}
			return writeJSON(w, su)
		},
	}
	f := c.Flags()
	f.StringVar(&order, "order", "", "leased order")
	f.StringVar(&from, "from", "-1h", "period start: Unix seconds or a duration relative to --at")
	f.StringVar(&to, "to", "", "period end (default --at)")
	f.StringVar(&chain, "chain-id", "local", "chain id the signatures are bound to")
	f.StringVar(&out, "out", "", "write the record to this file instead of stdout")
	f.BoolVar(&final, "final", false, "the last record: closes the escrow and refunds what is left")
	for r, name := range []string{"cpu", "memory", "storage", "gpu", "network"} {
		f.Uint64Var(&q[r], name, 0, "milli-units of "+settlement.Resource(r).String())
	}
	return c
}

func stlSettleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "settle FILE",
		Short: "Settle a signed usage record (from `settlement usage`); - reads stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var b []byte
			var err error
			if args[0] == "-" {
				b, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
			} else {
				b, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			var su settlement.SignedUsage
			if err := json.Unmarshal(b, &su); err != nil {
				return fmt.Errorf("%s is not a signed usage record (%v): make one with `virtengine settlement usage`", args[0], err)
			}
			return withState(func(st *localState, now int64) error {
				s, err := st.market().SubmitUsage(su, now)
				if err != nil {
					return err
				}
				return emit(cmd, s, func(w io.Writer) {
					fmt.Fprintf(w, "settled %s: %d → platform %d, validators %d, provider %d; payable after %d (dispute window)\n",
						s.ID, s.Split.Gross, s.Split.Platform, s.Split.Validator, s.Split.Provider, s.DisputeUntil)
				})
			})
		},
	}
}

func stlDisputeCmd() *cobra.Command {
	var resolve string
	c := &cobra.Command{
		Use:   "dispute SETTLEMENT | --resolve provider|customer ORDER",
		Short: "Dispute a settlement within 7 days, or resolve an order's dispute",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withState(func(st *localState, now int64) error {
				l := settlement.NewLedger(st.store)
				var err error
				switch resolve {
				case "":
					err = l.Dispute(args[0], now)
				case "provider":
					err = l.ResolveDispute(args[0], settlement.ForProvider, now)
				case "customer":
					err = l.ResolveDispute(args[0], settlement.ForCustomer, now)
				default:
					return fmt.Errorf("--resolve %q: use provider or customer", resolve)
				}
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"ok": true}, func(w io.Writer) { fmt.Fprintln(w, "done") })
			})
		},
	}
	c.Flags().StringVar(&resolve, "resolve", "", "resolve the dispute of ORDER in favour of provider or customer")
	return c
}

func stlInvoiceCmd() *cobra.Command {
	var r settlement.InvoiceRequest
	var from, to, due string
	var draft bool
	c := &cobra.Command{
		Use:   "invoice",
		Short: "Invoice an order's settlements over a period (line items per usage type, discount, tax, banker's rounding)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				var err error
				if r.PeriodStart, err = relTime(from, now); err != nil {
					return err
				}
				if r.PeriodEnd, err = relTime(to, now); err != nil {
					return err
				}
				if r.DueAt, err = relTime(due, now); err != nil {
					return err
				}
				l := settlement.NewLedger(st.store)
				inv, err := l.CreateInvoice(r, now)
				if err != nil {
					return err
				}
				if !draft {
					if inv, err = l.IssueInvoice(inv.ID, now); err != nil {
						return err
					}
				}
				return emit(cmd, inv, func(w io.Writer) { printInvoice(w, inv) })
			})
		},
	}
	f := c.Flags()
	f.StringVar(&r.ID, "id", "", "invoice id")
	f.StringVar(&r.EscrowID, "order", "", "order whose settlements are billed")
	f.StringVar(&from, "from", "-720h", "period start (Unix seconds or relative)")
	f.StringVar(&to, "to", "+1s", "period end")
	f.StringVar(&due, "due", "+720h", "due time")
	f.Uint64Var(&r.DiscountBps, "discount-bps", 0, "discount in basis points")
	f.Uint64Var(&r.TaxBps, "tax-bps", 0, "tax in basis points")
	f.BoolVar(&draft, "draft", false, "leave it as a draft instead of issuing it")
	return c
}

func printInvoice(w io.Writer, inv *settlement.Invoice) {
	fmt.Fprintf(w, "invoice %s for %s (%s): %s\n", inv.ID, inv.Customer, inv.EscrowID, inv.Status)
	for _, l := range inv.Lines {
		fmt.Fprintf(w, "  %-18s %12s × %8d = %10d\n", l.Name, milli(l.Quantity), l.UnitPrice, l.Amount)
	}
	fmt.Fprintf(w, "  subtotal %d, discount %d, tax %d, total %d, paid %d\n", inv.Subtotal, inv.Discount, inv.Tax, inv.Total, inv.Paid)
}

func milli(q uint64) string {
	s := fmt.Sprintf("%d.%03d", q/1000, q%1000)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

func stlPayInvoiceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pay-invoice ID AMOUNT",
		Short: "Record a payment on an invoice (partially_paid until the total is covered)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			amt, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("amount %q: an integer in the smallest unit", args[1])
			}
			return withState(func(st *localState, now int64) error {
				inv, err := settlement.NewLedger(st.store).PayInvoice(args[0], amt, now)
				if err != nil {
					return err
				}
				return emit(cmd, inv, func(w io.Writer) { printInvoice(w, inv) })
			})
		},
	}
}

func stlPayoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "payout",
		Short: "Pay every settlement whose 7-day dispute window has closed by --at (try --at +169h)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				paid, err := settlement.NewLedger(st.store).Payout(now)
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"paid": paid}, func(w io.Writer) {
					if len(paid) == 0 {
						fmt.Fprintln(w, "nothing payable yet: settlements are paid 7 days after settling (use --at +169h)")
					}
					for _, p := range paid {
						fmt.Fprintf(w, "paid %s: provider %s %d, platform %d, validator pool %d\n", p.Settlement, p.Provider, p.Split.Provider, p.Split.Platform, p.Split.Validator)
					}
				})
			})
		},
	}
}

func stlRewardsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rewards OPERATOR=WEIGHT...",
		Short: "Distribute the validator pool to node operators in proportion to their measured contribution",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var cs []settlement.Contribution
			for _, a := range args {
				op, w, ok := strings.Cut(a, "=")
				n, err := strconv.ParseUint(w, 10, 64)
				if !ok || err != nil {
					return fmt.Errorf("%q: write OPERATOR=WEIGHT with an integer weight", a)
				}
				cs = append(cs, settlement.Contribution{Operator: op, Weight: n})
			}
			return withState(func(st *localState, _ int64) error {
				rs, err := settlement.NewLedger(st.store).DistributeRewards(cs)
				if err != nil {
					return err
				}
				return emit(cmd, rs, func(w io.Writer) {
					for _, r := range rs {
						fmt.Fprintf(w, "%s: %d\n", r.Operator, r.Amount)
					}
				})
			})
		},
	}
}

func stlCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the ledger's invariants and print the state hash",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := loadState()
			if err != nil {
				return err
			}
			if err := settlement.NewLedger(st.store).CheckInvariants(); err != nil {
				return err
			}
			h, err := kv.Hash(st.store)
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"invariants": "ok", "state_hash": hex.EncodeToString(h[:])}, func(w io.Writer) {
				fmt.Fprintf(w, "invariants ok; state hash %x\n", h)
			})
		},
	}
}
