"""``python -m mobility`` runs the command line."""

from .cli import main

main()
