"""gRPC plumbing: server bootstrap, interceptors, status mapping, pagination."""
