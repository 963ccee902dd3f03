"""The events service: events, registrations, waitlists, comments."""
