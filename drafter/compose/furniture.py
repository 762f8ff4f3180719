"""Page furniture a letter's status asks for: a draft's mark and notice, an embargo's line.

They print at the top of every page of the PDF and the DOCX (and first in the text and the web
page), never in the letter's own flow: a draft mark must not be mistaken for the letter's words,
nor stay behind when the letter goes out. The words are the letter's language's.
"""

from __future__ import annotations

import datetime
import os
import time

from .wording import Locale


def now() -> datetime.datetime:
    """The moment an embargo is judged against: the clock, or SOURCE_DATE_EPOCH when set
    (reproducible builds pin "now" with it, so the same inputs give the same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def draft_words(letter, words: Locale) -> tuple[str, str]:
    """(mark, notice) of a draft ("DRAFT", "Draft 3 — not for circulation beyond the
    coalition"); empty for a final letter."""
    if letter.status != "draft":
        return "", ""
    version = (letter.version or "").strip()
    notice = (words["draft_notice"].format(version=version) if version
              else words["draft_notice_plain"])
    return words["draft_mark"], notice


def embargo_words(letter, words: Locale, at: datetime.datetime | None = None) -> str:
    """"Embargoed until 5 December 2026, 10:00 CET" while the embargo holds, else ""."""
    if letter.embargo is None or (at or now()) >= letter.embargo:
        return ""
    return words["embargo"].format(when=moment_text(letter.embargo, words))


def moment_text(moment: datetime.datetime, words: Locale) -> str:
    """The date as the language writes it in letters, the time on a 24-hour clock and the
    zone as written (its abbreviation for a named zone, else UTC±HH:MM)."""
    from babel import Locale as BabelLocale
    from babel.dates import format_time
    babel = BabelLocale.parse(words["babel"])
    clock = format_time(moment.time(), "HH:mm", locale=babel)
    joined = babel.datetime_formats["medium"].replace("'", "")
    when = joined.replace("{1}", words.date(moment.date())).replace("{0}", clock)
    return f"{when} {moment.tzname()}"
