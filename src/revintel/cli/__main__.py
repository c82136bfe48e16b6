"""``python -m revintel.cli``: the same as the ``revintel`` console script."""

from revintel.cli import main

main()
