"""Run by .venv-rasa's Python (tests/platform/test_rasa_tuning.py): the continued replay of dialogue
states gives exactly Rasa's states, for every prefix of real training conversations (some turns
marked rule-only), with and without rule-only data, through rewinds, restarts and a sender who
switches conversations, while starting afresh only when it must. Prints one JSON report."""

import copy
import json
import random

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from bot.brain import rasa_tuning

rasa_tuning.install()

fresh_starts = 0
start_fold = rasa_tuning._StatesFold.__init__


def counting_start(fold, domain, tracker):
    global fresh_starts
    fresh_starts += 1
    start_fold(fold, domain, tracker)


rasa_tuning._StatesFold.__init__ = counting_start
importer = TrainingDataImporter.load_from_config(
    "rasa/config.yml", "rasa/domain", ["nlu_data", "dialogs"]
)
domain = importer.get_domain()
generated = TrainingDataGenerator(
    importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=False
).generate()
rng = random.Random(7)
conversations = [list(t.events) for t in generated]
rng.shuffle(conversations)
conversations = conversations[:40]
# Runtime marks rule-only turns on ActionExecuted; the generated stories carry none, so mark some.
for events in conversations:
    for event in events:
        if isinstance(event, ActionExecuted) and rng.random() < 0.2:
            event.hide_rule_turn = True
form = next(iter(domain.form_names), None)
slot = domain.slots[0].name
conversations.append(
    [
        ActionExecuted("action_listen"),
        UserUttered("你好", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
        UserUttered("再说一次", {"name": "affirm", "confidence": 1.0}),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        UserUttered("表单", {"name": "affirm", "confidence": 1.0}),
        ActionExecuted(form),
        ActiveLoop(form),
        SlotSet(slot, "x"),
        ActionExecuted(form),
        ActionReverted(),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
        Restarted(),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("谢谢", {"name": "thanks", "confidence": 1.0}),
    ]
)
rule_only = {"slots": [slot], "active_loops": [form] if form else []}
flag_sets = [
    (False, False, None),
    (True, False, None),
    (False, True, rule_only),
    (True, True, rule_only),
]
report = {
    "patched": Domain.states_for_tracker_history is rasa_tuning.states_for_tracker_history,
    "conversations": len(conversations),
    "compared": 0,
    "mismatches": [],
}
REWINDING = (ActiveLoop, ActionReverted, UserUtteranceReverted, Restarted, SessionStarted)
report[
    "starts_without_rewinds"
] = []  # fresh starts per conversation that never rewinds: 1 per flag set
for number, events in enumerate(conversations):
    starts_before = fresh_starts
    sender = "same-user" if number % 2 else f"user-{number}"  # one sender switches stories
    for k in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events(sender, events[:k], domain.slots)
        for omit, ignore, rule_only_data in flag_sets:
            expected = rasa_tuning._replay_states(domain, tracker, omit, ignore, rule_only_data)
            got = domain.states_for_tracker_history(tracker, omit, ignore, rule_only_data)
            report["compared"] += 1
            if got != expected:
                report["mismatches"].append([number, k, omit, ignore])
            if got:
                got[-1].setdefault("prev_action", {})["action_name"] = (
                    "tampered"  # callers may mutate
                )
    if not any(isinstance(event, REWINDING) for event in events):
        report["starts_without_rewinds"].append(fresh_starts - starts_before)


# Rasa keeps the events of the message it is handling in memory; the next message reads them back
# from the tracker store, where parse_data differs in detail. That must continue the fold; a
# different user text in the history must not.
def user(text, intent, confidence):
    parse_data = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "text": text,
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    return UserUttered(text, parse_data["intent"], [], parse_data)


def read_back(event, text=None):
    data = copy.deepcopy(event.as_dict())  # as_dict shares parse_data with the event
    if data["event"] == "user":
        for ranked in data["parse_data"]["intent_ranking"]:
            ranked["confidence"] = round(ranked["confidence"], 3)
        data["parse_data"]["message_id"] = "from-store"
        if text is not None:
            data["text"] = data["parse_data"]["text"] = text
    return Event.from_parameters(data)


talk = [
    ActionExecuted("action_listen"),
    user("居住证怎么续签", "faq", 0.98765432),
    ActionExecuted("action_answer_faq"),
    SlotSet(slot, "x"),
    ActionExecuted("action_listen"),
    user("谢谢", "thanks", 0.9123456),
    ActionExecuted("utter_thanks"),
    ActionExecuted("action_listen"),
    user("再见", "goodbye", 0.87654321),
]
in_memory = DialogueStateTracker.from_events("read-back", talk[:6], domain.slots)
in_memory.past_states(domain)
before = fresh_starts
stored = DialogueStateTracker.from_events("read-back", [read_back(e) for e in talk], domain.slots)
report["read_back_continued"] = (
    fresh_starts == before
    and stored.past_states(domain) == rasa_tuning._replay_states(domain, stored)
    and fresh_starts == before
)
changed = DialogueStateTracker.from_events(
    "read-back",
    [read_back(e, "居住证怎么补办" if n == 1 else None) for n, e in enumerate(talk)],
    domain.slots,
)
before = fresh_starts
report["changed_history_restarted"] = (
    changed.past_states(domain) == rasa_tuning._replay_states(domain, changed)
    and fresh_starts == before + 1
)
report["fresh_starts"] = fresh_starts
print(json.dumps(report))
