"""`python -m openbadges …`: see `openbadges.cli`."""

import sys

from .cli import main

sys.exit(main())
