"""Scenario 2: the gateway's `GET /v1/events/{id}` beside a direct gRPC GetEvent at the same
concurrency (target: ≥ 75 % of its throughput at 16 in flight), and a bare uvicorn endpoint
calling the bare gRPC echo: the gateway's own CPU per request beside that proxy's (target:
at most 1.3 times at 16 in flight); and beside a bare proxy that answers what the gateway
answers (GetEvent's event through protobuf's JSON mapping), which leaves only the gateway's own
work in the difference. HTTP load comes from a lean keep-alive client
(`bench/http_client.py`), so the client is not what limits the throughput."""

from __future__ import annotations

import grpc
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc

from bench.context import Context, create_event, sign_in
from bench.http_client import KeepAliveClient
from bench.measure import Sample
from bench.processes import baseline_server, evently
from bench.report import Row, Target, cpu_rows, latency_rows, row
from bench.scenarios.grpc_calls import measure

IN_FLIGHT = (1, 16, 64)


async def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    with evently(ctx.work_dir / "evently") as system:
        _, auth = await sign_in(system.addrs["users"])
        event_id = await create_event(system.addrs["events"], auth)
        channel = grpc.aio.insecure_channel(system.addrs["events"])
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        request = event_service_pb2.GetEventRequest(id=event_id)
        pids = {"gateway": system.pids["gateway"], "events": system.pids["events"]}
        with (
            baseline_server("echo_server") as echo,
            baseline_server("http_proxy", echo.addrs["echo_server"]) as proxy,
            baseline_server("http_proxy", system.addrs["events"], "getevent") as same_answer,
        ):
            http = KeepAliveClient(system.addrs["gateway"])
            bare_http = KeepAliveClient(proxy.addrs["http_proxy"])
            same_answer_http = KeepAliveClient(same_answer.addrs["http_proxy"])
            path = f"/v1/events/{event_id}"
            try:

                async def through_gateway() -> None:
                    await http.get(path)

                async def bare_proxy() -> None:
                    await bare_http.get(path)

                async def bare_proxy_of_the_event() -> None:
                    await same_answer_http.get(path)

                for in_flight in ctx.levels(IN_FLIGHT):
                    name = f"gateway GET x{in_flight}"
                    ours, ours_cpu = await measure(
                        through_gateway, in_flight=in_flight, seconds=ctx.seconds, pids=pids
                    )
                    direct: Sample
                    direct, _ = await measure(
                        lambda: stub.GetEvent(request),
                        in_flight=in_flight,
                        seconds=ctx.seconds,
                        pids={"events": system.pids["events"]},
                    )
                    bare, bare_cpu = await measure(
                        bare_proxy,
                        in_flight=in_flight,
                        seconds=ctx.seconds,
                        pids={"proxy": proxy.pids["http_proxy"], "echo": echo.pids["echo_server"]},
                    )
                    _, same_answer_cpu = await measure(
                        bare_proxy_of_the_event,
                        in_flight=in_flight,
                        seconds=ctx.seconds,
                        pids={"proxy": same_answer.pids["http_proxy"]},
                    )
                    at_16 = in_flight == 16
                    target = Target("ratio", at_least=0.75) if at_16 else None
                    rows.append(
                        row(
                            name,
                            "throughput vs direct gRPC",
                            "ops/s",
                            ours.throughput,
                            direct.throughput,
                            target,
                        )
                    )
                    rows += latency_rows(name, ours, bare)
                    rows += cpu_rows(name, ours_cpu, bare_cpu)
                    rows.append(
                        row(
                            name,
                            "cpu/op gateway vs bare proxy",
                            "µs",
                            ours_cpu["gateway"] * 1e6,
                            bare_cpu["proxy"] * 1e6,
                            Target("ratio", at_most=1.3) if at_16 else None,
                        )
                    )
                    rows.append(
                        row(
                            name,
                            "cpu/op gateway vs bare proxy, same answer",
                            "µs",
                            ours_cpu["gateway"] * 1e6,
                            same_answer_cpu["proxy"] * 1e6,
                        )
                    )
            finally:
                await http.aclose()
                await bare_http.aclose()
                await same_answer_http.aclose()
        await channel.close()
    return rows
