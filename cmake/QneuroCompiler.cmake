# Compiler settings shared by every qneuro target (applied through qneuro_project_options).
add_library(qneuro_project_options INTERFACE)
target_compile_options(qneuro_project_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wdouble-promotion>)
if(QNEURO_NATIVE)
  target_compile_options(qneuro_project_options INTERFACE -march=native)
endif()
if(QNEURO_SANITIZE)
  list(JOIN QNEURO_SANITIZE "," _san)
  target_compile_options(qneuro_project_options INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(qneuro_project_options INTERFACE -fsanitize=${_san})
endif()
