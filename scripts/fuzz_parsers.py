"""Long fuzz run of every parser (issue #15): not a test, it prints figures.

    .venv/bin/python scripts/fuzz_parsers.py [--inputs 10000] [--seed 15] [--only NAME ...] [--save var/fuzz]

For each parser (tests/fuzz_inputs.py: registry workbook, reading sheet, bank statements, collector registries), it
feeds INPUTS hostile inputs made from the parser's valid files (structured mutations and byte-level corruption,
reproducible from SEED) and counts: accepted, refused (with a translatable message naming the row; a refusal
without one is a *bad refusal*), crashes (any other exception). Crashing inputs are saved under SAVE for replay.
The exit status is 1 when any parser crashed or refused badly.
"""

import argparse
import hashlib
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import fuzz_inputs  # noqa: E402 - after the tests directory is importable


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", nargs="*", choices=sorted(fuzz_inputs.TARGET_FACTORIES))
    parser.add_argument("--save", default=str(REPO / "var" / "fuzz"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # openpyxl warns about every odd cell; the parsers decide
    print(f"fuzz: {args.inputs} inputs per parser, seed {args.seed}; {platform.python_version()}, {platform.machine()}")
    print(
        f"{'parser':<22} {'inputs':>7} {'accepted':>9} {'refused':>8} {'bad refusals':>13} {'crashes':>8} "
        f"{'time':>8} {'slowest':>9}"
    )
    failed = False
    for name, target in fuzz_inputs.targets(args.only).items():
        counts = {"accepted": 0, "refused": 0, "bad": 0, "crash": 0}
        kinds = {}
        slowest = 0.0
        rnd = fuzz_inputs.random_for(args.seed, name)
        start = time.perf_counter()
        for _ in range(args.inputs):
            data, context = fuzz_inputs.mutate(target, rnd)
            begin = time.perf_counter()
            try:
                status, problems = fuzz_inputs.outcome(target, data, context)
            except Exception as exc:  # noqa: BLE001 - counting crashes is the point
                counts["crash"] += 1
                kind = f"crash {type(exc).__name__}: {str(exc)[:120]}"
                if kind not in kinds:
                    kinds[kind] = _save(args.save, name, data, traceback.format_exc())
                continue
            finally:
                slowest = max(slowest, time.perf_counter() - begin)
            counts[status] += 1
            if problems:
                counts["bad"] += 1
                kind = "bad refusal: " + problems[0][:160]
                if kind not in kinds:
                    kinds[kind] = _save(args.save, name, data, "\n".join(problems))
        elapsed = time.perf_counter() - start
        print(
            f"{name:<22} {args.inputs:>7} {counts['accepted']:>9} {counts['refused']:>8} {counts['bad']:>13} "
            f"{counts['crash']:>8} {elapsed:>7.1f}s {slowest * 1000:>7.0f}ms",
            flush=True,
        )
        for kind, path in kinds.items():
            print(f"    {kind}  -> {path}")
        failed = failed or bool(counts["crash"] or counts["bad"])
    return 1 if failed else 0


def _save(folder, name, data, report):
    folder = Path(folder) / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()[:16]
    path.with_suffix(".bin").write_bytes(data)
    path.with_suffix(".txt").write_text(report, "utf-8")
    return path.with_suffix(".bin")


if __name__ == "__main__":
    sys.exit(main())
