"""Scenario 1: gRPC GetEvent and CreateEvent at 1, 16 and 64 requests in flight, beside a bare
grpc.aio echo (for the read) and a bare SQLAlchemy insert + JetStream publish (for the write)."""

from __future__ import annotations

import grpc
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc

from bench.baselines import echo_server, write_server
from bench.context import Context, create_event, new_event, sign_in
from bench.measure import CpuMeter, Operation, Sample, closed_loop
from bench.processes import bare_db_url, baseline_server, evently
from bench.report import Row, cpu_rows, latency_rows

IN_FLIGHT = (1, 16, 64)


async def measure(
    operation: Operation, *, in_flight: int, seconds: float, pids: dict[str, int]
) -> tuple[Sample, dict[str, float]]:
    """A closed-loop run, and the CPU time per operation each of `pids` spent on it."""
    meter = CpuMeter(pids)
    meter.start()
    sample = await closed_loop(operation, in_flight=in_flight, seconds=seconds)
    meter.stop()
    return sample, meter.per_operation(sample.operations)


async def side_by_side(
    ctx: Context,
    method: str,
    ours: tuple[Operation, dict[str, int]],
    bare: tuple[Operation, dict[str, int]],
) -> list[Row]:
    """Our operation and its baseline at each level of requests in flight, with their CPU."""
    rows: list[Row] = []
    for in_flight in ctx.levels(IN_FLIGHT):
        name = f"{method} x{in_flight}"
        ours_sample, ours_cpu = await measure(ours[0], in_flight=in_flight, seconds=ctx.seconds, pids=ours[1])
        bare_sample, bare_cpu = await measure(bare[0], in_flight=in_flight, seconds=ctx.seconds, pids=bare[1])
        rows += latency_rows(name, ours_sample, bare_sample)
        rows += cpu_rows(name, ours_cpu, bare_cpu)
    return rows


async def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    with evently(ctx.work_dir / "evently") as system:
        _, auth = await sign_in(system.addrs["users"])
        event_id = await create_event(system.addrs["events"], auth)
        channel = grpc.aio.insecure_channel(system.addrs["events"])
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        get_request = event_service_pb2.GetEventRequest(id=event_id)
        create_request = event_service_pb2.CreateEventRequest(event=new_event("Written by the benchmark"))

        with baseline_server("echo_server") as echo:
            echo_channel = grpc.aio.insecure_channel(echo.addrs["echo_server"])
            echo_call = echo_channel.unary_unary(echo_server.FULL_METHOD)
            payload = get_request.SerializeToString()
            rows += await side_by_side(
                ctx,
                "GetEvent",
                (lambda: stub.GetEvent(get_request, metadata=auth), {"events": system.pids["events"]}),
                (lambda: echo_call(payload), {"echo": echo.pids["echo_server"]}),
            )
            await echo_channel.close()

        db_url = bare_db_url(system, "bare-write.db")
        with baseline_server("write_server", db_url, system.nats_url) as writer:
            write_channel = grpc.aio.insecure_channel(writer.addrs["write_server"])
            write_call = write_channel.unary_unary(write_server.FULL_METHOD)
            body = create_request.SerializeToString()
            nats_pid = system.pids["nats"]
            rows += await side_by_side(
                ctx,
                "CreateEvent",
                (
                    lambda: stub.CreateEvent(create_request, metadata=auth),
                    {"events": system.pids["events"], "nats": nats_pid},
                ),
                (lambda: write_call(body), {"write": writer.pids["write_server"], "nats": nats_pid}),
            )
            await write_channel.close()
        await channel.close()
    return rows
