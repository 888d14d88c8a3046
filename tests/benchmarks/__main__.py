"""``python -m tests.benchmarks [--quick] [--write]``: print the benchmark table."""

import sys

from .bench import main

sys.exit(main())
