"""Access tokens: issued by the users service, verified by every service."""
