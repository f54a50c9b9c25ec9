"""`python -m dps_xblocks.preview`: the same as the `dps-preview` command."""

import sys

from dps_xblocks.preview.cli import main

sys.exit(main())
