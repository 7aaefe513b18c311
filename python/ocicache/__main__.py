"""``python -m ocicache``: the command line."""

from ocicache.cli import run

run()
