"""Rasa input channel used by the bot. Runs INSIDE the Rasa server (Python 3.10, .venv-rasa).

Like Rasa's REST channel, but one call returns both the bot messages and what the NLU understood
(intent, confidence), so the bot needs a single HTTP round trip per message. The webhook demands
the same token as Rasa's HTTP API, so only the bot can talk through it.
"""

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.brain import rasa_tuning
from bot.logging_setup import install_record_masking

# Rasa logs user texts at debug level: mask ID and phone numbers in every record of this process.
install_record_masking()

rasa_tuning.install()


class AssistantInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "assistant"

    def _authorised(self, request: Request) -> bool:
        expected = os.environ.get("RASA_TOKEN", "")
        if not expected:
            return True
        given = request.headers.get("Authorization", "").replace("Bearer ", "", 1)
        return hmac.compare_digest(given.encode(), expected.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("assistant_webhook", __name__)

        @webhook.listener("after_server_start")
        async def freeze_after_model_load(app: Any, loop: Any) -> None:
            rasa_tuning.freeze_loaded_model()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body: dict[str, Any] = request.json or {}
            sender_id = str(body.get("sender") or "")
            text = body.get("message")
            if not sender_id or not isinstance(text, str):
                return response.json({"error": "sender and message are required"}, status=400)
            metadata: dict[str, Any] | None = body.get("metadata") or None
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata)
            # Parse before handling and hand Rasa the result: the processor then skips its own
            # NLU run, and the answer can say what was understood without loading the tracker
            # back from the store (a full replay of the session's events on every message).
            agent = getattr(request.app.ctx, "agent", None)
            if agent is not None and agent.is_ready():
                message.parse_data = await agent.processor.parse_message(message)
            await on_new_message(message)
            parse: dict[str, Any] = {}
            if message.parse_data:
                parse = {
                    "intent": message.parse_data.get("intent") or {},
                    "response_selector": _selected(message.parse_data),
                }
            return response.json({"messages": collector.messages, "parse": parse})

        return webhook


def _selected(parse_data: dict[str, Any]) -> dict[str, Any]:
    selector = (parse_data.get("response_selector") or {}).get("faq") or {}
    chosen = selector.get("response") or {}
    return {
        "intent_response_key": chosen.get("intent_response_key"),
        "confidence": chosen.get("confidence"),
    }
