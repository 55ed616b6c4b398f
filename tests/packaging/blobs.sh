#!/usr/bin/env bash
# 80 rows of a 4-class, 16-feature CSV without random numbers (label last), for the packaging test.
for ((i = 0; i < 80; ++i)); do
  label=$((i % 4))
  row=""
  for ((k = 0; k < 16; ++k)); do
    v=$(((k * 7 + label * 13) % 5 < 2 ? 14 : 1))
    row+="$((v + (i * 31 + k * 17) % 3)),"
  done
  echo "${row}${label}"
done
