#!/usr/bin/env bash
# Install every Debian (bookworm) package qneuro needs to build, test and benchmark.
#
# Idempotent: packages already present are skipped, and when nothing is missing the script
# neither touches apt nor needs root. Run as root (or with sudo available) on a fresh machine.
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    list what is missing, exit 1 if anything is
#   scripts/install-deps.sh --no-torch skip LibTorch (the simulators and analysis build without it)
#   scripts/install-deps.sh --demo     only what the `qneuro` CLI needs (make demo): no LibTorch,
#                                      test, benchmark, web or Python reference packages
# Without --demo it also installs the dashboard's JavaScript packages into web/node_modules with
# `npm ci` from the committed web/package-lock.json (skipped when they are already installed
# from the same lockfile), and nothing else is ever fetched: the build bundles them offline.
set -euo pipefail

check_only=0
with_torch=1
demo_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --no-torch) with_torch=0 ;;
    --demo) demo_only=1 with_torch=0 ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # core: config, CLI, logging, JSON, RNG
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev librandom123-dev
  # numerics and formats
  libfftw3-dev libhdf5-dev zlib1g-dev
)
if [[ $demo_only -eq 0 ]]; then
  packages+=(
    # tests and benchmarks
    libgtest-dev libgmock-dev libbenchmark-dev
    # independent references used by the validation tests (SciPy's Welch, h5py, MNE's EDF
    # reader); the golden-output comparison reads HDF5 with h5py
    python3 python3-numpy python3-scipy python3-h5py python3-mne
    # a real EEG sample (matplotlib's sample_data/eeg.dat) for a validation test
    python-matplotlib-data
    # the Python package (python/, docs/python.md): bindings, its tests, the examples' plots,
    # and the venv the install test creates
    pybind11-dev python3-dev python3-pytest python3-matplotlib python3-venv
    # the 8x8 digits (sklearn/datasets/data/digits.csv.gz, the file ../shared/data holds), so the
    # Python training test runs without ../shared/data
    python3-sklearn
    # the dashboard and report (web/, docs/dashboard.md): HTTP server header, the JavaScript
    # toolchain that bundles the front end, and the browser its tests drive
    libcpp-httplib-dev chromium
  )
  # Node.js from Debian unless one is installed already (e.g. a NodeSource build, whose nodejs
  # package bundles npm and conflicts with Debian's npm).
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [[ $with_torch -eq 1 ]]; then
  # LibTorch, and an optimised BLAS behind it: Debian's libtorch links libblas.so.3, which is the
  # netlib reference implementation unless OpenBLAS (OpenMP build, as LibTorch) provides it.
  # python3-torch: the same source package and version as libtorch-dev, so qneuro's LibTorch
  # extension module (qneuro.torch, qneuro.flux) loads in it.
  packages+=(libtorch-dev libopenblas0-openmp)
  [[ $demo_only -eq 1 ]] || packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# The web front end's npm packages: installed unless web/node_modules was installed from the
# current lockfile (a stamp holding the lockfile's checksum is written after npm ci).
web_dir="$(cd "$(dirname "$0")/.." && pwd)/web"
npm_stamp="$web_dir/node_modules/.qneuro-lock.sha256"
npm_needed=0
if [[ $demo_only -eq 0 && -f "$web_dir/package-lock.json" ]]; then
  lock_sum=$(sha256sum "$web_dir/package-lock.json" | cut -d' ' -f1)
  [[ -f "$npm_stamp" && "$(cat "$npm_stamp")" == "$lock_sum" ]] || npm_needed=1
fi
install_npm() {
  if [[ $npm_needed -eq 1 ]]; then
    echo "install-deps: npm ci in web/ (from web/package-lock.json)"
    (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" >"$npm_stamp"
  fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  if [[ $check_only -eq 1 && $npm_needed -eq 1 ]]; then
    echo "install-deps: web/node_modules is missing or older than web/package-lock.json"
    exit 1
  fi
  [[ $check_only -eq 1 ]] || install_npm
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"
if [[ $check_only -eq 1 ]]; then
  exit 1
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} package(s)"
install_npm
