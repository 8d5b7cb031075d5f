"""The command line: click commands that parse, call one function below, and print."""
