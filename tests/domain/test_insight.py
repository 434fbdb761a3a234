"""Issue 18: "what works" sentences and the calm-ahead rule on a synthetic history with known answers
(tests/insight_history.py explains every number)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.domain.calm_ahead import propose, with_slot
from kiosk.domain.insight import what_works
from kiosk.domain.models import Mode, ScheduleSlot
from kiosk.domain.report import Period, build_report
from tests import insight_history as h

PERIOD = Period(h.START, h.END)
BEFORE = Period(date(2026, 5, 4), date(2026, 5, 31))


def _figures(period: Period, only=None):
    report = build_report(
        h.sessions(),
        period,
        labels={h.MARY: "Mary", h.ALBERT: "Albert", h.NORA: "Nora"},
        observations=h.observations(),
        tz=UTC,
        only=only,
        not_recorded={h.NORA},
    )
    return {f.resident_id: f for f in report.residents}, report


def _sentences(rid: str, name: str, staff_id: str) -> list[str]:
    now, _ = _figures(PERIOD)
    before, _ = _figures(BEFORE)
    notes = now[rid].restless_notes
    proposal = propose(notes, datetime(2026, 6, 28, 23, 59, tzinfo=UTC))
    history = [x for x in h.HISTORY if x["resident_id"] == rid]
    found = what_works(
        now[rid], before.get(rid), PERIOD, name=name, staff_id=staff_id, history=history, proposal=proposal
    )
    return [x.text for x in found]


MARY = [
    "Relax in the late afternoon held Mary's attention longest: 29 min of music per session on average "
    "(6 sessions); other times 10 min (4 sessions).",
    "Songs that work for Mary: 'Moon River' (Andy Williams), heard to the end 6 of 6 times, liked 6 times, a good "
    "reaction seen 2 times; 'Stardust' (Nat King Cole), heard to the end 6 of 6 times, a good reaction seen 2 "
    "times; 'Danny Boy' (Jim Reeves), heard to the end 4 of 4 times.",
    "Songs to review: 'Tipperary' (John McCormack), skipped 4 of 4 times.",
    "'Blue Moon' (The Marcels) is in both lists: heard to the end 5 of 6 times, liked 1 time, a good reaction seen "
    "2 times, but stopped in distress 1 time. Watch Mary when it plays and ask the family what it means to Mary; "
    "if it upsets Mary again, put it on the avoid list.",
    "Compared with the 28 days before (4 May to 31 May): 3 h 32 min of music (was 40 min), 10 sessions (was 2), "
    "81% of songs heard to the end (was 100%), 7 likes (was 0).",
    "Staff filled in 3 observation forms: interest 70 of 100 on average (1 form), enjoyment 77 of 100 on average "
    "(3 forms); response, initiation, involvement not recorded; seen: sang 1 time, smiled 1 time. 4 values of 50 "
    "from the old form left out (it saved untouched scales as 50).",
    "No music for Mary for 16 days (13 Jun to 28 Jun).",
    "Staff noted Mary as restless outside music 3 times (3 days); 3 notes on 3 days came around 15:00, so a relax "
    "session 14:30-15:30 is proposed (music offered before that time); accept it on the staff screen or with "
    '`kiosk residents schedule M1 "14:30-15:30 relax"`.',
    "Since the last period: profile changed: volume limit 100 (no limit of its own) -> 70 (2026-06-15); new "
    "favourites: 'Danny Boy' (Jim Reeves); new songs to review: 'Blue Moon' (The Marcels), 'Tipperary' (John "
    "McCormack).",
]


def test_mary_gets_exactly_the_known_sentences():
    assert _sentences(h.MARY, "Mary", "M1") == MARY


def test_albert_two_days_of_notes_propose_nothing():
    assert _sentences(h.ALBERT, "Albert", "A2") == [
        "No music for Albert in this period.",
        "Staff noted Albert as restless outside music 2 times (2 days).",
    ]


def test_consent_no_is_not_recorded_by_choice():
    figures, report = _figures(PERIOD, only=[h.NORA])
    assert report.home.not_recorded == {h.NORA}
    assert [x.text for x in what_works(figures[h.NORA], None, PERIOD, name="Nora")] == [
        "Not recorded, by choice: Nora asked for music without records, so there is nothing to summarise."
    ]


def test_unset_scales_are_missing_never_50():
    figures, _ = _figures(PERIOD)
    mary = figures[h.MARY]
    assert mary.observations[0].scales == {"enjoyment": 80}  # only what was set
    text = next(x.text for x in what_works(mary, None, PERIOD, name="Mary") if x.kind == "observations")
    assert "response, initiation, involvement not recorded" in text
    assert "50 of 100" not in text


def test_no_sentence_claims_a_clinical_effect():
    words = " ".join(MARY).lower()
    for claim in ("reduce", "reduces", "agitation", "improve", "treat", "therapy", "clinical", "effective"):
        assert claim not in words.split()


def _notes(days, hour=15, minute=0):
    return [datetime(2026, 6, d, hour, minute, tzinfo=UTC) for d in days]


NOW = datetime(2026, 6, 28, 20, 0, tzinfo=UTC)


def test_calm_ahead_rule():
    p = propose(_notes((22, 24, 26)), NOW)
    assert p is not None and p.text == "14:30-15:30 relax" and (p.notes, p.days) == (3, 3)
    assert propose(_notes((22, 24)), NOW) is None  # 2 days
    assert propose(_notes((22, 22, 22)), NOW) is None  # 3 notes, one day
    assert propose(_notes((22, 24)) + _notes((26,), hour=16, minute=5), NOW) is None  # outside the hour
    spread = _notes((22,), 15, 10) + _notes((24,), 15, 50) + _notes((26,), 15, 30)
    assert propose(spread, NOW).text == "14:30-15:30 relax"  # window starts at the first note, 15:10
    old = [NOW - timedelta(days=40 + i) for i in range(3)]
    assert propose(old, NOW) is None  # older than 4 weeks
    slot = ScheduleSlot(14 * 60 + 30, 15 * 60 + 30, Mode.RELAX)
    assert propose(_notes((22, 24, 26)), NOW, schedule=(slot,)) is None  # already on the schedule


@pytest.mark.parametrize(
    ("have", "want"),
    [
        ((), ["14:30-15:30 relax"]),
        ((ScheduleSlot(600, 660, Mode.MOVE),), ["10:00-11:00 move", "14:30-15:30 relax"]),
        ((ScheduleSlot(900, 960, Mode.LISTEN),), ["14:30-15:30 relax"]),  # overlapped: replaced
    ],
)
def test_with_slot(have, want):
    from kiosk.domain.schedule import format_schedule

    got = with_slot(have, ScheduleSlot(870, 930, Mode.RELAX))
    assert [format_schedule((s,)) for s in got] == want


def test_a_long_history_names_three_songs_per_list_and_counts_the_rest():
    from kiosk.domain.report_model import ResidentFigures, SongStat

    f = ResidentFigures("r", "Mary", sessions=10)
    f.songs = [SongStat(f"s{i}", f"Song {i}", started=4, completed=3, likes=1, distress=1) for i in range(7)]
    texts = [x.text for x in what_works(f, None, PERIOD, name="Mary") if x.kind == "both"]
    assert len(texts) == 4
    assert texts[-1] == "4 more songs are in both lists (see the songs below and the CSV export)."
    f.songs = [SongStat(f"s{i}", f"Song {i}", started=4, skipped=1, completed=3) for i in range(5)]
    found = {x.kind for x in what_works(f, None, PERIOD, name="Mary")}
    assert "review" not in found and "both" not in found  # a skip now and then is no reason to review
