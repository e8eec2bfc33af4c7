"""`python -m desktop_app` is the `machizukuri` command."""

import sys

from desktop_app.cli import main

sys.exit(main())
