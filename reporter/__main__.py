"""`python -m reporter`: the `retrospect` command."""

import sys

from reporter.cli import main

sys.exit(main())
