"""``python -m bench.load``: run the load benchmark (see ``bench.load.cli``)."""

import sys

from bench.load.cli import main

sys.exit(main())
