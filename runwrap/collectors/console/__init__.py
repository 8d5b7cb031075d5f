"""The console as a source: scalars and tables in the final lines of stdout and stderr (scalars.py
the grammar, tables.py the table reader, collector.py the collector the wrapper starts)."""
