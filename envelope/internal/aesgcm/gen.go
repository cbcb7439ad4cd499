//go:build ignore

// gen writes aesgcm_amd64.s: AES-256 in counter mode and GHASH on 512-bit registers (VAES and
// VPCLMULQDQ, 16 blocks per iteration), and the single-block helpers around them. GHASH follows
// the representation of the standard library's gcm_amd64.s (byte-reflected blocks, H·x, reduction
// by the constant 0xc2000000000000000000000000000001), so the two compute the same tags.
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
func label(s string)               { fmt.Fprintf(&out, "%s:\n", s) }

// mulX multiplies a by b (xmm, GHASH representation) into a, with t1..t4 as temporaries and
// poly holding gcmPoly: the 256-bit carry-less product, folded and reduced as gcm_amd64.s does.
func mulX(a, b, poly, t1, t2, t3, t4 string) {
	p("MOVOU %s, %s", a, t1)
	p("PCLMULQDQ $0x00, %s, %s", b, t1) // lo
	p("MOVOU %s, %s", a, t2)
	p("PCLMULQDQ $0x11, %s, %s", b, t2) // hi
	p("MOVOU %s, %s", a, t3)
	p("PCLMULQDQ $0x01, %s, %s", b, t3)
	p("PCLMULQDQ $0x10, %s, %s", b, a)
	p("PXOR %s, %s", a, t3) // mid
	p("MOVOU %s, %s", t3, t4)
	p("PSLLDQ $8, %s", t4)
	p("PSRLDQ $8, %s", t3)
	p("PXOR %s, %s", t4, t1)
	p("PXOR %s, %s", t3, t2)
	reduceX(t1, t2, poly, a, t3)
}

// reduceX sets dst to the reduction of hi:lo (xmm); lo is clobbered.
func reduceX(lo, hi, poly, dst, t string) {
	p("MOVOU %s, %s", poly, t)
	p("PCLMULQDQ $0x01, %s, %s", lo, t)
	p("PSHUFD $0x4e, %s, %s", lo, lo)
	p("PXOR %s, %s", t, lo)
	p("MOVOU %s, %s", poly, t)
	p("PCLMULQDQ $0x01, %s, %s", lo, t)
	p("PSHUFD $0x4e, %s, %s", lo, lo)
	p("PXOR %s, %s", t, lo)
	p("PXOR %s, %s", hi, lo)
	if dst != lo {
		p("MOVOU %s, %s", lo, dst)
	}
}

func expandKey() {
	out.WriteString("\n// func expandKey256(key *[32]byte, rk *[240]byte)\nTEXT ·expandKey256(SB), NOSPLIT, $0-16\n")
	p("MOVQ key+0(FP), AX")
	p("MOVQ rk+8(FP), BX")
	p("MOVUPS (AX), X0")
	p("MOVUPS 16(AX), X2")
	p("MOVUPS X0, (BX)")
	p("MOVUPS X2, 16(BX)")
	p("ADDQ $32, BX")
	p("PXOR X4, X4")
	// As the standard library's expandKeyAsm: 256a on X0 from X2's assist, 256b on X2.
	a := func() {
		p("PSHUFD $0xff, X1, X1")
		p("SHUFPS $0x10, X0, X4")
		p("PXOR X4, X0")
		p("SHUFPS $0x8c, X0, X4")
		p("PXOR X4, X0")
		p("PXOR X1, X0")
		p("MOVUPS X0, (BX)")
		p("ADDQ $16, BX")
	}
	b := func() {
		p("PSHUFD $0xaa, X1, X1")
		p("SHUFPS $0x10, X2, X4")
		p("PXOR X4, X2")
		p("SHUFPS $0x8c, X2, X4")
		p("PXOR X4, X2")
		p("PXOR X1, X2")
		p("MOVUPS X2, (BX)")
		p("ADDQ $16, BX")
	}
	for i, rcon := range []int{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40} {
		p("AESKEYGENASSIST $0x%02x, X2, X1", rcon)
		a()
		if i < 6 {
			p("AESKEYGENASSIST $0x%02x, X0, X1", rcon)
			b()
		}
	}
	p("RET")
}

func encryptBlock() {
	out.WriteString("\n// func encryptBlock(rk *[240]byte, dst, src *[16]byte)\nTEXT ·encryptBlock(SB), NOSPLIT, $0-24\n")
	p("MOVQ rk+0(FP), AX")
	p("MOVQ dst+8(FP), DI")
	p("MOVQ src+16(FP), SI")
	p("MOVUPS (SI), X0")
	p("MOVUPS (AX), X1")
	p("PXOR X1, X0")
	for r := 1; r < 14; r++ {
		p("MOVUPS %d(AX), X1", 16*r)
		p("AESENC X1, X0")
	}
	p("MOVUPS 224(AX), X1")
	p("AESENCLAST X1, X0")
	p("MOVUPS X0, (DI)")
	p("RET")
}

// ghashInit: table[i] = H'^(i+1) for i < 32, where H' = H·x and H = bswap(E_K(0)).
func ghashInit() {
	out.WriteString("\n// func ghashInit(h *[16]byte, table *[512]byte)\nTEXT ·ghashInit(SB), NOSPLIT, $0-16\n")
	p("MOVQ h+0(FP), SI")
	p("MOVQ table+8(FP), DI")
	p("MOVOU ·bswapMask(SB), X15")
	p("MOVOU ·gcmPoly(SB), X14")
	p("MOVOU (SI), X0")
	p("PSHUFB X15, X0")
	// H·x, as gcmAesInit.
	p("PSHUFD $0xff, X0, X11")
	p("MOVOU X0, X12")
	p("PSRAL $31, X11")
	p("PAND X14, X11")
	p("PSRLL $31, X12")
	p("PSLLDQ $4, X12")
	p("PSLLL $1, X0")
	p("PXOR X11, X0")
	p("PXOR X12, X0")
	p("MOVOU X0, (DI)")
	p("MOVOU X0, X2")
	p("MOVQ $31, AX")
	label("initLoop")
	mulX("X2", "X0", "X14", "X11", "X12", "X13", "X4")
	p("ADDQ $16, DI")
	p("MOVOU X2, (DI)")
	p("DECQ AX")
	p("JNZ initLoop")
	p("RET")
}

// ghashBlock: y = (y ⊕ bswap(blk)) · H'.
func ghashBlock() {
	out.WriteString("\n// func ghashBlock(table *[512]byte, y, blk *[16]byte)\nTEXT ·ghashBlock(SB), NOSPLIT, $0-24\n")
	p("MOVQ table+0(FP), DI")
	p("MOVQ y+8(FP), DX")
	p("MOVQ blk+16(FP), SI")
	p("MOVOU ·bswapMask(SB), X15")
	p("MOVOU ·gcmPoly(SB), X14")
	p("MOVOU (SI), X0")
	p("PSHUFB X15, X0")
	p("MOVOU (DX), X1")
	p("PXOR X1, X0")
	p("MOVOU (DI), X5")
	mulX("X0", "X5", "X14", "X11", "X12", "X13", "X4")
	p("MOVOU X0, (DX)")
	p("RET")
}

// W is the number of ZMM registers of blocks per iteration: 8 (32 blocks, 512 bytes), so that
// eight independent AES chains hide the latency of VAESENC.
const W = 8

// groups: counter mode over ngroups×512 bytes and GHASH of the ciphertext (the output when
// sealing, the input when opening), 32 blocks per iteration in eight ZMM registers.
//
// Registers: Z0-Z7 counter blocks, then keystream, then the byte-reversed ciphertext; Z8-Z15 the
// powers H'^32 … H'^1, four per register in block order; Z16 gcmPoly; Z17 the byte-reversal mask;
// Z18 the counter block of the last block done, byte-reversed (its 32-bit counter is dword 0 of
// each lane); Z19 lane offsets 1,2,3,4; Z20 4 in each lane; Z21 32 in each lane; Z22-Z24 the low,
// high and middle products; Z25-Z27 temporaries (Z25-Z26 also the ciphertext when opening);
// X28 the GHASH accumulator.
func groups(name string, decrypt bool) {
	fmt.Fprintf(&out, "\n// func %s(rkb *[960]byte, powers *[512]byte, ctr, y *[16]byte, dst, src *byte, ngroups int)\n", name)
	fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", name)
	p("MOVQ rkb+0(FP), AX")
	p("MOVQ powers+8(FP), BX")
	p("MOVQ ctr+16(FP), R8")
	p("MOVQ y+24(FP), R9")
	p("MOVQ dst+32(FP), DI")
	p("MOVQ src+40(FP), SI")
	p("MOVQ ngroups+48(FP), CX")
	p("TESTQ CX, CX")
	p("JZ %sdone", name)
	for j := 0; j < W; j++ {
		p("VMOVDQU64 %d(BX), Z%d", 64*j, 8+j)
	}
	p("VBROADCASTI32X4 ·gcmPoly(SB), Z16")
	p("VBROADCASTI32X4 ·bswapMask(SB), Z17")
	p("VBROADCASTI32X4 (R8), Z18")
	p("VPSHUFB Z17, Z18, Z18")
	p("VMOVDQU64 ·laneOffsets(SB), Z19")
	p("VMOVDQU64 ·laneFours(SB), Z20")
	p("VPSLLD $3, Z20, Z21") // 32
	p("VMOVDQU64 (R9), X28")
	label(name + "loop")
	p("VPADDD Z19, Z18, Z0")
	for i := 1; i < W; i++ {
		p("VPADDD Z20, Z%d, Z%d", i-1, i)
	}
	p("VPADDD Z21, Z18, Z18")
	for i := 0; i < W; i++ {
		p("VPSHUFB Z17, Z%d, Z%d", i, i)
	}
	for i := 0; i < W; i++ {
		p("VPXORQ 0(AX), Z%d, Z%d", i, i)
	}
	for r := 1; r < 14; r++ {
		for i := 0; i < W; i++ {
			p("VAESENC %d(AX), Z%d, Z%d", 64*r, i, i)
		}
	}
	for i := 0; i < W; i++ {
		p("VAESENCLAST 896(AX), Z%d, Z%d", i, i)
	}
	// Z_i = ciphertext (stored), then byte-reversed for GHASH. When opening, the ciphertext is
	// the input, loaded again for GHASH after the plaintext is stored (in place, dst = src).
	for i := 0; i < W; i++ {
		if decrypt {
			p("VMOVDQU64 %d(SI), Z25", 64*i)
			p("VPXORQ Z25, Z%d, Z%d", i, i)
			p("VMOVDQU64 Z%d, %d(DI)", i, 64*i)
			p("VPSHUFB Z17, Z25, Z%d", i)
		} else {
			p("VPXORQ %d(SI), Z%d, Z%d", 64*i, i, i)
			p("VMOVDQU64 Z%d, %d(DI)", i, 64*i)
			p("VPSHUFB Z17, Z%d, Z%d", i, i)
		}
	}
	// GHASH of the 32 ciphertext blocks: (Y ⊕ C1)·H'^32 ⊕ C2·H'^31 ⊕ … ⊕ C32·H'.
	p("VPXORQ Z28, Z0, Z0") // Y (upper lanes zero) into the first block
	p("VPCLMULQDQ $0x00, Z8, Z0, Z22")
	p("VPCLMULQDQ $0x11, Z8, Z0, Z23")
	p("VPCLMULQDQ $0x01, Z8, Z0, Z24")
	p("VPCLMULQDQ $0x10, Z8, Z0, Z25")
	p("VPXORQ Z25, Z24, Z24")
	for i := 1; i < W; i++ {
		d, h := fmt.Sprintf("Z%d", i), fmt.Sprintf("Z%d", 8+i)
		p("VPCLMULQDQ $0x00, %s, %s, Z25", h, d)
		p("VPCLMULQDQ $0x11, %s, %s, Z26", h, d)
		p("VPXORQ Z25, Z22, Z22")
		p("VPXORQ Z26, Z23, Z23")
		p("VPCLMULQDQ $0x01, %s, %s, Z25", h, d)
		p("VPCLMULQDQ $0x10, %s, %s, Z26", h, d)
		p("VPTERNLOGQ $0x96, Z26, Z25, Z24")
	}
	// Fold the middle products in, sum the four lanes, reduce.
	p("VPSLLDQ $8, Z24, Z25")
	p("VPSRLDQ $8, Z24, Z24")
	p("VPXORQ Z25, Z22, Z22")
	p("VPXORQ Z24, Z23, Z23")
	p("VEXTRACTI64X4 $1, Z22, Y25")
	p("VEXTRACTI64X4 $1, Z23, Y26")
	p("VPXORQ Y25, Y22, Y22")
	p("VPXORQ Y26, Y23, Y23")
	p("VEXTRACTI32X4 $1, Y22, X25")
	p("VEXTRACTI32X4 $1, Y23, X26")
	p("VPXORQ X25, X22, X22")
	p("VPXORQ X26, X23, X23")
	for k := 0; k < 2; k++ {
		p("VPCLMULQDQ $0x01, X22, X16, X25")
		p("VPSHUFD $0x4e, X22, X22")
		p("VPXORQ X25, X22, X22")
	}
	p("VPXORQ X23, X22, X28")
	p("ADDQ $%d, SI", 64*W)
	p("ADDQ $%d, DI", 64*W)
	p("DECQ CX")
	p("JNZ %sloop", name)
	p("VMOVDQU64 X28, (R9)")
	p("VPSHUFB X17, X18, X18")
	p("VMOVDQU64 X18, (R8)")
	p("VZEROUPPER")
	label(name + "done")
	p("RET")
}

func main() {
	out.WriteString("// Code generated by gen.go; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n\n")
	out.WriteString("DATA ·bswapMask+0(SB)/8, $0x08090a0b0c0d0e0f\nDATA ·bswapMask+8(SB)/8, $0x0001020304050607\nGLOBL ·bswapMask(SB), RODATA|NOPTR, $16\n\n")
	out.WriteString("DATA ·gcmPoly+0(SB)/8, $0x0000000000000001\nDATA ·gcmPoly+8(SB)/8, $0xc200000000000000\nGLOBL ·gcmPoly(SB), RODATA|NOPTR, $16\n\n")
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&out, "DATA ·laneOffsets+%d(SB)/8, $%d\nDATA ·laneOffsets+%d(SB)/8, $0\n", 16*i, i+1, 16*i+8)
	}
	out.WriteString("GLOBL ·laneOffsets(SB), RODATA|NOPTR, $64\n\n")
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&out, "DATA ·laneFours+%d(SB)/8, $4\nDATA ·laneFours+%d(SB)/8, $0\n", 16*i, 16*i+8)
	}
	out.WriteString("GLOBL ·laneFours(SB), RODATA|NOPTR, $64\n")
	expandKey()
	encryptBlock()
	ghashInit()
	ghashBlock()
	groups("encGroups", false)
	groups("decGroups", true)
	if err := os.WriteFile("aesgcm_amd64.s", out.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
