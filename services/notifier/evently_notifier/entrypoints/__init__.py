"""How the outside world drives the notifier: its gRPC servicer and its stream consumer."""
