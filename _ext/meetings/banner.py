"""The "next meeting" banner at the top of every web page.

What flows where::

    the meetings and the as-of date
      -> next_meeting_data()        the first meeting on or after the as-of date:
                                    its words and the page it links to (or None)
      -> _static/next-meeting.js    written after the pages (build-finished, in
                                    __init__.py), only when its content changes
      -> every page                 _templates/layout.html holds an empty, hidden
                                    <aside id="next-meeting"> and loads the script,
                                    which fills it and shows it

The banner's words are not in the pages, so editing a meeting rewrites one
small script, not every page. The script sets the content itself (no fetch),
so it works offline and from file://. Links are made relative to each page
with the page's ``data-content_root``. The PDF has no banner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from . import model

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

SCRIPT_NAME = "next-meeting.js"

_SCRIPT = """\
// The "next meeting" banner of every page: written by the build from the
// meetings and the as-of date (_ext/meetings/banner.py); do not edit.
(function () {{
  "use strict";
  const next = {data};
  const banner = document.getElementById("next-meeting");
  if (!next || !banner) {{
    return;
  }}
  const root = document.documentElement.dataset.content_root || "";
  const label = document.createElement("strong");
  label.textContent = "Next meeting: ";
  const link = document.createElement("a");
  link.href = root + next.href;
  link.textContent = next.when + " \\u2014 " + next.what;
  const line = document.createElement("p");
  line.append(label, link);
  banner.replaceChildren(line);
  banner.hidden = false;
}})();
"""


def subject(meeting: model.Meeting) -> str:
    """What the meeting is about: its heading without the date."""
    return meeting.heading.removeprefix(f"{model.format_day(meeting.date)} - ")


def next_meeting_data(
    meetings: Iterable[model.Meeting],
    as_of: dt.date,
    page_of: Callable[[model.Meeting], str],
    schedule: str,
) -> dict[str, str] | None:
    """The banner's content: the next meeting or slot on or after *as_of*, or ``None``.

    An announced meeting links to its page (``page_of``); a slot with no
    paper yet names its stream and links to the *schedule*.
    """
    upcoming = sorted((m for m in meetings if model.is_upcoming(m, as_of)), key=lambda m: (m.start, m.path))
    if not upcoming:
        return None
    meeting = upcoming[0]
    return {
        "date": meeting.date.isoformat(),
        "when": f"{model.format_day(meeting.date, weekday=True)}, {model.format_time(meeting.start)}",
        "what": subject(meeting),
        "href": page_of(meeting) if meeting.announced else schedule,
    }


def render_script(data: dict[str, str] | None) -> str:
    """The script's text: the same data always gives the same bytes."""
    return _SCRIPT.format(data=json.dumps(data, ensure_ascii=False, sort_keys=True))


def write_if_changed(path: Path, text: str) -> None:
    """Leave an unchanged file (and its time stamp) alone."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
