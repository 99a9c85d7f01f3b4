//go:build !purego

#include "textflag.h"

// func indexClassVector(b []byte, t *classSet) int
TEXT ·indexClassVector(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ t+24(FP), DX
	MOVQ SI, DI
	VBROADCASTI128 (DX), Y6   // lo-nibble classes, in both lanes
	VBROADCASTI128 16(DX), Y7 // hi-nibble classes
	MOVQ $0x0f0f0f0f0f0f0f0f, AX
	VMOVQ AX, X5 // VEX: a legacy SSE instruction here would pay the AVX-SSE transition
	VPBROADCASTQ X5, Y5
	VPXOR Y4, Y4, Y4

loop:
	CMPQ CX, $32
	JB   done
	VMOVDQU (SI), Y0
	VPAND   Y5, Y0, Y1  // low nibbles
	VPSRLW  $4, Y0, Y2
	VPAND   Y5, Y2, Y2  // high nibbles
	VPSHUFB Y1, Y6, Y1  // classes of the low nibbles
	VPSHUFB Y2, Y7, Y2  // classes of the high nibbles
	VPAND   Y1, Y2, Y1
	VPCMPEQB Y4, Y1, Y1 // 0xff where not in the set
	VPMOVMSKB Y1, AX
	XORL $-1, AX        // bits where in the set
	JNZ  found
	ADDQ $32, SI
	SUBQ $32, CX
	JMP  loop

found:
	BSFL AX, AX
	SUBQ DI, SI
	ADDQ SI, AX
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET

done:
	SUBQ DI, SI
	VZEROUPPER
	MOVQ SI, ret+32(FP)
	RET

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
	VMOVQ AX, X5 // VEX, as in indexClassVector
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

// func stringMasks(b []byte, stop, bad []uint32)
// For every whole 32-byte chunk k of b, stop[k] gets a bit per '"', '\\' or
// control byte, and bad[k] a bit per byte that keeps a string from being
// plain ASCII: '\\', control bytes and bytes >= 0x80. len(stop) and
// len(bad) must be at least len(b)/32.
TEXT ·stringMasks(SB), NOSPLIT, $0-72
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ stop_base+24(FP), DI
	MOVQ bad_base+48(FP), R8
	SHRQ $5, CX
	JZ   nomasks
	MOVL $0x22222222, AX
	VMOVD AX, X1
	VPBROADCASTD X1, Y1 // '"'
	MOVL $0x5c5c5c5c, AX
	VMOVD AX, X2
	VPBROADCASTD X2, Y2 // '\\'
	MOVL $0x1f1f1f1f, AX
	VMOVD AX, X3
	VPBROADCASTD X3, Y3 // 0x1f

maskchunk:
	VMOVDQU (SI), Y0
	VPCMPEQB Y1, Y0, Y4
	VPCMPEQB Y2, Y0, Y5
	VPMINUB  Y3, Y0, Y6
	VPCMPEQB Y6, Y0, Y6 // bytes <= 0x1f
	VPOR     Y5, Y6, Y5 // escapes and control bytes
	VPOR     Y4, Y5, Y4 // and quotes: the specials
	VPOR     Y0, Y5, Y5 // and the bytes >= 0x80 (their top bit)
	VPMOVMSKB Y4, AX
	VPMOVMSKB Y5, DX
	MOVL AX, (DI)
	MOVL DX, (R8)
	ADDQ $32, SI
	ADDQ $4, DI
	ADDQ $4, R8
	DECQ CX
	JNZ  maskchunk
	VZEROUPPER

nomasks:
	RET
