"""What each `ctgraph` subcommand does for a terminal: run the library, print the answer or a
one-line error, return the exit status. `ctgraph.cli` only parses arguments and calls these.

May import: every room but `ctgraph.web` (`serve` goes to `ctgraph.web.server`).
"""
