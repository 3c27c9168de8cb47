"""``python -m smstui``."""

import sys

from smstui.cli import main

if __name__ == "__main__":
    sys.exit(main())
