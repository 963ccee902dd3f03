"""The shared kit every Evently process is built from: config, logging, tracing, errors,
gRPC bootstrap, database, messaging (outbox, inbox, JetStream) and auth."""
