//go:build !purego

#include "textflag.h"

// func ZeroUpper()
TEXT ·ZeroUpper(SB), NOSPLIT, $0-0
	VZEROUPPER
	RET
