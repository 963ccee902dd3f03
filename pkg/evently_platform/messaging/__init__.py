"""Domain events on NATS JetStream: envelope, outbox, relay, durable consumers, inbox, dead letters."""
