"""ListDeadLetters and ReplayDeadLetter, as every service with a consumer serves them: an operator
sees what its consumer gave up on, and hands a message back to it once the cause is fixed."""

from __future__ import annotations

import asyncio

import grpc
from evently.operations.v1 import dead_letter_pb2
from google.protobuf import empty_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from evently_platform.auth.principal import require_operator
from evently_platform.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from evently_platform.grpc.pagination import decode_token, encode_token, page_size
from evently_platform.logging import get_logger
from evently_platform.messaging.consumer import DurableConsumer, ReplayFailed
from evently_platform.messaging.dead_letters import SqlDeadLetters, StoredDeadLetter

log = get_logger(__name__)
LISTED_PAYLOAD = 64 * 1024  # of each letter in a list: a page of 100 stays ~6 MiB at most


class DeadLetterEndpoints:
    """The two RPCs as a servicer serves them: inherit this before the generated servicer base,
    and set `_dead_letters`."""

    _dead_letters: DeadLetterMethods

    async def ListDeadLetters(
        self, request: dead_letter_pb2.ListDeadLettersRequest, context: grpc.aio.ServicerContext
    ) -> dead_letter_pb2.ListDeadLettersResponse:
        return await self._dead_letters.list(request)

    async def ReplayDeadLetter(
        self, request: dead_letter_pb2.ReplayDeadLetterRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        return await self._dead_letters.replay(request)


class DeadLetterMethods:
    def __init__(self, store: SqlDeadLetters, consumer: DurableConsumer) -> None:
        self._store = store
        self._consumer = consumer

    async def list(
        self, request: dead_letter_pb2.ListDeadLettersRequest
    ) -> dead_letter_pb2.ListDeadLettersResponse:
        require_operator()
        size = page_size(request.page_size)
        before = _before(request)
        letters = await asyncio.to_thread(self._store.page, before=before, limit=size + 1)
        more = len(letters) > size
        return dead_letter_pb2.ListDeadLettersResponse(
            dead_letters=[_to_proto(stored) for stored in letters[:size]],
            next_page_token=encode_token({"before": letters[size - 1].id}, request) if more else "",
        )

    async def replay(self, request: dead_letter_pb2.ReplayDeadLetterRequest) -> empty_pb2.Empty:
        operator = require_operator()
        letter_id = _letter_id(request.id)
        stored = await asyncio.to_thread(self._store.get, letter_id)
        if stored is None or stored.letter.consumer != self._consumer.durable:
            raise NotFound(f"dead letter {request.id!r} not found")
        try:
            await self._consumer.replay(stored.letter)
        except ReplayFailed as exc:
            await asyncio.to_thread(self._store.failed_again, letter_id, str(exc))
            raise FailedPrecondition(f"the message failed again and stays a dead letter: {exc}") from exc
        await asyncio.to_thread(self._store.discard, letter_id)
        log.info(
            "consumer.dead_letter_replayed",
            consumer=stored.letter.consumer,
            dead_letter_id=letter_id,
            message_id=stored.letter.message_id,
            by=operator.user_id,
        )
        return empty_pb2.Empty()


def _before(request: dead_letter_pb2.ListDeadLettersRequest) -> int | None:
    cursor = decode_token(request.page_token, request)
    if cursor is None:
        return None
    before = cursor.get("before")
    if not isinstance(before, int) or isinstance(before, bool):
        raise InvalidArgument([FieldViolation("page_token", "is not a token returned by this method")])
    return before


def _letter_id(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidArgument([FieldViolation("id", "must be a dead letter id from ListDeadLetters")])
    return int(text)


def _to_proto(stored: StoredDeadLetter) -> dead_letter_pb2.DeadLetter:
    letter = stored.letter
    created = Timestamp()
    created.FromDatetime(stored.create_time)
    return dead_letter_pb2.DeadLetter(
        id=str(stored.id),
        consumer=letter.consumer,
        subject=letter.subject,
        message_id=letter.message_id or "",
        stream_sequence=letter.stream_seq or 0,
        delivery_count=letter.num_delivered,
        error=letter.error,
        payload=letter.payload[:LISTED_PAYLOAD],
        payload_truncated=len(letter.payload) > LISTED_PAYLOAD,
        headers=letter.headers,
        create_time=created,
    )
