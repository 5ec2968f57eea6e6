"""``python -m webapp`` is the ``tandem`` command."""

from webapp.cli import main

main()
