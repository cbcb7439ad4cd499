package market

import (
	"github.com/virtengine/sdk/settlement"
)

// Category is what an offering sells (FEATURES.md §6.1).
type Category string

// Categories.
const (
	Compute Category = "compute"
	Storage Category = "storage"
	GPU     Category = "gpu"
	HPC     Category = "hpc"
)

func (c Category) valid() bool { return c == Compute || c == Storage || c == GPU || c == HPC }

// Unit says how a unit price is charged.
type Unit string

// Units. An hourly price is per unit-hour (core-hour, GB-hour); a monthly price per unit-month
// (HoursPerMonth hours); a usage price per metered unit (GB transferred); a fixed price once per
// order, spread over its duration when bids are compared.
const (
	Hourly  Unit = "hourly"
	Monthly Unit = "monthly"
	Usage   Unit = "usage"
	Fixed   Unit = "fixed"
)

// UnitPrice is an offering's price for one resource, in the smallest currency unit.
type UnitPrice struct {
	Resource settlement.Resource `json:"resource"`
	Unit     Unit                `json:"unit"`
	Price    uint64              `json:"price"`
}

// Quantity is an amount of one resource an order asks for, in whole units (cores, GB, GPUs).
type Quantity struct {
	Resource settlement.Resource `json:"resource"`
	Amount   uint64              `json:"amount"`
}

// OfferingState is the state of an offering.
type OfferingState string

// Offering states (FEATURES.md §6.1). Only active offerings bid.
//
//	active     → paused | suspended | deprecated | terminated
//	paused     → active | suspended | deprecated | terminated
//	suspended  → active | terminated          (network only)
//	deprecated → terminated
const (
	OfferingActive     OfferingState = "active"
	OfferingPaused     OfferingState = "paused"
	OfferingSuspended  OfferingState = "suspended"
	OfferingDeprecated OfferingState = "deprecated"
	OfferingTerminated OfferingState = "terminated"
)

// OfferingTransitions is the offering state machine.
var OfferingTransitions = map[OfferingState][]OfferingState{
	OfferingActive:     {OfferingPaused, OfferingSuspended, OfferingDeprecated, OfferingTerminated},
	OfferingPaused:     {OfferingActive, OfferingSuspended, OfferingDeprecated, OfferingTerminated},
	OfferingSuspended:  {OfferingActive, OfferingTerminated},
	OfferingDeprecated: {OfferingTerminated},
}

// Offering is a provider's published product.
type Offering struct {
	ID          string        `json:"id"`
	Provider    string        `json:"provider"`
	ProviderKey []byte        `json:"provider_key"` // Ed25519 key that signs usage records
	EnvKeyID    string        `json:"env_key_id"`   // hex envelope key id order configurations are sealed to
	Category    Category      `json:"category"`
	Prices      []UnitPrice   `json:"prices"`
	Regions     []string      `json:"regions"`
	MinBid      uint64        `json:"min_bid"` // lowest hourly price this offering bids
	Require     Requirements  `json:"require"`
	Secrets     []byte        `json:"secrets,omitempty"` // envelope to the provider (EnvKeyID)
	State       OfferingState `json:"state"`
	CreatedAt   int64         `json:"created_at"`
	UpdatedAt   int64         `json:"updated_at"`
}

// OrderState is the state of an order (FEATURES.md §6.2).
type OrderState string

// Order states.
//
//	pending_payment → open | cancelled
//	open            → matched | cancelled
//	matched         → provisioning | cancelled | failed
//	provisioning    → active | cancelled | failed
//	active          ⇄ suspended
//	active, suspended → pending_termination → terminated
//
// A matched or provisioning order not active ProvisionTimeout seconds after matching is cancelled
// by Tick and its escrow refunded.
const (
	OrderPendingPayment     OrderState = "pending_payment"
	OrderOpen               OrderState = "open"
	OrderMatched            OrderState = "matched"
	OrderProvisioning       OrderState = "provisioning"
	OrderActive             OrderState = "active"
	OrderSuspended          OrderState = "suspended"
	OrderPendingTermination OrderState = "pending_termination"
	OrderTerminated         OrderState = "terminated"
	OrderFailed             OrderState = "failed"
	OrderCancelled          OrderState = "cancelled"
)

// OrderTransitions is the order state machine.
var OrderTransitions = map[OrderState][]OrderState{
	OrderPendingPayment:     {OrderOpen, OrderCancelled},
	OrderOpen:               {OrderMatched, OrderCancelled},
	OrderMatched:            {OrderProvisioning, OrderCancelled, OrderFailed},
	OrderProvisioning:       {OrderActive, OrderCancelled, OrderFailed},
	OrderActive:             {OrderSuspended, OrderPendingTermination},
	OrderSuspended:          {OrderActive, OrderPendingTermination},
	OrderPendingTermination: {OrderTerminated},
}

// AllOrderStates lists every order state.
var AllOrderStates = []OrderState{OrderPendingPayment, OrderOpen, OrderMatched, OrderProvisioning, OrderActive,
	OrderSuspended, OrderPendingTermination, OrderTerminated, OrderFailed, OrderCancelled}

// Order is a customer's request for compute.
type Order struct {
	ID          string      `json:"id"`
	Customer    string      `json:"customer"`
	CustomerKey []byte      `json:"customer_key"`          // Ed25519 key that countersigns usage
	EnvKeyID    string      `json:"env_key_id"`            // the customer's envelope key id
	OfferingID  string      `json:"offering_id,omitempty"` // set: only this offering may bid
	Category    Category    `json:"category"`
	Region      string      `json:"region"`
	Resources   []Quantity  `json:"resources"`
	MaxPrice    uint64      `json:"max_price"` // highest hourly price the customer accepts
	Duration    int64       `json:"duration"`  // seconds of service wanted
	Deposit     uint64      `json:"deposit"`
	Config      []byte      `json:"config"` // envelope to the customer (and the provider once chosen)
	State       OrderState  `json:"state"`
	LeaseID     string      `json:"lease_id,omitempty"`
	CreatedAt   int64       `json:"created_at"`
	MatchedAt   int64       `json:"matched_at,omitempty"`
	UpdatedAt   int64       `json:"updated_at"`
	CloseReason CloseReason `json:"close_reason,omitempty"`
}

// BidState is the state of a bid.
type BidState string

// Bid states: open → accepted | lost | withdrawn.
const (
	BidOpen      BidState = "open"
	BidAccepted  BidState = "accepted"
	BidLost      BidState = "lost"
	BidWithdrawn BidState = "withdrawn"
)

// Bid is a provider's offer to serve an order at Price per hour.
type Bid struct {
	ID         string `json:"id"` // <order>.<provider>
	OrderID    string `json:"order_id"`
	OfferingID string `json:"offering_id"`
	Provider   string `json:"provider"`
	MarkupBps  uint64 `json:"markup_bps"`
	Price      uint64 `json:"price"` // per hour
	// UnitPrices are the offering's prices with the markup, per resource and whole unit; usage
	// records under the lease may not charge more.
	UnitPrices [settlement.NumResources]uint64 `json:"unit_prices"`
	State      BidState                        `json:"state"`
	CreatedAt  int64                           `json:"created_at"`
}

// CloseReason says who closed a lease or order (FEATURES.md §6.3).
type CloseReason uint8

// Close reasons.
const (
	CloseOwner    CloseReason = 1 // the customer
	CloseProvider CloseReason = 2 // the provider
	CloseNetwork  CloseReason = 3 // the network: timeout, moderation, funds
)

func (r CloseReason) String() string {
	switch r {
	case CloseOwner:
		return "owner"
	case CloseProvider:
		return "provider"
	case CloseNetwork:
		return "network"
	}
	return "none"
}

// LeaseState is the state of a lease: active → closed.
type LeaseState string

// Lease states.
const (
	LeaseActive LeaseState = "active"
	LeaseClosed LeaseState = "closed"
)

// Lease binds an order to the winning bid.
type Lease struct {
	ID          string                          `json:"id"` // the order id
	OrderID     string                          `json:"order_id"`
	BidID       string                          `json:"bid_id"`
	Provider    string                          `json:"provider"`
	Customer    string                          `json:"customer"`
	Price       uint64                          `json:"price"` // per hour
	UnitPrices  [settlement.NumResources]uint64 `json:"unit_prices"`
	State       LeaseState                      `json:"state"`
	Deployment  []byte                          `json:"deployment,omitempty"` // envelope to the customer
	CreatedAt   int64                           `json:"created_at"`
	ClosedAt    int64                           `json:"closed_at,omitempty"`
	CloseReason CloseReason                     `json:"close_reason,omitempty"`
}
