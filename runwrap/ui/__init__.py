"""`runwrap ui`: a live dashboard of the store in the browser. A consumer like the others: it
reads the run directories (streams from byte offsets), writes nothing into them, and lives above
`store` beside `cli`. Its one product, the series cache, lives in the store's hidden `.cache/`
folder (ui/cache.py)."""
