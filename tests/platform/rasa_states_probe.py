"""Run by .venv-rasa's Python (tests/platform/test_rasa_tuning.py): the continued replay of dialogue
states gives exactly Rasa's states, for every prefix of real training conversations (some turns
marked rule-only), with and without rule-only data, through rewinds, restarts and a sender who
switches conversations, while starting afresh only when it must. Prints one JSON report."""

import json
import random

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
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
# A reloaded tracker (new event objects, same content) continues the fold.
events = conversations[0]
DialogueStateTracker.from_events("reload", events[:-1], domain.slots).past_states(domain)
reloaded = DialogueStateTracker.from_events(
    "reload",
    [
        e.__class__.from_parameters(e.as_dict()) if hasattr(e.__class__, "from_parameters") else e
        for e in events
    ],
    domain.slots,
)
report["reloaded_equal"] = reloaded.past_states(domain) == rasa_tuning._replay_states(
    domain, reloaded
)
report["fresh_starts"] = fresh_starts
print(json.dumps(report))
