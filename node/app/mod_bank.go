package app

import (
	"strconv"

	"github.com/virtengine/sdk/node/tx"
)

func init() {
	handle("bank/send", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgSend)
		if err := debit(c.store, signer.Address, m.Amount); err != nil {
			return err
		}
		if err := credit(c.store, m.To, m.Amount); err != nil {
			return err
		}
		c.emit("transfer", "from", signer.Address.String(), "to", m.To.String(), "amount", strconv.FormatUint(m.Amount, 10))
		return nil
	})
}
