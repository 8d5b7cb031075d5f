"""The run directory: layout, ids, atomic documents, streams, listing. Imports no other layer."""
