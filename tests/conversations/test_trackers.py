"""Trackers: precision/recall on the labelled set, negation, speaker, smart trackers, amounts, dates,
and the scoped counts of ``revintel calls trackers``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli.app import state
from revintel.conversations.dates import find_due
from revintel.conversations.evaluate import evaluate, read_labelled
from revintel.conversations.trackers import amounts, load_trackers, match_turn
from revintel.conversations.tracking import by_conversation, tracker_summary
from revintel.errors import ValidationFailed
from revintel.scope import get_persona

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calls"
LABELLED = FIXTURES / "labelled_turns.txt"
HELDOUT = FIXTURES / "heldout_turns.txt"  # written without the YAML in view, then used to generalise it
UNTUNED = FIXTURES / "untuned_turns.txt"  # measured once untuned, then a development set for the frames
DEV = FIXTURES / "dev_turns.txt"  # written in rounds, each before the changes it then guided
PROBE = FIXTURES / "probe_turns.txt"  # written before the last round, measured once after it
PROBE2 = FIXTURES / "probe2_turns.txt"  # written after every change, measured once
PROBE3 = FIXTURES / "probe3_turns.txt"  # written just before the idiom round, measured once after it
PROBE4 = FIXTURES / "probe4_turns.txt"  # written after every change, measured once
PROBE5 = FIXTURES / "probe5_turns.txt"  # written before the round of amounts, next steps and objection frames
PROBE6 = FIXTURES / "probe6_turns.txt"  # written after that round, measured once, then tuned on
PROBE7 = FIXTURES / "probe7_turns.txt"  # written after every change of the session, measured once


def kinds(text: str, role: str = "customer") -> set[tuple[str, str]]:
    return {(m.kind, m.name) for m in match_turn(text, role, load_trackers())}


def test_labelled_set_has_150_turns_with_negation_and_both_speakers() -> None:
    rows = read_labelled(LABELLED)
    assert len(rows) >= 150
    assert sum(1 for role, _, _ in rows if role == "rep") >= 30
    assert sum(1 for _, labels, text in rows if not labels and (" not " in text or "n't" in text)) >= 10


def test_precision_and_recall_are_at_least_0_9_on_the_labelled_set() -> None:
    result = evaluate(LABELLED)
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result["errors"]
    for fam, pr in result["by_family"].items():
        assert pr["precision"] >= 0.85 and pr["recall"] >= 0.85, (fam, pr)


def test_the_held_out_set_written_in_another_style_stays_above_0_9() -> None:
    result = evaluate(HELDOUT)
    assert result["turns"] >= 150
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result["errors"]


@pytest.mark.parametrize("path", [UNTUNED, DEV], ids=["untuned", "dev"])
def test_the_development_sets_stay_above_0_9(path: Path) -> None:
    result = evaluate(path)
    assert result["turns"] >= 60
    assert result["precision"] >= 0.9 and result["recall"] >= 0.9, result["errors"]


@pytest.mark.parametrize(
    "path",
    [PROBE, PROBE2, PROBE3, PROBE4, PROBE5, PROBE6],
    ids=["probe", "probe2", "probe3", "probe4", "probe5", "probe6"],
)
def test_the_probe_sets_are_a_floor_not_a_target(path: Path) -> None:
    # measured once after the changes (docs/conversations.md): keep at least that
    result = evaluate(path)
    assert result["turns"] >= 30
    assert result["precision"] >= 0.85 and result["recall"] >= 0.65, result["errors"]


def test_the_last_unseen_probe_keeps_its_precision_and_its_first_recall() -> None:
    # never tuned on: indirect objections in new words are still mostly missed (docs/conversations.md)
    result = evaluate(PROBE7)
    assert result["turns"] >= 45
    assert result["precision"] >= 0.9 and result["recall"] >= 0.45, result["errors"]
    assert result["by_family"]["amount"]["recall"] == 1.0


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("The quote is well north of what we set aside for this.", "price_budget"),
        ("We've been told to cut discretionary spending across the board.", "price_budget"),
        ("There's no money left in the budget for new tools.", "price_budget"),
        ("Honestly the numbers don't work for a team our size.", "price_budget"),
        ("We're in the middle of a CRM migration, so nothing before the summer.", "timing"),
        ("We just don't have the bandwidth right now.", "timing"),
        ("Can we look at this again after the new year?", "timing"),
        ("I'm not the decision maker, that's our COO.", "authority"),
        ("I'll have to take it to the exec team first.", "authority"),
        ("I'm not sure there's a business case for it yet.", "need"),
        ("Our spreadsheets do the job well enough.", "need"),
        ("It isn't a priority for us right now.", "need"),
        ("Legal insist on their own terms and conditions.", "security_legal_procurement"),
        ("We'd need a data processing agreement signed first.", "security_legal_procurement"),
        ("The lack of a Teams integration is a problem for us.", "missing_feature"),
        ("I couldn't find SAML single sign-on anywhere in the docs.", "missing_feature"),
        ("We've opted for a different supplier.", "competitor"),
        ("I don't think our engineers would ever log in to it.", "need"),
        ("We won't be in a position to begin until the merger closes.", "timing"),
        ("Our finance team balked at the renewal.", "price_budget"),
        ("We haven't got the cash for this right now.", "price_budget"),
        ("It's not on the cards before the summer.", "timing"),
        ("We're a small team, honestly this feels like overkill.", "need"),
        ("The contract has to go up the chain first.", "authority"),
        ("We only use on-prem tools and you only offer cloud.", "missing_feature"),
        ("Licence fees are the main sticking point, to be honest.", "price_budget"),
        ("The commercials are not matching what finance approved.", "price_budget"),
        ("The go-live date you suggested is far too ambitious for us.", "timing"),
        ("It's a little premature for us, we're early days on the strategy.", "timing"),
        ("Our managing director signs everything off, I can only advise.", "authority"),
        ("I'm not authorised to commit us to anything like this.", "authority"),
        ("Frankly our reps would never use yet another tool.", "need"),
        ("I don't see how it would help us hit our number.", "need"),
        ("A rival vendor quoted us a much better deal last week.", "competitor"),
        ("We're talking to three other suppliers as well.", "competitor"),
        ("We'd need to be onboarded as a vendor and that takes weeks.", "security_legal_procurement"),
        ("Is there an audit trail? Our auditors would need one.", "missing_feature"),
        ("Your tool seemed quite rigid on dashboards.", "missing_feature"),
        ("Honestly the licence would eat into most of our software budget.", "price_budget"),
        ("That's twice what we pay for our current stack.", "price_budget"),
        ("We're snowed under with the audit until March.", "timing"),
        ("We've a code freeze over the holidays, so nothing before then.", "timing"),
        ("Anything like this has to go to our board for approval.", "authority"),
        ("I'd need to sell it internally before anyone signs.", "authority"),
        ("We've managed to live without a tool like this for years.", "need"),
        ("Does it plug into Gong? We'd need that.", "missing_feature"),
    ],
)
def test_frames_find_an_objection_said_in_words_outside_the_phrase_lists(said: str, category: str) -> None:
    assert ("objection", category) in kinds(said), said
    assert ("objection", category) not in kinds(said, "rep")  # the rep's words are never an objection


@pytest.mark.parametrize(
    "said",
    [
        "The whole programme has been shelved until further notice.",
        "Our sponsor has handed in her notice.",
        "The champion on their side is leaving the business in March.",
        "We've decided to proceed with another provider.",
    ],
)
def test_frames_find_a_risk_said_in_other_words(said: str) -> None:
    assert ("risk", "risk") in kinds(said), said


@pytest.mark.parametrize(
    ("said", "risk"),
    [
        ("The board has frozen all new software purchases.", True),
        ("Budget is frozen until April.", True),
        ("We don't have any budget left for this.", True),
        ("We've got a hiring freeze, so the team stays as it is.", False),
        ("Sorry, your screen froze for a second there.", False),
        ("There's no wiggle room in our budget.", False),
    ],
)
def test_a_freeze_or_a_missing_budget_is_a_risk_only_when_it_stops_buying(said: str, risk: bool) -> None:
    assert (("risk", "risk") in kinds(said)) is risk, said


@pytest.mark.parametrize(
    "said",
    [
        "Sorry for the delay, my last meeting ran over.",
        "The price is in line with what we set aside.",
        "Budget isn't a problem, it's allocated.",
        "Security reviewed everything and were happy.",
        "The Salesforce integration was straightforward in the trial.",
        "My colleague left early for an appointment.",
        "We had a workshop with your team last month, it was useful.",
        "I'm the decision maker, so we can move quickly.",
        "In terms of timing, we plan long-term partnerships.",
        "The pricing isn't hefty at all for what we get.",
        "We're not shopping around, you're the only one we're talking to.",
        "He's quite keen on the forecasting module.",
        "The approved budget is EUR 400,000 for the programme.",
        "Honestly the product piece we're happy with.",
        "We sent the amendment to our counsel this week.",
        "The number one issue for us today is manual data entry.",
        "Cost was never the problem for us.",
        "Our current tool costs us about €40,000 a year.",
        "Cost-wise we're comfortable, it's within what we'd planned.",
        "Security already gave us the thumbs up.",
    ],
)
def test_counterexamples_of_the_frames_find_nothing(said: str) -> None:
    found = {k for k in kinds(said) if k[0] in ("objection", "risk", "next_step")}
    assert not found, (said, found)


def test_no_in_a_word_list_is_the_word_not_yaml_false(tmp_path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text('classes:\n  short: [no, on]\nrisks:\n  phrases:\n    - "@short + headcount"\n')
    t = load_trackers(extra)
    found = {(m.kind, m.name) for m in match_turn("There is no headcount for this.", "customer", t)}
    assert ("risk", "risk") in found


def test_word_classes_cover_the_ways_people_say_a_price_objection() -> None:
    for said in (
        "your quote of 60,000 euros is a big jump from that.",
        "we did, and $95,000 is way more than what we had in mind.",
        "how are we supposed to justify this cost when we're cutting headcount?",
    ):
        assert ("objection", "price_budget") in kinds(said), said
    assert ("objection", "price_budget") not in kinds("The current contract is $45,000 per year.")


def test_next_steps_are_commitments_not_things_already_done() -> None:
    assert ("next_step", "next_step") in kinds("great, I'll draft it and send it over by tomorrow.", "rep")
    assert ("next_step", "next_step") in kinds("Tuesday works, I'll bring our revops lead along.")
    assert ("next_step", "next_step") not in kinds(
        "so you had a chance to look at the proposal we sent over?", "rep"
    )
    assert ("next_step", "next_step") not in kinds("Thanks for following up, it was a useful call.")
    # an obligation to win approval is not a commitment to the buyer
    assert ("next_step", "next_step") not in kinds("I'll need to get the green light from my boss first.")
    assert ("next_step", "next_step") in kinds("I'll talk to the team and send you the numbers.", "rep")


def test_a_competitor_named_with_a_preference_is_a_competitor_objection() -> None:
    got = kinds("honestly the team likes the Northwind interface better, it feels more modern.")
    assert ("objection", "competitor") in got and ("competitor", "Northwind Analytics") in got
    assert ("objection", "competitor") not in kinds("We like your interface better.")


def test_an_unknown_word_class_is_rejected_with_its_file(tmp_path) -> None:
    bad = tmp_path / "extra.yaml"
    bad.write_text('objections:\n  timing:\n    phrases:\n      - "@nonsense + quarter"\n')
    with pytest.raises(ValidationFailed) as err:
        load_trackers(bad)
    problem = err.value.problems[0]
    assert problem.file == "extra.yaml" and problem.value == "nonsense"


def test_negation_undoes_an_objection_but_not_a_phrase_that_is_itself_negative() -> None:
    assert ("objection", "price_budget") in kinds("The price is too expensive for us.")
    assert ("objection", "price_budget") not in kinds("It is not expensive at all.")
    assert ("objection", "price_budget") not in kinds("Price isn't really a concern.")
    assert ("objection", "price_budget") not in kinds("The budget is approved, so no issue there.")
    assert ("objection", "price_budget") in kinds("We have no budget this year.")
    assert ("risk", "risk") in kinds("We have no budget this year.")


def test_only_the_customer_raises_objections() -> None:
    question = "Is the price too expensive for your team?"
    assert ("objection", "price_budget") not in kinds(question, "rep")
    assert ("objection", "price_budget") in kinds("Honestly it is too expensive.", "customer")
    # competitors are tracked whoever names them; the competitor objection needs the customer
    assert kinds("Compared with Corvex we deliver faster.", "rep") == {("competitor", "Corvex")}
    assert ("objection", "competitor") in kinds("We are also evaluating Corvex.", "customer")


def test_aliases_normalise_competitor_names() -> None:
    assert ("competitor", "Northwind Analytics") in kinds("Northwind sent a proposal.")
    assert ("competitor", "Altura") in kinds("Altura's dashboards are slow.")


def test_amounts_and_currencies() -> None:
    assert [(a, c) for a, c, _ in amounts("From $80k to €2.5m or 120,000 EUR and £30,000.")] == [
        (80_000, "USD"),
        (2_500_000, "EUR"),
        (120_000, "EUR"),
        (30_000, "GBP"),
    ]
    assert amounts("We meet on 2025-11-12 at 10:30 with 12 people.") == []


def test_next_step_dates_resolve_against_the_call_day() -> None:
    thursday = dt.date(2025, 11, 20)
    assert find_due("I will send it by Friday.", thursday) == ("Friday", dt.date(2025, 11, 21))
    assert find_due("Let's meet next week", thursday) == ("next week", dt.date(2025, 11, 24))
    assert find_due("Review on 2025-12-02.", thursday) == ("2025-12-02", dt.date(2025, 12, 2))
    assert find_due("Sign by January 15th.", thursday) == ("January 15th", dt.date(2026, 1, 15))
    step = [
        m for m in match_turn("Next step: I'll send the plan tomorrow.", "rep", load_trackers(), thursday)
    ]
    assert step[0].kind == "next_step" and step[0].due_date == dt.date(2025, 11, 21)


def test_a_user_file_adds_a_smart_tracker_and_a_competitor(tmp_path) -> None:
    extra = tmp_path / "trackers.yaml"
    extra.write_text(
        "competitors:\n  - name: Zentro\n    aliases: [Zentro AI]\n"
        "smart:\n  - name: data_quality\n    label: Data quality worry\n    speaker: customer\n"
        "    threshold: 0.4\n    examples:\n      - our data is a mess\n"
        "      - the CRM data quality is poor\n"
    )
    t = load_trackers(extra)
    got = {
        (m.kind, m.name) for m in match_turn("Zentro AI says our CRM data quality is poor.", "customer", t)
    }
    assert ("competitor", "Zentro") in got and ("smart", "data_quality") in got
    assert not [m for m in match_turn("The weather was lovely.", "customer", t) if m.kind == "smart"]


def test_a_broken_user_file_is_rejected_with_its_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("competitors:\n  - name: [unclosed\n")
    with pytest.raises(ValidationFailed) as err:
        load_trackers(bad)
    assert err.value.problems[0].file == "bad.yaml" and err.value.problems[0].line


def test_counts_follow_the_scope(demo_runtime_shared) -> None:
    rt = demo_runtime_shared
    everyone = tracker_summary(rt, get_persona("ceo").scope)
    emea = tracker_summary(rt, get_persona("emea_lead").scope)
    assert 0 < emea["conversations"] < everyone["conversations"]
    price = {o["name"]: o for o in everyone["objections"]}["price_budget"]
    assert price["by_role"] == {"customer": price["mentions"]}  # never the rep
    assert {c["name"] for c in everyone["competitors"]} == {
        "Quantive",
        "Northwind Analytics",
        "Corvex",
        "Altura",
    }
    per = by_conversation(rt, get_persona("emea_lead").scope)["conversations"]
    assert len(per) == emea["conversations"]


def test_cli_trackers_by_conversation_json(demo_runtime_shared, monkeypatch) -> None:
    monkeypatch.setattr(state, "runtime", demo_runtime_shared)
    result = CliRunner().invoke(app, ["calls", "trackers", "--by", "conversation", "--json"])
    assert result.exit_code == 0, result.output
    convs = json.loads(result.stdout)["conversations"]
    with_comp = [c for c in convs if c["competitors"]]
    assert with_comp and all(isinstance(n, str) for c in with_comp for n in c["competitors"])
    assert any(o["role"] == "customer" for c in convs for o in c["objections"])


def test_a_text_said_in_many_calls_is_matched_once_but_dated_per_call() -> None:
    import pyarrow as pa

    from revintel.conversations.tracking import compute_hits

    said = "I'll send the pricing by Friday."
    turns = pa.table(
        {
            "conversation_id": ["C1", "C2", "C2", "C3"],
            "turn_index": [0, 0, 1, 0],
            "start_seconds": [1.0, 2.0, 3.0, None],
            "role": ["rep", "rep", None, "customer"],
            "text": [said, said, "It is too expensive for us.", None],
            "occurred_at": [dt.datetime(2025, 11, 17, 9), dt.datetime(2025, 11, 25, 9), None, None],
        }
    )
    rows = compute_hits(turns, load_trackers()).to_pylist()
    steps = {(r["conversation_id"], r["due_date"]) for r in rows if r["kind"] == "next_step"}
    assert steps == {("C1", dt.date(2025, 11, 21)), ("C2", dt.date(2025, 11, 28))}
    price = [r for r in rows if r["kind"] == "objection"]
    assert [(r["conversation_id"], r["turn_index"], r["role"]) for r in price] == [("C2", 1, None)]
    assert not [r for r in rows if r["conversation_id"] == "C3"]


def test_a_smart_tracker_matches_a_sentence_sharing_its_word_classes_not_its_words(tmp_path) -> None:
    extra = tmp_path / "trackers.yaml"
    extra.write_text(
        "smart:\n  - name: sponsor_gone\n    label: Sponsor gone\n    speaker: customer\n"
        "    threshold: 0.45\n    examples:\n      - our executive sponsor has resigned\n"
    )
    t = load_trackers(extra)

    def smart(said: str) -> bool:
        return any(m.kind == "smart" and m.name == "sponsor_gone" for m in match_turn(said, "customer", t))

    assert smart("The champion quit last week.")  # no word in common: @person + @leaving
    assert not smart("Our sponsor loved the demo.")  # one class in common is not enough
    assert not smart("The weather was lovely.")


@pytest.mark.parametrize(
    "said",
    [
        "ok lets pencil in tues for the demo",
        "I'll circle back end of next week with the numbers",
        "can we get something on the calendar for the 14th",
        "I'll send the MSA over by EOD",
        "let's touch base after Diwali",
        "Kindly revert with the revised quote by Thursday.",
        "i'll shoot you the deck tmrw",
        "let me tee up a call with our CTO for next tues",
        "I'll fire over the security docs by COB",
        "I'll have the redlines to you by EOD tomorrow",
        "sure, let's aim for the 3rd",
        "I'll drop you a note on monday",
        "We can start with discovery now and schedule the heavy lifting after your cut-over.",
    ],
)
def test_a_next_step_is_found_as_people_say_it(said: str) -> None:
    assert ("next_step", "next_step") in kinds(said, "rep")


@pytest.mark.parametrize(
    "said",
    [
        "let me share my screen",
        "let me pull up the dashboard",
        "let me just quickly walk you through the report",
        "I sent it last week",
        "i forwarded it yesterday",
        "they booked a demo with Northwind for thursday",
        "we already had a call with Quantive on Friday",
        "could we get a discount",
        "our team reverted the change last month",
    ],
)
def test_an_action_in_the_call_a_past_one_or_the_customers_meeting_with_a_competitor_is_no_next_step(
    said: str,
) -> None:
    assert ("next_step", "next_step") not in kinds(said)


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("lets pencil in tues", dt.date(2025, 11, 25)),
        ("I'll circle back end of next week", dt.date(2025, 11, 28)),
        ("something on the calendar for the 14th", dt.date(2025, 12, 14)),
        ("for the 31st", dt.date(2025, 12, 31)),
        ("I'll send it by EOD", dt.date(2025, 11, 20)),
        ("revert by thurs", dt.date(2025, 11, 27)),
    ],
)
def test_short_and_spoken_dates_resolve_against_the_call_day(said: str, due: dt.date) -> None:
    assert find_due(said, dt.date(2025, 11, 20))[1] == due  # a Thursday
