"""What the notifier makes of polls: attendees are told a poll opened and how a question ended;
webhooks carry tallies but never who voted what — a vote reaches only the organizer's (and the
voter's own) subscriptions."""

from __future__ import annotations

from typing import Any

from evently.events.v1 import event_service_pb2, poll_pb2
from evently.notifier.v1 import notifier_service_pb2

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue
from tests.services.webhooks_kit import subscribe_to
from tests.support import eventually


async def _kinds(notifier: Any, person: Any) -> list[str]:
    inbox = await notifier.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=person)
    return sorted(n.kind for n in inbox.notifications)


async def test_attendees_hear_of_a_poll_and_webhooks_never_learn_who_voted(
    venue: Venue, notifier: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    ann_id, ann = venue.person()
    _, eve = venue.person()
    event = await venue.event(olga, capacity=10, title="Team dinner")
    await venue.register(event.id, ann)
    stranger_hook = WebhookReceiver()
    stranger_hook.start()
    try:
        await subscribe_to(notifier, olga, endpoint, ["evently.poll.*"])
        await subscribe_to(notifier, eve, stranger_hook, ["evently.poll.*"])
        await eventually(lambda: _kinds(notifier, ann), until=lambda k: "registration.confirmed" in k)
        poll = await venue.events.CreatePoll(
            event_service_pb2.CreatePollRequest(
                poll=poll_pb2.Poll(
                    event_id=event.id,
                    kind=poll_pb2.Poll.QUESTION,
                    options=[poll_pb2.PollOption(text="Pizza"), poll_pb2.PollOption(text="Sushi")],
                )
            ),
            metadata=olga,
        )
        await venue.events.Vote(
            event_service_pb2.VoteRequest(
                poll_id=poll.id,
                answers=[
                    poll_pb2.OptionAnswer(option_id=poll.options[1].id, answer=poll_pb2.OptionAnswer.YES)
                ],
            ),
            metadata=ann,
        )
        await venue.events.ClosePoll(event_service_pb2.ClosePollRequest(id=poll.id), metadata=olga)

        kinds = await eventually(lambda: _kinds(notifier, ann), until=lambda k: "poll.closed" in k)
        assert "poll.opened" in kinds
        inbox = await notifier.ListNotifications(
            notifier_service_pb2.ListNotificationsRequest(), metadata=ann
        )
        decided = next(n for n in inbox.notifications if n.kind == "poll.closed")
        assert decided.body == "The answer: Sushi."

        def types(receiver: WebhookReceiver) -> list[str]:
            return sorted(d["body"]["type"] for d in receiver.received)

        organizers = ["evently.poll.closed", "evently.poll.opened", "evently.poll.voted"]
        assert await eventually(lambda: types(endpoint), until=lambda t: t == organizers)
        # Eve's subscription hears the poll open and close, not the vote.
        assert await eventually(
            lambda: types(stranger_hook), until=lambda t: t == ["evently.poll.closed", "evently.poll.opened"]
        )
        for delivery in [*endpoint.received, *stranger_hook.received]:
            assert "ballots" not in delivery["body"]["data"]["poll"]  # tallies only
        voted = next(
            d["body"]["data"] for d in endpoint.received if d["body"]["type"] == "evently.poll.voted"
        )
        assert voted["voterId"] == ann_id and voted["poll"]["options"][1]["yes"] == 1
    finally:
        stranger_hook.stop()
