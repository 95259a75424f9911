"""`python -m skulab.cli ...`: the `skulab` console script."""

import sys

from skulab.cli import main

sys.exit(main())
