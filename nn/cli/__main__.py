"""``python -m nn.cli``: the ``chainrule`` command."""

import sys

from nn.cli import main

sys.exit(main())
