"""How the outside world drives the users service: its gRPC servicer."""
