"""``python -m benchmarks [--fiches N]`` (``make bench``): the register import benchmark."""

from __future__ import annotations

import argparse
import sys

from benchmarks import credentials, credentials_pdf, deliberation, jury_grid, register, results


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--fiches",
        type=int,
        default=register.FULL_FICHES,
        help=f"fiches in the generated export (default {register.FULL_FICHES}, ~570 MB)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=register.ROUNDS,
        help=f"floor/import pairs of the register bench (default {register.ROUNDS})",
    )
    parser.add_argument(
        "--learners",
        type=int,
        default=deliberation.LEARNERS,
        help=f"synthetic learners of the deliberation bench (default {deliberation.LEARNERS})",
    )
    parser.add_argument(
        "--only",
        choices=[
            "register",
            "deliberation",
            "results",
            "jury_grid",
            "credentials",
            "credentials_pdf",
        ],
        help="one bench",
    )
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help=f"block credentials of the credentials bench (default {credentials.COUNT}), "
        f"certificate PDFs of the credentials_pdf bench (default {credentials_pdf.COUNT})",
    )
    args = parser.parse_args()
    benches = {
        "register": lambda: register.run(args.fiches, args.rounds),
        "deliberation": lambda: deliberation.run(args.learners),
        "results": results.run,
        "jury_grid": jury_grid.run,
        "credentials": lambda: credentials.run(args.count or credentials.COUNT),
        "credentials_pdf": lambda: credentials.bench_pdfs(args.count or credentials_pdf.COUNT),
    }
    return max(run() for name, run in benches.items() if args.only in (None, name))


if __name__ == "__main__":
    sys.exit(main())
