package tx

// extraSeedMsgs returns seed messages for module types registered in other files.
func extraSeedMsgs(to Address, pk PubKey) []Msg { return nil }
