"""What each `crawler` command does, as functions that return records; `crawler/cli.py` parses the
options, prints the records and turns them into exit codes."""
