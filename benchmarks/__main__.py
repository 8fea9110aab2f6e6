"""``python -m benchmarks [--fiches N]`` (``make bench``): the register import benchmark."""

from __future__ import annotations

import argparse
import sys

from benchmarks import deliberation, register


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--fiches",
        type=int,
        default=register.FULL_FICHES,
        help=f"fiches in the generated export (default {register.FULL_FICHES}, ~570 MB)",
    )
    parser.add_argument(
        "--learners",
        type=int,
        default=deliberation.LEARNERS,
        help=f"synthetic learners of the deliberation bench (default {deliberation.LEARNERS})",
    )
    args = parser.parse_args()
    status = register.run(args.fiches)
    return max(status, deliberation.run(args.learners))


if __name__ == "__main__":
    sys.exit(main())
