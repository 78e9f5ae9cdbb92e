"""`python -m bench` runs the benchmark suite; see bench/cli.py and README's Benchmarks."""

import sys

from bench.cli import main

sys.exit(main())
