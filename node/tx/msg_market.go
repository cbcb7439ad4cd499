package tx

func init() {
	register(func() Msg { return &MsgCreateOffering{} })
	register(func() Msg { return &MsgCreateOrder{} })
	register(func() Msg { return &MsgBid{} })
	register(func() Msg { return &MsgAcceptBid{} })
	register(func() Msg { return &MsgOrderStep{} })
	register(func() Msg { return &MsgSubmitUsage{} })
	register(func() Msg { return &MsgDeposit{} })
	register(func() Msg { return &MsgWithdraw{} })
	register(func() Msg { return &MsgCreateInvoice{} })
	register(func() Msg { return &MsgSubmitJob{} })
	register(func() Msg { return &MsgUpdateJob{} })
}

// Price is one unit price of an offering (resource numbers are settlement.Resource).
type Price struct {
	Resource uint8  `cbor:"1,keyasint"`
	Unit     string `cbor:"2,keyasint"` // hourly, monthly, usage, fixed
	Price    uint64 `cbor:"3,keyasint"`
}

// Qty is an amount of one resource.
type Qty struct {
	Resource uint8  `cbor:"1,keyasint"`
	Amount   uint64 `cbor:"2,keyasint"`
}

// MsgCreateOffering publishes a provider's offering (the signer is the provider).
type MsgCreateOffering struct {
	ID          string   `cbor:"1,keyasint"`
	Category    string   `cbor:"2,keyasint"`
	Prices      []Price  `cbor:"3,keyasint"`
	Regions     []string `cbor:"4,keyasint"`
	MinBid      uint64   `cbor:"5,keyasint"`
	ProviderKey []byte   `cbor:"6,keyasint"` // Ed25519 key that signs usage records
	EnvKeyID    string   `cbor:"7,keyasint"` // hex envelope key id configurations are sealed to
	MinScore    uint32   `cbor:"8,keyasint"`
	MFA         bool     `cbor:"9,keyasint"`
	Secrets     []byte   `cbor:"10,keyasint,omitempty"` // envelope to the provider
}

func (*MsgCreateOffering) Type() string      { return "market/create_offering" }
func (m *MsgCreateOffering) Validate() error { return needID("id", m.ID) }

// MsgCreateOrder places an order; the deposit is locked in escrow from the signer's settlement balance.
type MsgCreateOrder struct {
	ID          string `cbor:"1,keyasint"`
	OfferingID  string `cbor:"2,keyasint"`
	Category    string `cbor:"3,keyasint"`
	Region      string `cbor:"4,keyasint"`
	Resources   []Qty  `cbor:"5,keyasint"`
	MaxPrice    uint64 `cbor:"6,keyasint"`
	Duration    int64  `cbor:"7,keyasint"`
	Deposit     uint64 `cbor:"8,keyasint"`
	CustomerKey []byte `cbor:"9,keyasint"` // Ed25519 key that countersigns usage
	EnvKeyID    string `cbor:"10,keyasint"`
	Config      []byte `cbor:"11,keyasint"` // envelope to the customer and the provider
}

func (*MsgCreateOrder) Type() string      { return "market/create_order" }
func (m *MsgCreateOrder) Validate() error { return needID("id", m.ID) }

// OrderValue is the order's value for the MFA policy (FEATURES.md §4.3 "order > 1,000").
func (m *MsgCreateOrder) OrderValue() uint64 { return m.Deposit }

// MsgBid is a provider's bid on an order from one of its offerings.
type MsgBid struct {
	OrderID    string `cbor:"1,keyasint"`
	OfferingID string `cbor:"2,keyasint"`
	MarkupBps  uint64 `cbor:"3,keyasint"`
}

func (*MsgBid) Type() string      { return "market/bid" }
func (m *MsgBid) Validate() error { return needID("order_id", m.OrderID) }

// MsgAcceptBid accepts a bid; Config optionally re-seals the configuration to the winner.
type MsgAcceptBid struct {
	OrderID string `cbor:"1,keyasint"`
	BidID   string `cbor:"2,keyasint"`
	Config  []byte `cbor:"3,keyasint,omitempty"`
}

func (*MsgAcceptBid) Type() string      { return "market/accept_bid" }
func (m *MsgAcceptBid) Validate() error { return needID("order_id", m.OrderID) }

// Order steps of MsgOrderStep.
const (
	StepProvision        = "provision"
	StepDeployed         = "deployed"
	StepRequestTerminate = "request_termination"
	StepTerminate        = "terminate"
	StepCancel           = "cancel"
)

// MsgOrderStep moves an order through its life cycle (the provider provisions and reports the
// deployment as an envelope to the customer; either side terminates).
type MsgOrderStep struct {
	OrderID string `cbor:"1,keyasint"`
	Step    string `cbor:"2,keyasint"`
	Result  []byte `cbor:"3,keyasint,omitempty"`
}

func (*MsgOrderStep) Type() string { return "market/order_step" }
func (m *MsgOrderStep) Validate() error {
	switch m.Step {
	case StepProvision, StepDeployed, StepRequestTerminate, StepTerminate, StepCancel:
		return needID("order_id", m.OrderID)
	}
	return fieldErr(ErrInvalidMsg, "step", "provision, deployed, request_termination, terminate or cancel")
}

// MsgSubmitUsage settles a usage record signed by the provider and countersigned by the customer.
type MsgSubmitUsage struct {
	Record      []byte `cbor:"1,keyasint"` // settlement.UsageRecord.Encode()
	ProviderSig []byte `cbor:"2,keyasint"`
	CustomerSig []byte `cbor:"3,keyasint"`
}

func (*MsgSubmitUsage) Type() string { return "settlement/usage" }
func (m *MsgSubmitUsage) Validate() error {
	if len(m.Record) == 0 || len(m.ProviderSig) != 64 || len(m.CustomerSig) != 64 {
		return fieldErr(ErrInvalidMsg, "usage", "a record and two 64-byte signatures")
	}
	return nil
}

// MsgDeposit moves Amount from the signer's bank balance to its settlement balance (for escrow).
type MsgDeposit struct {
	Amount uint64 `cbor:"1,keyasint"`
}

func (*MsgDeposit) Type() string      { return "settlement/deposit" }
func (m *MsgDeposit) Validate() error { return positive(m.Amount) }

// MsgWithdraw moves Amount from the signer's settlement balance (payouts) back to its bank balance.
type MsgWithdraw struct {
	Amount uint64 `cbor:"1,keyasint"`
}

func (*MsgWithdraw) Type() string      { return "settlement/withdraw" }
func (m *MsgWithdraw) Validate() error { return positive(m.Amount) }

// MsgCreateInvoice invoices an order's settlements over a period (the provider issues it).
type MsgCreateInvoice struct {
	ID          string `cbor:"1,keyasint"`
	OrderID     string `cbor:"2,keyasint"`
	PeriodStart int64  `cbor:"3,keyasint"`
	PeriodEnd   int64  `cbor:"4,keyasint"`
	TaxBps      uint64 `cbor:"5,keyasint"`
	DueAt       int64  `cbor:"6,keyasint"`
}

func (*MsgCreateInvoice) Type() string      { return "settlement/create_invoice" }
func (m *MsgCreateInvoice) Validate() error { return needID("id", m.ID) }

// MsgSubmitJob submits an HPC job (hpc.JobSpec as JSON) under an active HPC lease of the signer.
type MsgSubmitJob struct {
	OrderID string `cbor:"1,keyasint"`
	Spec    []byte `cbor:"2,keyasint"`
}

func (*MsgSubmitJob) Type() string      { return "hpc/submit_job" }
func (m *MsgSubmitJob) Validate() error { return needID("order_id", m.OrderID) }

// MsgUpdateJob is the provider's report of a job's state and its measured usage.
type MsgUpdateJob struct {
	JobID       string `cbor:"1,keyasint"`
	State       uint8  `cbor:"2,keyasint"` // hpc.JobState
	CoreSeconds uint64 `cbor:"3,keyasint"`
	GPUSeconds  uint64 `cbor:"4,keyasint"`
}

func (*MsgUpdateJob) Type() string      { return "hpc/update_job" }
func (m *MsgUpdateJob) Validate() error { return needID("job_id", m.JobID) }

func needID(field, s string) error {
	if s == "" || len(s) > MaxTypeLen {
		return fieldErr(ErrInvalidMsg, field, "1 to 64 bytes")
	}
	return nil
}

func positive(n uint64) error {
	if n == 0 {
		return fieldErr(ErrInvalidMsg, "amount", "must be positive")
	}
	return nil
}
