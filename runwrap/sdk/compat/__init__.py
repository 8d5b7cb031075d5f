"""wandb-shaped surface beyond init(): functions.py (`runwrap.log`, `finish`, ... on the current
run), public_api.py (`runwrap.Api`) and public_run.py (its runs), session.py (login, setup,
teardown), wandb_env.py (wandb's environment variables)."""
