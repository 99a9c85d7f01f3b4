//go:build !purego

#include "textflag.h"

// func classMasks(b []byte, t *classSet, out []uint32)
// out[k] gets one bit per byte of b[32k:32k+32], set where the byte is in t,
// for every whole 32-byte chunk of b; len(out) must be at least len(b)/32.
TEXT ·classMasks(SB), NOSPLIT, $0-56
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ t+24(FP), DX
	MOVQ out_base+32(FP), DI
	SHRQ $5, CX
	JZ   none
	MOVQ $0x0f0f0f0f0f0f0f0f, AX
	VMOVQ AX, X5 // VEX: a legacy SSE instruction here would pay the AVX-SSE transition
	VPBROADCASTQ X5, Y5
	VBROADCASTI128 (DX), Y6
	VBROADCASTI128 16(DX), Y7
	VPXOR Y4, Y4, Y4

chunk:
	VMOVDQU (SI), Y0
	VPAND   Y5, Y0, Y1
	VPSRLW  $4, Y0, Y2
	VPAND   Y5, Y2, Y2
	VPSHUFB Y1, Y6, Y1
	VPSHUFB Y2, Y7, Y2
	VPAND   Y1, Y2, Y1
	VPCMPEQB Y4, Y1, Y1
	VPMOVMSKB Y1, AX
	NOTL AX
	MOVL AX, (DI)
	ADDQ $32, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  chunk
	VZEROUPPER

none:
	RET
