#!/usr/bin/env python3
"""Ratios of a gpu-check.sh run (docs/gpu.md): reads DIR/{check,bench,torch}.jsonl and prints a
markdown summary. The prototype figures (the QLIF project's own code, 3.34 s for 16 M x 100; a
torch.compile'd step, 38 ms) are those issue 17 measured on an H200; the PyTorch reference of
torch.jsonl is measured in the same run."""
import json
import sys
from pathlib import Path

ISSUE_PROTOTYPE_S = 3.34   # QLIF prototype's code, 16 M neurons x 100 steps, H200
ISSUE_COMPILED_S = 0.038   # the same step with torch.compile, H200


def lines(path):
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def main():
    d = Path(sys.argv[1])
    check, bench, torch_ref = lines(d / "check.jsonl"), lines(d / "bench.jsonl"), lines(d / "torch.jsonl")
    print("# GPU check summary\n")
    dev = next((x for x in bench + check if "device" in x), None)
    if dev:
        print(f"device: {dev['device']} (sm {dev['sm']}, {dev['memory_gb']} GB)\n")
    cases = [x for x in check if "bit_identical" in x]
    if cases:
        ident = sum(1 for x in cases if x["bit_identical"])
        worst = min(x["spike_agreement"] for x in cases)
        failed = [x["check"] for x in cases if not x["ok"]]
        print(f"exactness: {ident}/{len(cases)} cases bit-identical to the host reference; "
              f"lowest spike agreement {worst:.6f}; failed: {failed or 'none'}\n")
    probe = next((x for x in bench if x.get("bench") == "probe"), None)
    if probe:
        print(f"bandwidth probe: copy {probe['copy_gbs']} GB/s (read + write), "
              f"write {probe['write_gbs']} GB/s\n")
    print("| case | N x B x T | kernel ms (best) | neuron-steps/s | GB/s | of copy BW |")
    print("|---|---|---|---|---|---|")
    for x in bench:
        if x.get("bench") == "kernel":
            print(f"| {x['case']} | {x['neurons']} x {x['batch']} x {x['steps']} | "
                  f"{x['kernel_ms_best']:.3f} | {x['neuron_steps_per_s']:.3g} | {x['gbs']} | "
                  f"{x['fraction_of_copy_bandwidth']:.2f} |")
    for x in bench:
        if x.get("bench") == "streamed":
            print(f"\nstreamed to host ({x['case']}): {x['neurons']} x {x['steps']} "
                  f"(asked {x['steps_asked']}), {x['host_gb']} GB in {x['wall_s']} s "
                  f"({x['gbs_to_host']} GB/s, {x['chunks']} chunks of {x['chunk_steps']} steps)")
    main_case = next((x for x in bench if x.get("case") == "quantum_voltage"), None)
    if main_case:
        s = main_case["kernel_ms_best"] * 1e-3
        print(f"\nquantum 16 M x 100 with voltages: {main_case['kernel_ms_best']:.2f} ms; "
              f"{ISSUE_PROTOTYPE_S / s:.0f}x the prototype's 3.34 s and "
              f"{ISSUE_COMPILED_S / s:.1f}x the issue's torch.compile 38 ms (issue figures)")
        for t in torch_ref:
            if t.get("neurons") == main_case["neurons"] and t.get("steps") == main_case["steps"]:
                print(f"- vs the PyTorch reference measured in this run, {t['variant']}: "
                      f"{t['seconds_best'] / s:.1f}x ({t['seconds_best'] * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
