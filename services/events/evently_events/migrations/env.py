from evently_platform.db.migrations import run_env

run_env()
