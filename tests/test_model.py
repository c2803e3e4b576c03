"""The meetings' pure logic, without Sphinx: reading, checking, time and the split."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from meetings import model

STREAMS = ["mathy cryoem paper", "advanced rotations", "guest"]
VANCOUVER = ZoneInfo("America/Vancouver")


def page(front_matter: str, body: str = "# A title\n") -> str:
    return f"---\n{front_matter.strip()}\n---\n\n{body}"


def parse(text: str, path: str = "meetings/2022-01-21-vesper.md") -> model.Meeting:
    return model.parse_meeting(
        text, path, streams=STREAMS, default_timezone="America/Vancouver", default_duration=60
    )


GOOD = 'date: 2022-01-21\ntime: "9:00"\nstream: mathy cryoem paper\npre-reading: [a, b]'


def test_a_good_meeting_is_read_whole():
    meeting = parse(page(GOOD, "# VESPER: maps.\n\nSome text.\n"))
    assert meeting.start == dt.datetime(2022, 1, 21, 9, 0, tzinfo=VANCOUVER)
    assert meeting.duration == dt.timedelta(minutes=60)
    assert meeting.title == "VESPER: maps."
    assert meeting.pre_reading == ("a", "b")
    assert meeting.slug == "vesper"
    assert meeting.announced
    assert meeting.topic == "mathy cryoem paper"
    assert meeting.heading == "21 Jan 2022 - VESPER: maps."


def test_a_guest_slot_reads_like_the_syllabus():
    meeting = parse(
        page(
            'date: 2022-01-28\ntime: "9:15"\nstream: guest\nspeaker: Qinwen (Wendy) Huang',
            "# Weakly Supervised Learning\n",
        ),
        "meetings/2022-01-28-huang.md",
    )
    assert meeting.topic == "Guest: Qinwen (Wendy) Huang - Weakly Supervised Learning"
    assert meeting.heading == "28 Jan 2022 - Guest: Qinwen (Wendy) Huang - Weakly Supervised Learning"
    assert meeting.heading_prefix == "28 Jan 2022 - Guest: Qinwen (Wendy) Huang - "


def test_a_page_without_heading_is_an_unannounced_slot():
    meeting = parse(
        page('date: 2022-02-04\ntime: "9:00"\nstream: advanced rotations', "% not chosen yet\n"),
        "meetings/2022-02-04-advanced-rotations.md",
    )
    assert not meeting.announced
    assert meeting.topic == "advanced rotations"
    assert meeting.heading == "4 Feb 2022 - advanced rotations (to be announced)"


def test_headings_inside_code_fences_are_not_titles():
    body = "```python\n# a comment, not a title\n```\n\nNo heading here.\n"
    assert model.find_title(body) is None
    assert model.find_title("Intro\n\n# Real title\n") == "Real title"


@pytest.mark.parametrize(
    ("front_matter", "path", "field", "words"),
    [
        ('time: "9:00"\nstream: guest\nspeaker: X', None, "date", "missing"),
        (
            'date: 2022-02-30\ntime: "9:00"\nstream: mathy cryoem paper',
            "meetings/2022-02-30-x.md",
            "date",
            "not a date on the calendar",
        ),
        ('date: 21 Jan 2022\ntime: "9:00"\nstream: mathy cryoem paper', None, "date", "does not match"),
        (
            'date: 2022-01-22\ntime: "9:00"\nstream: mathy cryoem paper',
            None,
            "date",
            "file name says 2022-01-21",
        ),
        (
            "date: 2022-01-21\ntime: 9:00\nstream: mathy cryoem paper",
            None,
            "time",
            "YAML reads an unquoted 9:00 as 540 minutes",
        ),
        ('date: 2022-01-21\ntime: "9 AM"\nstream: mathy cryoem paper', None, "time", "does not match"),
        ('date: 2022-01-21\ntime: "25:00"\nstream: mathy cryoem paper', None, "time", "does not match"),
        (
            'date: 2022-01-21\ntime: "9:00"\ntimezone: Mars/Olympus\nstream: mathy cryoem paper',
            None,
            "timezone",
            "not an IANA time zone",
        ),
        ('date: 2022-01-21\ntime: "9:00"\nstream: cooking', None, "stream", "not one of the streams"),
        ('date: 2022-01-21\ntime: "9:00"\nstream: guest', None, "speaker", "guest slot names its speaker"),
        (
            'date: 2022-01-21\ntime: "9:00"\nstream: mathy cryoem paper\nspeaker: X',
            None,
            "speaker",
            "only a 'guest' slot has a speaker",
        ),
        (
            'date: 2022-01-21\ntime: "9:00"\nstream: mathy cryoem paper\nroom: 5',
            None,
            "room",
            "not a meeting field",
        ),
        (
            'date: 2022-01-21\ntime: "9:00"\nstream: mathy cryoem paper\npre-reading: a',
            None,
            "pre-reading",
            "is not of type 'array'",
        ),
        (
            'date: 2022-03-13\ntime: "2:30"\nstream: mathy cryoem paper',
            "meetings/2022-03-13-x.md",
            "time",
            "does not exist on 2022-03-13",
        ),
    ],
)
def test_bad_front_matter_names_the_file_line_and_field(front_matter, path, field, words):
    path = path or "meetings/2022-01-21-vesper.md"
    with pytest.raises(model.MeetingError) as caught:
        parse(page(front_matter), path)
    error = caught.value
    assert error.field == field
    assert words in str(error)
    assert str(error).startswith(f"{path}:")
    if field in front_matter:  # a field that is there is found on its line
        expected_line = 2 + next(
            i for i, line in enumerate(front_matter.splitlines()) if line.startswith(field)
        )
        assert error.line == expected_line


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("# no front matter\n", "must start with '---'"),
        ("---\ndate: 2022-01-21\n", "no closing '---'"),
        ("---\ndate: [2022\n---\n", "not valid YAML"),
        ("---\n- a list\n---\n", "must be a mapping"),
    ],
)
def test_broken_front_matter_is_reported(text, words):
    with pytest.raises(model.MeetingError, match=words):
        parse(text)


def test_a_badly_named_file_is_refused():
    with pytest.raises(model.MeetingError, match="YYYY-MM-DD-slug.md"):
        parse(page(GOOD), "meetings/vesper.md")


def test_pre_reading_needs_an_announced_meeting():
    with pytest.raises(model.MeetingError, match="no '# Title' heading") as caught:
        parse(page(GOOD, "% nothing yet\n"))
    assert caught.value.field == "pre-reading"


def test_two_meetings_at_once_clash_and_unknown_keys_are_caught():
    one = parse(page(GOOD), "meetings/2022-01-21-one.md")
    two = parse(page(GOOD), "meetings/2022-01-21-two.md")
    with pytest.raises(model.MeetingError, match="2022-01-21-one.md is booked at the same date and time"):
        model.check_collection([one, two])
    with pytest.raises(model.MeetingError, match="'b' is not a key in references.bib"):
        model.check_collection([one], bib_keys={"a"})
    model.check_collection([one], bib_keys={"a", "b"})  # no error


@pytest.mark.parametrize(
    ("local", "zone", "expected"),
    [
        (dt.datetime(2022, 1, 21, 9, 0), "America/Vancouver", "9 AM PST"),
        (dt.datetime(2022, 1, 28, 9, 15), "America/Vancouver", "9:15 AM PST"),
        (dt.datetime(2022, 3, 11, 9, 0), "America/Vancouver", "9 AM PST"),
        (dt.datetime(2022, 3, 18, 9, 0), "America/Vancouver", "9 AM PDT"),  # after 13 March
        (dt.datetime(2022, 1, 21, 9, 0), "America/Toronto", "12 PM EST"),
        (dt.datetime(2022, 1, 21, 9, 0), "Europe/Berlin", "6 PM CET"),
        # Between North America's change (13 Mar) and Europe's (27 Mar) the gap is 8 hours.
        (dt.datetime(2022, 3, 18, 9, 0), "Europe/Berlin", "5 PM CET"),
        (dt.datetime(2022, 4, 1, 9, 0), "Europe/Berlin", "6 PM CEST"),
        (dt.datetime(2022, 1, 21, 0, 5), "America/Vancouver", "12:05 AM PST"),
        (dt.datetime(2022, 1, 21, 12, 0), "America/Vancouver", "12 PM PST"),
    ],
)
def test_times_carry_the_right_abbreviation_for_their_date(local, zone, expected):
    start = local.replace(tzinfo=VANCOUVER)
    assert model.format_time(start, ZoneInfo(zone)) == expected


def test_days_are_english_whatever_the_locale():
    assert model.format_day(dt.date(2022, 1, 21)) == "21 Jan 2022"
    assert model.format_day(dt.date(2022, 3, 4), weekday=True) == "Fri 4 Mar 2022"


def test_skipped_wall_clock_times_do_not_exist():
    assert not model.exists_locally(dt.datetime(2022, 3, 13, 2, 30, tzinfo=VANCOUVER))
    assert model.exists_locally(dt.datetime(2022, 3, 13, 3, 30, tzinfo=VANCOUVER))
    assert model.exists_locally(dt.datetime(2022, 11, 6, 1, 30, tzinfo=VANCOUVER))  # happens twice


TODAY = dt.date(2026, 11, 25)
EPOCH_2023 = str(int(dt.datetime(2023, 5, 1, 12, tzinfo=dt.timezone.utc).timestamp()))


@pytest.mark.parametrize(
    ("configured", "environ", "edition", "expected", "source"),
    [
        (None, {}, "2022-01-18", dt.date(2022, 1, 18), "the edition's date"),
        (
            "2022-01-25",
            {"MEETINGS_AS_OF": "2022-03-01"},
            "2022-01-18",
            dt.date(2022, 1, 25),
            "meetings_as_of",
        ),
        (
            None,
            {"MEETINGS_AS_OF": "2022-03-01", "SOURCE_DATE_EPOCH": EPOCH_2023},
            "2022-01-18",
            dt.date(2022, 3, 1),
            "MEETINGS_AS_OF",
        ),
        (None, {"SOURCE_DATE_EPOCH": EPOCH_2023}, "2022-01-18", dt.date(2023, 5, 1), "SOURCE_DATE_EPOCH"),
        (None, {"MEETINGS_AS_OF": ""}, "2022-01-18", dt.date(2022, 1, 18), "the edition's date"),
        ("today", {}, "2022-01-18", TODAY, "the clock"),
        (None, {}, None, TODAY, "the clock"),
        (dt.date(2022, 2, 2), {}, None, dt.date(2022, 2, 2), "meetings_as_of"),
    ],
)
def test_the_as_of_date_comes_from_the_first_source_that_gives_one(
    configured, environ, edition, expected, source
):
    day, said = model.resolve_as_of(configured, environ, edition, TODAY)
    assert day == expected
    assert source in said


@pytest.mark.parametrize(
    ("configured", "environ"), [("25/01/2022", {}), (None, {"SOURCE_DATE_EPOCH": "soon"})]
)
def test_an_unreadable_as_of_date_is_an_error(configured, environ):
    with pytest.raises(ValueError, match="not a"):
        model.resolve_as_of(configured, environ, "2022-01-18", TODAY)


def test_the_split_puts_the_as_of_day_in_upcoming_and_leaves_slots_out():
    def meeting(day: int, title: str | None) -> model.Meeting:
        return model.Meeting(
            path=f"m{day}",
            slug="s",
            start=dt.datetime(2022, 1, day, 9, tzinfo=VANCOUVER),
            duration=dt.timedelta(hours=1),
            stream="x",
            speaker=None,
            title=title,
            pre_reading=(),
        )

    vesper, huang, slot = meeting(21, "VESPER"), meeting(28, "Huang"), meeting(25, None)
    assert model.split([huang, slot, vesper], dt.date(2022, 1, 18)) == ([vesper, huang], [])
    assert model.split([huang, slot, vesper], dt.date(2022, 1, 25)) == ([huang], [vesper])
    assert model.split([huang, vesper], dt.date(2022, 1, 28)) == ([huang], [vesper])
    assert model.split([huang, vesper], dt.date(2022, 1, 29)) == ([], [vesper, huang])


def test_the_schedule_covers_the_as_of_year_and_later():
    def on(day: dt.date) -> model.Meeting:
        start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=VANCOUVER)
        return model.Meeting("m", "s", start, dt.timedelta(hours=1), "x", None, "T", ())

    as_of = dt.date(2022, 6, 1)
    assert model.in_schedule(on(dt.date(2022, 1, 1)), as_of)  # earlier this year: still in the table
    assert model.in_schedule(on(dt.date(2023, 2, 3)), as_of)
    assert not model.in_schedule(on(dt.date(2021, 12, 31)), as_of)  # the archive
