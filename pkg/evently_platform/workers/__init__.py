"""The kit the background workers share: claim a batch, work on it concurrently, record outcomes together."""
