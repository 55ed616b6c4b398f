# Compiler settings shared by every qneuro target (applied through qneuro_project_options).
add_library(qneuro_project_options INTERFACE)
# C++ sources only: CUDA sources get their flags from QneuroCuda.cmake (nvcc rejects these).
set(_qneuro_gnu_cxx "$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU,Clang>>")
target_compile_options(qneuro_project_options INTERFACE
  $<${_qneuro_gnu_cxx}:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wdouble-promotion>)
# No FMA contraction of a*b - c*d: contraction rounds the two products differently, so
# Im(z conj(2z)) = Im z * 2 Re z - Re z * 2 Im z stops being exactly 0 and zero-lag pairs get a
# random-sign PLI (regression test PhaseLag.SignOfLagGivesUnitPliAndZeroDiagonal). It also keeps
# results equal across the instruction-set clones of a kernel and close to NumPy's.
target_compile_options(qneuro_project_options INTERFACE $<${_qneuro_gnu_cxx}:-ffp-contract=off>)
if(QNEURO_NATIVE)
  target_compile_options(qneuro_project_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
endif()
if(QNEURO_SANITIZE)
  list(JOIN QNEURO_SANITIZE "," _san)
  target_compile_options(qneuro_project_options INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(qneuro_project_options INTERFACE -fsanitize=${_san})
endif()
