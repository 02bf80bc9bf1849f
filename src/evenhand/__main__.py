"""`python -m evenhand`, the same as the `evenhand` command."""

from evenhand.cli import main

main()
