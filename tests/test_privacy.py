"""Privacy guard: no recording link, passcode or personal e-mail address in the repository or the site.

The group's meetings are private: their join links, passcodes and recordings
are e-mailed to members and must never be published. A meeting may link a
recording only when its front matter marks it public (``recording: {url:
..., public: true}``); the meeting page then shows it in a
``.meeting-recording`` paragraph, the one place where such a link may appear.

Everything the guard looks for is defined in the first section below, and
each pattern is tested on examples that must and must not be caught, so the
guard itself can fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO, STRICT, copy_root, repository_files, sphinx_build
from meetings import model
from pypdf import PdfReader

# -- What the guard looks for ---------------------------------------------------------------

URL_RE = re.compile(r"https?://[^\s<>\"'`)\]]+")
#: Recordings of the group's calls: never published unless marked public.
RECORDING_RE = re.compile(r"zoom\.us/rec/|zoom\.us/recording/|zoom\.com/rec/", re.IGNORECASE)
#: Video and file-sharing links: on a meeting page they are recordings.
VIDEO_RE = re.compile(
    r"youtube\.com/(?:watch|live|shorts|embed)|youtu\.be/|vimeo\.com/\d|drive\.google\.com/|"
    r"dropbox\.com/|zoom\.us/rec/|zoom\.com/rec/",
    re.IGNORECASE,
)
#: Secrets of a call, on any page.
SECRET_PATTERNS = {
    "join link with password": re.compile(r"[?&]pwd=\w", re.IGNORECASE),
    "passcode": re.compile(r"\bpass\s?code\b\s*(?:is\b)?\s*[:=]?\s*[^\s,.;]*\d", re.IGNORECASE),
    "password": re.compile(r"\b(?:meeting\s+)?password\s*(?:is\b)?\s*[:=]\s*\S+", re.IGNORECASE),
}
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: The only addresses allowed: nobody's own. GitHub's no-reply addresses (bots,
#: commits made on github.com) and the domains reserved for examples.
ALLOWED_EMAIL_RE = re.compile(
    r"@users\.noreply\.github\.com$|^noreply@github\.com$|@example\.(?:com|org|net)$", re.IGNORECASE
)
#: "name@2x.png" is an image, not an address.
NOT_A_DOMAIN = ("png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css")


def leaks(text: str, *, meeting_page: bool = False, allowed_urls: frozenset[str] = frozenset()) -> list[str]:
    """What in *text* must not be published, as "kind: text" lines."""
    found = []
    for url in URL_RE.findall(text):
        if url.rstrip(".,;:") in allowed_urls:
            continue
        if RECORDING_RE.search(url) or (meeting_page and VIDEO_RE.search(url)):
            found.append(f"recording link: {url}")
    for kind, pattern in SECRET_PATTERNS.items():
        found += [f"{kind}: {match.group(0)}" for match in pattern.finditer(text)]
    for address in EMAIL_RE.findall(text):
        if address.rsplit(".", 1)[-1].lower() in NOT_A_DOMAIN or ALLOWED_EMAIL_RE.search(address):
            continue
        found.append(f"e-mail address: {address}")
    return found


def public_recordings(meeting_source: str) -> frozenset[str]:
    """The recording URL a meeting page's front matter marks public, if any."""
    parts = meeting_source.split("---", 2)
    if not meeting_source.startswith("---") or len(parts) < 3:
        return frozenset()
    try:
        front = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError:
        return frozenset()
    recording = front.get("recording") if isinstance(front, dict) else None
    if (
        isinstance(recording, dict)
        and recording.get("public") is True
        and isinstance(recording.get("url"), str)
    ):
        return frozenset({recording["url"]})
    return frozenset()


MEETING_SOURCE_RE = re.compile(r"(?:^|/)meetings/[^/]+\.md(?:\.txt)?$")


def leaks_in_file(name: str, text: str) -> list[str]:
    """Leaks in one file of the repository or the site, named as they are found."""
    if MEETING_SOURCE_RE.search(name):
        return leaks(text, meeting_page=True, allowed_urls=public_recordings(text))
    if name.endswith(".html"):
        soup = BeautifulSoup(text, "html.parser")
        allowed = frozenset(a["href"] for a in soup.select(".meeting-recording a[href]"))
        return leaks(text, meeting_page="/meetings/" in f"/{name}", allowed_urls=allowed)
    return leaks(text)


# -- The patterns, on examples ----------------------------------------------------------------

CAUGHT = [
    ("https://us02web.zoom.us/rec/share/AbC123xyz", {}),
    ("https://zoom.us/rec/play/abc?startTime=1", {}),
    ("Join: https://us06web.zoom.us/j/81234567890?pwd=QWErty123", {}),
    ("Passcode: 8fK.2x", {}),
    ("The meeting passcode is 123456", {}),
    ("passcode=Ab12cd", {}),
    ("Meeting password: hunter2", {}),
    ("write to jane.doe@utoronto.ca", {}),
    ("<a href='mailto:someone@gmail.com'>mail</a>", {}),
    ("Recording: https://www.youtube.com/watch?v=dQw4w9WgXcQ", {"meeting_page": True}),
    ("https://youtu.be/dQw4w9WgXcQ", {"meeting_page": True}),
    ("https://vimeo.com/123456789", {"meeting_page": True}),
    ("https://drive.google.com/file/d/1AbC/view", {"meeting_page": True}),
    # Marked public, but a different link.
    (
        "https://youtu.be/other",
        {"meeting_page": True, "allowed_urls": frozenset({"https://youtu.be/public"})},
    ),
]
PASSED = [
    ("Sign up at <https://forms.gle/BUeUW14vV4pyQbDDA> so I have the emails in one place.", {}),
    ("Online meeting links are emailed to the group; never commit a passcode.", {}),
    ("No recording links, passcodes or personal e-mail addresses anywhere.", {}),
    ("A lecture: https://www.youtube.com/watch?v=abc (a public talk, not a meeting)", {}),
    ("https://github.com/geoffwoollard/learn_cryoem_math#resources", {}),
    ("41898282+github-actions[bot]@users.noreply.github.com", {}),
    ("git config user.email you@example.com", {}),
    ("logo@2x.png", {}),
    ("@pytest.mark.sphinx('html')", {}),
    ("UID:2022-01-21-vesper@online-cryoem-study-group", {}),
    ("https://doi.org/10.1016/S0076-6879(10)82003-8", {}),
    ("password_hash = compute(pwd)", {}),
    (
        "https://youtu.be/public",
        {"meeting_page": True, "allowed_urls": frozenset({"https://youtu.be/public"})},
    ),
]


@pytest.mark.parametrize(("text", "options"), CAUGHT, ids=[t for t, _ in CAUGHT])
def test_the_guard_catches(text, options):
    assert leaks(text, **options)


@pytest.mark.parametrize(("text", "options"), PASSED, ids=[t for t, _ in PASSED])
def test_the_guard_lets_pass(text, options):
    assert leaks(text, **options) == []


MEETING = """---
date: 2022-01-21
time: "9:00"
stream: mathy
{recording}---

# Alpha

{body}
"""


@pytest.mark.parametrize(
    ("recording", "body", "caught"),
    [
        ("recording:\n  url: https://youtu.be/abc\n  public: true\n", "", False),
        ("recording:\n  url: https://youtu.be/abc\n  public: false\n", "", True),
        ("", "Watch it again at https://youtu.be/abc", True),
        ("recording:\n  url: https://youtu.be/abc\n  public: true\n", "Or https://youtu.be/other", True),
        ("", "A paper: https://doi.org/10.1038/s41467-021-22401-y", False),
    ],
)
def test_a_meeting_page_may_hold_only_its_public_recording(recording, body, caught):
    text = MEETING.format(recording=recording, body=body)
    assert bool(leaks_in_file("meetings/2022-01-21-alpha.md", text)) is caught
    # The same words outside a meeting page are not a recording.
    assert leaks_in_file("readings/rotations.md", text) == []


# -- The recording field ---------------------------------------------------------------------


def parse(recording: str) -> model.Meeting:
    return model.parse_meeting(
        MEETING.format(recording=recording, body=""),
        "meetings/2022-01-21-alpha.md",
        streams=["mathy"],
        default_timezone="America/Vancouver",
    )


def test_a_public_recording_is_read():
    assert (
        parse("recording:\n  url: https://youtu.be/abc\n  public: true\n").recording == "https://youtu.be/abc"
    )
    assert parse("").recording is None


@pytest.mark.parametrize(
    ("recording", "words"),
    [
        ("recording:\n  url: https://youtu.be/abc\n  public: false\n", "must not be in the repository"),
        ("recording:\n  url: https://youtu.be/abc\n", "is missing"),
        ("recording:\n  url: http://youtu.be/abc\n  public: true\n", "does not match"),
        ("recording: https://youtu.be/abc\n", "is not of type 'object'"),
    ],
)
def test_a_recording_not_marked_public_is_refused(recording, words):
    with pytest.raises(model.MeetingError) as raised:
        parse(recording)
    assert raised.value.field == "recording"
    assert raised.value.line == 5
    assert words in raised.value.reason


def test_a_meeting_page_shows_its_public_recording(tmp_path):
    src = copy_root("meetings", tmp_path)
    page = src / "meetings" / "2022-01-21-alpha.md"
    page.write_text(
        page.read_text().replace(
            "---\n\n#", "recording:\n  url: https://youtu.be/abc\n  public: true\n---\n\n#", 1
        )
    )
    out = tmp_path / "html"
    result = sphinx_build("-b", "html", src, out, *STRICT)
    assert result.returncode == 0, result.stderr
    html = (out / "meetings" / "2022-01-21-alpha.html").read_text()
    link = BeautifulSoup(html, "html.parser").select_one("p.meeting-recording a")
    assert link["href"] == "https://youtu.be/abc"
    assert leaks_in_file("meetings/2022-01-21-alpha.html", html) == []
    # The same link in the page's text, not marked as its recording, is caught.
    assert leaks_in_file("meetings/2022-01-21-alpha.html", html.replace("meeting-recording", "x"))


# -- The guard, on the repository and on the site ----------------------------------------------


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # images, fonts: no text to leak
        return None


def test_the_repository_holds_no_recording_link_passcode_or_e_mail_address():
    this_file = str(Path(__file__).relative_to(REPO))  # its examples are meant to be caught
    problems = []
    for name in repository_files():
        text = read_text(REPO / name)
        if name != this_file and text is not None:
            problems += [f"{name}: {leak}" for leak in leaks_in_file(name, text)]
    assert problems == []


def test_the_site_holds_no_recording_link_passcode_or_e_mail_address(book):
    problems = []
    files = sorted(p for p in book.html.rglob("*") if p.is_file())
    assert any(p.suffix == ".html" for p in files)
    for path in files:
        name = path.relative_to(book.html).as_posix()
        if path.suffix == ".pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        else:
            text = read_text(path)
        if text is not None:
            problems += [f"{name}: {leak}" for leak in leaks_in_file(name, text)]
    assert problems == []
