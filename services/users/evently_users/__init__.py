"""The users service: accounts, password hashes, token signing keys."""
