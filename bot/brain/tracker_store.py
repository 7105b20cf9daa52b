"""Rasa's SQL tracker store with fewer round trips, its database work off the event loop.

Runs inside the Rasa server (Python 3.10, .venv-rasa); endpoints.yml names it as the tracker
store type. Same ``events`` table, same rows, same conversation-session rule as Rasa's
``SQLTrackerStore``; profiled under load (benchmarks/README.md, Telegram load) that store cost:

* a ``COUNT`` of the stored events on every save, to learn which events are new. The tracker
  being saved was read by this store a moment earlier, under the conversation lock, so it is
  simply told how many events it came with; trackers that were not read here (a brand-new
  conversation, a copy) still get Rasa's count.
* ORM objects for every event row in both directions; plain SQL expressions do the same work.
* synchronous queries inside the Rasa event loop: while one conversation waited for the
  database, no other conversation on that server could run. They now run in worker threads.
"""

import asyncio
import json
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# How many events of the tracker are already in the database (set when this store read it).
STORED_EVENTS_ATTRIBUTE = "_stored_event_count"


def stored_event_count(tracker: DialogueStateTracker) -> int | None:
    count = tracker.__dict__.get(STORED_EVENTS_ATTRIBUTE)
    return count if isinstance(count, int) else None


def _mark_stored(tracker: DialogueStateTracker, count: int) -> None:
    tracker.__dict__[STORED_EVENTS_ATTRIBUTE] = count


class LeanSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same schema and behaviour) without its per-message overheads."""

    @property
    def _events(self) -> sa.Table:
        return self.SQLEvent.__table__

    def _event_data_query(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        events = self._events
        query = sa.select(events.c.data).where(events.c.sender_id == sender_id)
        if not fetch_events_from_all_sessions:
            # events since the latest SessionStarted, or all of them if there is none (as Rasa)
            session_start = (
                sa.select(sa.func.max(events.c.timestamp))
                .where(events.c.sender_id == sender_id, events.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.where(sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(events.c.id)

    def _load_event_data(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[str]:
        with self.engine.connect() as connection:
            query = self._event_data_query(sender_id, fetch_events_from_all_sessions)
            return list(connection.execute(query).scalars())

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        data = await asyncio.to_thread(self._load_event_data, sender_id, fetch_events_from_all_sessions)
        if not self.domain or not data:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(d) for d in data], self.domain.slots)
        _mark_stored(tracker, len(tracker.events))
        return tracker

    def _row(self, sender_id: str, data: dict[str, Any], type_name: str) -> dict[str, Any]:
        return {
            "sender_id": sender_id,
            "type_name": type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _insert_new_events(self, sender_id: str, events: list[Event], stored: int | None) -> None:
        with self.engine.begin() as connection:
            if stored is None:  # not read by this store: ask the database, as Rasa does
                count_query = sa.select(sa.func.count()).select_from(
                    self._event_data_query(sender_id, fetch_events_from_all_sessions=False).subquery()
                )
                stored = int(connection.execute(count_query).scalar_one())
            rows = [self._row(sender_id, event.as_dict(), event.type_name) for event in events[stored:]]
            if rows:
                connection.execute(self._events.insert(), rows)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the tracker gained since it was read (all of them for a new one)."""
        await self.stream_events(tracker)
        events = list(tracker.events)  # a snapshot: the thread never touches the live tracker
        await asyncio.to_thread(self._insert_new_events, tracker.sender_id, events, stored_event_count(tracker))
        _mark_stored(tracker, len(events))
