"""The wrapper: spawn the program, pass its terminal through, record the run, return its status."""
