//go:build ignore

// gen writes sha256x_amd64.s: SHA-256 block functions that hash 16 (ZMM) or 8 (YMM) independent
// messages at once with AVX-512 (one message per 32-bit lane, FIPS 180-4 §6.2.2 in every lane).
//
//	go run gen.go
package main

import (
	"bytes"
	"fmt"
	"os"
)

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, "\t"+format+"\n", args...) }

// Registers: state a..h in 0-7, the message schedule W[0..15] in 8-23, round temporaries in 24-27,
// schedule temporaries in 28-30, the byte-swap mask in 31.
func reg(v string, n int) string { return fmt.Sprintf("%s%d", v, n) }

func round(v string, t int, s [8]int) {
	a, b, c, d, e, f, g, h := reg(v, s[0]), reg(v, s[1]), reg(v, s[2]), reg(v, s[3]), reg(v, s[4]), reg(v, s[5]), reg(v, s[6]), reg(v, s[7])
	T0, T1, T2, T3 := reg(v, 24), reg(v, 25), reg(v, 26), reg(v, 27)
	w := reg(v, 8+t%16)
	if t >= 16 {
		// W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], in place of W[t-16].
		w2, w7, w15 := reg(v, 8+(t+14)%16), reg(v, 8+(t+9)%16), reg(v, 8+(t+1)%16)
		S0, S1, S2 := reg(v, 28), reg(v, 29), reg(v, 30)
		p("VPRORD $17, %s, %s", w2, S0)
		p("VPRORD $19, %s, %s", w2, S1)
		p("VPSRLD $10, %s, %s", w2, S2)
		p("VPTERNLOGD $0x96, %s, %s, %s", S2, S1, S0)
		p("VPADDD %s, %s, %s", S0, w, w)
		p("VPRORD $7, %s, %s", w15, S0)
		p("VPRORD $18, %s, %s", w15, S1)
		p("VPSRLD $3, %s, %s", w15, S2)
		p("VPTERNLOGD $0x96, %s, %s, %s", S2, S1, S0)
		p("VPADDD %s, %s, %s", S0, w, w)
		p("VPADDD %s, %s, %s", w7, w, w)
	}
	p("VPADDD.BCST %d(BX), %s, %s", 4*t, w, T0) // W[t] + K[t]
	p("VPADDD %s, %s, %s", T0, h, h)
	p("VPRORD $6, %s, %s", e, T1)
	p("VPRORD $11, %s, %s", e, T2)
	p("VPRORD $25, %s, %s", e, T3)
	p("VPTERNLOGD $0x96, %s, %s, %s", T3, T2, T1) // Σ1(e)
	p("VPADDD %s, %s, %s", T1, h, h)
	p("VMOVDQA32 %s, %s", e, T0)
	p("VPTERNLOGD $0xca, %s, %s, %s", g, f, T0) // Ch(e, f, g)
	p("VPADDD %s, %s, %s", T0, h, h)            // h = T1 of FIPS 180-4
	p("VPADDD %s, %s, %s", h, d, d)             // d + T1: the new e
	p("VPRORD $2, %s, %s", a, T1)
	p("VPRORD $13, %s, %s", a, T2)
	p("VPRORD $22, %s, %s", a, T3)
	p("VPTERNLOGD $0x96, %s, %s, %s", T3, T2, T1) // Σ0(a)
	p("VPADDD %s, %s, %s", T1, h, h)
	p("VMOVDQA32 %s, %s", a, T0)
	p("VPTERNLOGD $0xe8, %s, %s, %s", c, b, T0) // Maj(a, b, c)
	p("VPADDD %s, %s, %s", T0, h, h)            // T1 + T2: the new a
}

func rounds(v string) {
	s := [8]int{0, 1, 2, 3, 4, 5, 6, 7}
	for t := 0; t < 64; t++ {
		round(v, t, s)
		s = [8]int{s[7], s[0], s[1], s[2], s[3], s[4], s[5], s[6]}
	}
}

func header(name, v string, lanes, width int) {
	fmt.Fprintf(&out, "\n// func %s(state *[128]uint32, lanes *[16]*byte, nblocks int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-24\n", name)
	p("MOVQ state+0(FP), DI")
	p("MOVQ lanes+8(FP), SI")
	p("MOVQ nblocks+16(FP), CX")
	p("TESTQ CX, CX")
	p("JZ %sdone", name)
	p("LEAQ ·k256(SB), BX")
	p("VMOVDQU64 ·bswapMask(SB), %s", reg(v, 31))
	for i := 0; i < 8; i++ {
		p("VMOVDQU32 %d(DI), %s", i*width, reg(v, i))
	}
	p("XORQ DX, DX")
	fmt.Fprintf(&out, "%sloop:\n", name)
}

func footer(name, v string, width int) {
	for i := 0; i < 8; i++ {
		p("VPADDD %d(DI), %s, %s", i*width, reg(v, i), reg(v, i))
		p("VMOVDQU32 %s, %d(DI)", reg(v, i), i*width)
	}
	p("ADDQ $64, DX")
	p("DECQ CX")
	p("JNZ %sloop", name)
	p("VZEROUPPER")
	fmt.Fprintf(&out, "%sdone:\n", name)
	p("RET")
}

// x16: 16 lanes in ZMM registers. Row i (lane i's 64-byte block) is loaded into Z(8+i) and the 16×16
// matrix of words is transposed so that Z(8+j) holds word j of every lane.
func x16() {
	const name, v = "blocks16", "Z"
	header(name, v, 16, 64)
	for i := 0; i < 16; i++ {
		p("MOVQ %d(SI), AX", 8*i)
		p("VMOVDQU32 (AX)(DX*1), %s", reg(v, 8+i))
		p("VPSHUFB %s, %s, %s", reg(v, 31), reg(v, 8+i), reg(v, 8+i))
	}
	// Rows 4g..4g+3: after this, 128-bit lane k of Z(8+4g+m) is word 4k+m of rows 4g..4g+3.
	for g := 0; g < 4; g++ {
		r := func(i int) string { return reg(v, 8+4*g+i) }
		t := func(i int) string { return reg(v, 24+i) }
		p("VPUNPCKLDQ %s, %s, %s", r(1), r(0), t(0))
		p("VPUNPCKHDQ %s, %s, %s", r(1), r(0), t(1))
		p("VPUNPCKLDQ %s, %s, %s", r(3), r(2), t(2))
		p("VPUNPCKHDQ %s, %s, %s", r(3), r(2), t(3))
		p("VPUNPCKLQDQ %s, %s, %s", t(2), t(0), r(0))
		p("VPUNPCKHQDQ %s, %s, %s", t(2), t(0), r(1))
		p("VPUNPCKLQDQ %s, %s, %s", t(3), t(1), r(2))
		p("VPUNPCKHQDQ %s, %s, %s", t(3), t(1), r(3))
	}
	// For each m, a 4×4 transpose of 128-bit lanes over Z(8+m), Z(12+m), Z(16+m), Z(20+m); the
	// result is word 4k+m of all 16 rows in Z(8+4k+m).
	for m := 0; m < 4; m++ {
		A, B, C, D := reg(v, 8+m), reg(v, 12+m), reg(v, 16+m), reg(v, 20+m)
		t := func(i int) string { return reg(v, 24+i) }
		p("VSHUFI64X2 $0x88, %s, %s, %s", B, A, t(0))    // A0 A2 B0 B2
		p("VSHUFI64X2 $0xdd, %s, %s, %s", B, A, t(1))    // A1 A3 B1 B3
		p("VSHUFI64X2 $0x88, %s, %s, %s", D, C, t(2))    // C0 C2 D0 D2
		p("VSHUFI64X2 $0xdd, %s, %s, %s", D, C, t(3))    // C1 C3 D1 D3
		p("VSHUFI64X2 $0x88, %s, %s, %s", t(2), t(0), A) // A0 B0 C0 D0
		p("VSHUFI64X2 $0xdd, %s, %s, %s", t(2), t(0), C) // A2 B2 C2 D2
		p("VSHUFI64X2 $0x88, %s, %s, %s", t(3), t(1), B) // A1 B1 C1 D1
		p("VSHUFI64X2 $0xdd, %s, %s, %s", t(3), t(1), D) // A3 B3 C3 D3
	}
	rounds(v)
	footer(name, v, 64)
}

// x8: 8 lanes in YMM registers. Lane i's words 0-7 go to Y(8+i) and words 8-15 to Y(16+i); each
// 8×8 half is transposed so that Y(8+j) holds word j of every lane.
func x8() {
	const name, v = "blocks8", "Y"
	header(name, v, 8, 32)
	for i := 0; i < 8; i++ {
		p("MOVQ %d(SI), AX", 8*i)
		p("VMOVDQU32 (AX)(DX*1), %s", reg(v, 8+i))
		p("VMOVDQU32 32(AX)(DX*1), %s", reg(v, 16+i))
		p("VPSHUFB %s, %s, %s", reg(v, 31), reg(v, 8+i), reg(v, 8+i))
		p("VPSHUFB %s, %s, %s", reg(v, 31), reg(v, 16+i), reg(v, 16+i))
	}
	for _, base := range []int{8, 16} {
		r := func(i int) string { return reg(v, base+i) }
		t := func(i int) string { return reg(v, 24+i) }
		for g := 0; g < 2; g++ {
			q := func(i int) string { return r(4*g + i) }
			p("VPUNPCKLDQ %s, %s, %s", q(1), q(0), t(0))
			p("VPUNPCKHDQ %s, %s, %s", q(1), q(0), t(1))
			p("VPUNPCKLDQ %s, %s, %s", q(3), q(2), t(2))
			p("VPUNPCKHDQ %s, %s, %s", q(3), q(2), t(3))
			p("VPUNPCKLQDQ %s, %s, %s", t(2), t(0), q(0))
			p("VPUNPCKHQDQ %s, %s, %s", t(2), t(0), q(1))
			p("VPUNPCKLQDQ %s, %s, %s", t(3), t(1), q(2))
			p("VPUNPCKHQDQ %s, %s, %s", t(3), t(1), q(3))
		}
		// 128-bit lane k of r(4g+m) is word 4k+m of rows 4g..4g+3 (of this half).
		for m := 0; m < 4; m++ {
			p("VSHUFI64X2 $0, %s, %s, %s", r(4+m), r(m), t(m))   // word m: rows 0-3, rows 4-7
			p("VSHUFI64X2 $3, %s, %s, %s", r(4+m), r(m), r(4+m)) // word 4+m
			p("VMOVDQA32 %s, %s", t(m), r(m))
		}
	}
	rounds(v)
	footer(name, v, 32)
}

func main() {
	out.WriteString("// Code generated by gen.go; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n\n")
	k := []uint32{
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
		0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
		0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
		0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
		0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
	}
	for i, x := range k {
		fmt.Fprintf(&out, "DATA ·k256+%d(SB)/4, $0x%08x\n", 4*i, x)
	}
	out.WriteString("GLOBL ·k256(SB), RODATA|NOPTR, $256\n\n")
	for i := 0; i < 4; i++ { // VPSHUFB mask reversing the bytes of each 32-bit word
		fmt.Fprintf(&out, "DATA ·bswapMask+%d(SB)/8, $0x0405060700010203\n", 16*i)
		fmt.Fprintf(&out, "DATA ·bswapMask+%d(SB)/8, $0x0c0d0e0f08090a0b\n", 16*i+8)
	}
	out.WriteString("GLOBL ·bswapMask(SB), RODATA|NOPTR, $64\n")
	x16()
	x8()
	if err := os.WriteFile("sha256x_amd64.s", out.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
