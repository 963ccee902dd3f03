"""The HTTP gateway: JSON/HTTP → gRPC transcoding from the protos' `google.api.http` rules."""
