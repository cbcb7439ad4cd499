package tx

// extraSeedMsgs returns seed messages for the market, settlement and HPC types.
func extraSeedMsgs(to Address, pk PubKey) []Msg {
	return []Msg{
		&MsgCreateOffering{ID: "off-1", Category: "hpc", Prices: []Price{{Resource: 0, Unit: "hourly", Price: 100}}, Regions: []string{"eu"}, MinBid: 50, ProviderKey: make([]byte, 32), EnvKeyID: "00ff"},
		&MsgCreateOrder{ID: "ord-1", OfferingID: "off-1", Category: "hpc", Region: "eu", Resources: []Qty{{Resource: 0, Amount: 4}}, MaxPrice: 1000, Duration: 3600, Deposit: 5000, CustomerKey: make([]byte, 32), EnvKeyID: "00aa", Config: []byte("VEENV")},
		&MsgBid{OrderID: "ord-1", OfferingID: "off-1", MarkupBps: 100},
		&MsgAcceptBid{OrderID: "ord-1", BidID: "bid-1"},
		&MsgOrderStep{OrderID: "ord-1", Step: StepDeployed, Result: []byte("VEENV")},
		&MsgSubmitUsage{Record: []byte("{}"), ProviderSig: make([]byte, 64), CustomerSig: make([]byte, 64)},
		&MsgDeposit{Amount: 10},
		&MsgWithdraw{Amount: 10},
		&MsgCreateInvoice{ID: "inv-1", OrderID: "ord-1", PeriodEnd: 100},
		&MsgSubmitJob{OrderID: "ord-1", Spec: []byte(`{"id":"job-1"}`)},
		&MsgUpdateJob{JobID: "job-1", State: 3, CoreSeconds: 3600},
		&MsgRegisterVK{ID: "credential-v1", Key: []byte{1, 2, 3}},
		&MsgVerifyPresentation{KeyID: "credential-v1", Request: []byte("{}"), Presentation: []byte("{}")},
	}
}
