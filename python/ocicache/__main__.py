"""``python -m ocicache``: the command line."""

from ocicache.cli import run

if __name__ == "__main__":
    run()
