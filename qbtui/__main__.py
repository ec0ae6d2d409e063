"""``python -m qbtui``: the same as the ``qbtui`` command."""

from qbtui.cli import main

main()
