// QNEURO_TARGET_CLONES: compile a hot kernel for several instruction sets and let the loader pick
// the best one the CPU supports (GCC target_clones), so a portable build still runs AVX2 or
// AVX-512 code where the hardware has it.
//
// The AVX-512 clone targets x86-64-v4 (AVX512F + VL/BW/DQ/CD), not bare "avx512f": without
// AVX512VL, 256-bit code can use only 16 vector registers, and the QLIF kernels, whose loop
// bodies hold ~40 live values, spilled to the stack on every step (measured: the fused QLIF
// layer's forward + backward took 18.5 ms with "avx512f" and 13.1 ms with x86-64-v4, one
// thread, T = 20, B = 128, N = 256).
//
// Without FMA contraction (the project builds with -ffp-contract=off) every clone computes the
// same IEEE operations per lane; reductions may associate differently per vector width.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define QNEURO_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define QNEURO_TARGET_CLONES
#endif
