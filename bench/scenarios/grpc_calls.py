"""Scenario 1: gRPC GetEvent and CreateEvent at 1, 16 and 64 requests in flight, and
RegisterForEvent at 16. The read beside
a bare grpc.aio echo (what a call costs) and beside a bare handler running GetEvent's own two
SELECTs (what the same work costs: the like-for-like ratio); the write beside a bare SQLAlchemy
insert + JetStream publish, as is the registration."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc

from bench.baselines import echo_server, read_server, write_server
from bench.context import Context, create_event, create_events, new_event, sign_in
from bench.measure import CpuMeter, Operation, Sample, closed_loop
from bench.processes import bare_db_url, baseline_server, evently
from bench.report import Row, Target, cpu_rows, latency_rows

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
    *,
    at_16: dict[str, Target] | None = None,
    levels: tuple[int, ...] = IN_FLIGHT,
) -> list[Row]:
    """Our operation and its baseline at each level of requests in flight, with their CPU;
    `at_16`: the issue's targets for 16 in flight (by metric, or `cpu/op <process>`)."""
    rows: list[Row] = []
    for in_flight in ctx.levels(levels):
        name = f"{method} x{in_flight}"
        targets = (at_16 or {}) if in_flight == 16 else {}
        ours_sample, ours_cpu = await measure(ours[0], in_flight=in_flight, seconds=ctx.seconds, pids=ours[1])
        bare_sample, bare_cpu = await measure(bare[0], in_flight=in_flight, seconds=ctx.seconds, pids=bare[1])
        rows += latency_rows(name, ours_sample, bare_sample, targets)
        cpu_targets = {k.removeprefix("cpu/op "): t for k, t in targets.items() if k.startswith("cpu/op ")}
        rows += cpu_rows(name, ours_cpu, bare_cpu, cpu_targets)
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

        with baseline_server("read_server", system.db_urls["events"]) as reader:
            read_channel = grpc.aio.insecure_channel(reader.addrs["read_server"])
            read_call = read_channel.unary_unary(read_server.FULL_METHOD)
            rows += await side_by_side(
                ctx,
                "GetEvent vs same SELECT",
                (lambda: stub.GetEvent(get_request, metadata=auth), {"events": system.pids["events"]}),
                (lambda: read_call(payload), {"read": reader.pids["read_server"]}),
                at_16={
                    "throughput": Target("ratio", at_least=0.5),
                    "cpu/op events": Target("ours", at_most=1000),
                },
            )
            await read_channel.close()

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
                at_16={"throughput": Target("ratio", at_least=0.6)},
            )
            if 16 in ctx.levels(IN_FLIGHT):
                # A registration writes only for someone not registered yet: one event per call.
                event_ids = iter(
                    await create_events(system.addrs["events"], auth, int(ctx.seconds * 800) + 200)
                )
                rows += await side_by_side(
                    ctx,
                    "RegisterForEvent",
                    (
                        lambda: stub.RegisterForEvent(
                            event_service_pb2.RegisterForEventRequest(event_id=_next(event_ids)),
                            metadata=auth,
                        ),
                        {"events": system.pids["events"], "nats": nats_pid},
                    ),
                    (lambda: write_call(body), {"write": writer.pids["write_server"], "nats": nats_pid}),
                    at_16={"throughput": Target("ratio", at_least=0.6)},
                    levels=(16,),
                )
            await write_channel.close()
        await channel.close()
    return rows


def _next(event_ids: Iterator[str]) -> str:
    event_id = next(event_ids, None)
    if event_id is None:
        raise RuntimeError("the benchmark ran out of events to register for: create more beforehand")
    return event_id
