"""The `evently` command: up, serve, migrate — the only code that imports every service."""
