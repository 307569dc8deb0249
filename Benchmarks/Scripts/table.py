#!/usr/bin/env python3
"""Reads ordo-one/benchmark's text output (stdin) and prints the side-by-side table.

Every figure comes from the one run on stdin: p50 wall clock per operation, p50 malloc count,
and the ratios against the OpenSSL floor and jwt-kit of the same algorithm.
"""
import re
import sys

TIME = re.compile(r"Time \(wall clock\) \((ns|μs|us|ms)\)")
SCALE = {"ns": 0.001, "μs": 1.0, "us": 1.0, "ms": 1000.0}
COUNT_SCALE = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}


def parse(lines):
    results, name = {}, None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1].startswith("╒") and not line.startswith(("│", "╒", "╞", "├", "╘")):
            name = line.strip()
            results[name] = {}
            continue
        if name is None or not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│\n").split("│")]
        if len(cells) < 4 or cells[0] == "Metric":
            continue
        p50 = cells[3]
        try:
            value = float(p50.replace(",", ""))
        except ValueError:
            continue
        match = TIME.match(cells[0])
        count_scale = COUNT_SCALE.get(re.search(r"\((K|M|G)\)", cells[0]).group(1), 1) if re.search(r"\((K|M|G)\)", cells[0]) else 1
        if match:
            results[name]["us"] = value * SCALE[match.group(1)]
        elif cells[0].startswith("Malloc (total)"):
            results[name]["mallocs"] = value * count_scale
        elif cells[0].startswith("Instructions"):
            results[name]["instructions"] = value
    return results


BATCH = 100  # operations per sample (Bench.batch)


def main():
    results = parse(sys.stdin.read().splitlines())
    for name, metrics in results.items():
        for key in ("us", "mallocs", "instructions"):
            if key in metrics:
                metrics[key] /= BATCH

    def get(name, key):
        return results.get(name, {}).get(key)

    def fmt(value, digits=1):
        return "–" if value is None else f"{value:,.{digits}f}"

    print("| per verify, one token, key preloaded | time p50 (µs) | ×floor | ×jwt-kit | mallocs p50 | mallocs − floor |")
    print("|---|---|---|---|---|---|")
    for alg in ("ES256", "EdDSA"):
        floor = get(f"{alg} floor: OpenSSL verify only", "us")
        floor_m = get(f"{alg} floor: OpenSSL verify only", "mallocs")
        kit = get(f"{alg} jwt-kit verify", "us")
        rows = [
            (f"{alg} floor: OpenSSL verify only", f"{alg} OpenSSL floor"),
            (f"{alg} SimbeeJWT verify (static set)", f"{alg} SimbeeJWT (static set)"),
            (f"{alg} SimbeeJWT verify (JWKS cache hit)", f"{alg} SimbeeJWT (JWKS cache hit)"),
            (f"{alg} SimbeeJWT verified-token cache hit", f"{alg} SimbeeJWT verified-token cache hit"),
            (f"{alg} jwt-kit verify", f"{alg} jwt-kit 5.8.0"),
        ]
        for key, label in rows:
            us, mallocs = get(key, "us"), get(key, "mallocs")
            if us is None:
                continue
            ratio_floor = us / floor if floor else None
            ratio_kit = us / kit if kit else None
            extra = mallocs - floor_m if mallocs is not None and floor_m is not None else None
            print(f"| {label} | {fmt(us, 2)} | {fmt(ratio_floor, 3)} | {fmt(ratio_kit, 3)} | {fmt(mallocs, 1)} | {fmt(extra, 1)} |")

    print()
    print("| ES256, one verifier shared by two tasks | 1 task p50 (µs per verify) | 2 tasks p50 (µs per verify) | throughput ×(2 tasks / 1 task) |")
    print("|---|---|---|---|")
    for label, prefix in (
        ("OpenSSL floor (context duplicated per call)", "ES256 floor: OpenSSL verify only"),
        ("SimbeeJWT, static set", "ES256 SimbeeJWT verify (static set)"),
        ("SimbeeJWT, JWKS cache hit", "ES256 SimbeeJWT verify (JWKS cache hit)"),
        ("jwt-kit 5.8.0 (actor key collection)", "ES256 jwt-kit verify"),
    ):
        one, two = get(prefix + ", 1 task", "us"), get(prefix + ", 2 tasks", "us")
        if one is None:
            continue
        print(f"| {label} | {fmt(one, 2)} | {fmt(two, 2)} | {fmt(one / two if two else None, 2)} |")

    print()
    print("| stage | time p50 (µs) | mallocs p50 |")
    print("|---|---|---|")
    for name in results:
        if name.startswith("Stage: "):
            print(f"| {name[7:]} | {fmt(get(name, 'us'), 3)} | {fmt(get(name, 'mallocs'), 1)} |")


if __name__ == "__main__":
    main()
