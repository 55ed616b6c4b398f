// Random123's published known answers for Philox4x32-10 (kat_vectors), in the coordinates of
// core/philox.hpp: key (seed, stream), counter (step, entity). Shared by the host tests and the
// CUDA checks, which have no Random123 to compare with.
#pragma once

#include <cstdint>

namespace qneuro::test_kats {

struct PhiloxKat {
  uint32_t seed, stream;
  uint64_t step, entity;
  uint32_t expect[4];
};

inline constexpr PhiloxKat kPhiloxKats[] = {
    {0, 0, 0, 0, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {0xffffffffu,
     0xffffffffu,
     0xffffffffffffffffull,
     0xffffffffffffffffull,
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {0xa4093822u,
     0x299f31d0u,
     0x85a308d3243f6a88ull,
     0x0370734413198a2eull,
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};

}  // namespace qneuro::test_kats
