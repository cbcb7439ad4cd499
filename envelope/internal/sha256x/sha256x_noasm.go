//go:build !amd64 || purego

package sha256x

const useAVX512 = false

var min16, min8 = 0, 0

func blocks16(state *[128]uint32, lanes *[16]*byte, nblocks int) { panic("unreachable") }
func blocks8(state *[128]uint32, lanes *[16]*byte, nblocks int)  { panic("unreachable") }
