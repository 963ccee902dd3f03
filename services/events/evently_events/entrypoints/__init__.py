"""How the outside world drives the events service: its gRPC servicer, its stream consumer
and the timer that closes polls."""
