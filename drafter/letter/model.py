"""The joint letter as data: the pydantic model behind the YAML format and its JSON Schema.

Key names are a public contract (tests and tools outside drafter rely on them). Every model
forbids unknown keys so that a typo never silently drops a paragraph.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      StringConstraints, model_validator)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_WEB_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def _shown(value: Any) -> str:
    """A value as a message shows it: text quoted, anything else by its kind."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return "nothing" if value is None else repr(value)


def _flag(value: Any) -> Any:
    """Accept only true/false: YAML 1.1's yes/no/on/off are too easy to write by accident."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"must be true or false, not {_shown(value)}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{_shown(value)} is not a date written YYYY-MM-DD (e.g. 2022-03-18)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None


_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(.*)")
_OFFSET = re.compile(r"Z|UTC|[+-]\d{2}:?\d{2}")
_ZONE_HELP = ("with its offset (2026-12-05T10:00+01:00) or its zone (2026-12-05 10:00 "
              "Europe/Brussels): read in another zone, the embargo would lift early or late")


def _embargo(value: Any) -> Any:
    """A moment with its zone: an offset, Z/UTC, or an IANA zone such as Europe/Brussels. No
    zone, an abbreviation (CET, EST: several zones and rules share them), or a local time that
    a clock change skips or repeats is refused: drafter does not guess when news may break."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    match = _MOMENT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{_shown(value)} is not a date and time written YYYY-MM-DD HH:MM "
                         f"{_ZONE_HELP}")
    day, clock, zone = match.groups()
    try:
        local = datetime.datetime.fromisoformat(f"{day}T{clock}")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date and time ({exc})") from None
    if not zone:
        raise ValueError(f"{value!r} has no time zone; write it {_ZONE_HELP}")
    if _OFFSET.fullmatch(zone):
        offset = "+00:00" if zone in ("Z", "UTC") else zone
        return datetime.datetime.fromisoformat(f"{day}T{clock}{offset}")
    if "/" not in zone:
        raise ValueError(f"{value!r}: '{zone}' is an abbreviation several zones share; write "
                         f"it {_ZONE_HELP}")
    import zoneinfo
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r}: no time zone is called '{zone}' (e.g. Europe/Brussels, "
                         "America/New_York, Asia/Hong_Kong)") from None
    moment = local.replace(tzinfo=tz)
    if moment.astimezone(datetime.timezone.utc).astimezone(tz).replace(tzinfo=None) != local:
        raise ValueError(f"{value!r} does not exist in {zone} (the clocks go forward that "
                         "night); write the time it means")
    other = local.replace(tzinfo=tz, fold=1)
    if moment.utcoffset() != other.utcoffset():
        raise ValueError(f"{value!r} happens twice in {zone} (the clocks go back that night); "
                         "write it with its offset, e.g. "
                         f"{day}T{clock}{_offset_text(moment)} or {_offset_text(other)}")
    return moment


def _offset_text(moment: datetime.datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _language(value: Any) -> Any:
    if isinstance(value, str) and _LANGUAGE.fullmatch(value):
        return value
    raise ValueError(f"{_shown(value)} is not a language tag such as en, fr, de or en-US")


def _web_url(value: Any) -> Any:
    if isinstance(value, str) and _WEB_URL.fullmatch(value):
        return value
    raise ValueError(f"{_shown(value)} is not a web address starting with https:// or "
                     "http://")


def _languages(value: Any) -> Any:
    """One language tag, or a list of them (a name in two other scripts: [ug, zh])."""
    return [value] if isinstance(value, str) else value


def _lines(value: Any) -> Any:
    """An address may be a list of lines or one block of text."""
    return value.splitlines() if isinstance(value, str) else value


# What the JSON Schema shows for the validated strings (editors check these as people type).
_DATE_TEXT = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
_LANGUAGE_TEXT = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
_URL_TEXT = Annotated[str, StringConstraints(pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://")]
_MOMENT_TEXT = Annotated[str, StringConstraints(
    pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\s*(Z|UTC|[+-]\d{2}:?\d{2}|[A-Za-z_]+/[A-Za-z_/+-]+)$")]

Flag = Annotated[bool, BeforeValidator(_flag, json_schema_input_type=bool)]
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date, json_schema_input_type=_DATE_TEXT)]
Language = Annotated[str, BeforeValidator(_language, json_schema_input_type=_LANGUAGE_TEXT)]
Moment = Annotated[datetime.datetime, BeforeValidator(_embargo,
                                                      json_schema_input_type=_MOMENT_TEXT)]
WebUrl = Annotated[str, BeforeValidator(_web_url, json_schema_input_type=_URL_TEXT)]
Lines = Annotated[list[str], BeforeValidator(_lines, json_schema_input_type=Union[list[str], str])]
Languages = Annotated[list[Language], BeforeValidator(
    _languages, json_schema_input_type=Union[_LANGUAGE_TEXT, list[_LANGUAGE_TEXT]])]
_LANG_HELP = ("The language of its text, one per script, e.g. ug or [ug, zh]: each marks its "
              "text in the script that language is written in; text in another script than "
              "the letter's without one is marked with its script only")
Markdown = Annotated[str, Field(description="Markdown: **bold**, *italic*, [links](https://...), "
                                            "footnote references [^id]; blank line = paragraph")]


class Strict(BaseModel):
    """Base for every part of the format: unknown keys are errors, values are text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        """An optional key with nothing after it (`cc:`) means the same as leaving it out, as
        `date:` alone means no date. Required keys stay, to be reported as empty."""
        if isinstance(data, dict):
            fields = cls.model_fields
            return {key: value for key, value in data.items()
                    if not (value is None and key in fields and not fields[key].is_required())}
        return data


class Party(Strict):
    """A recipient or a person copied in: a named person, an office, or a group."""

    name: str | None = Field(None, description="The person; an office or group may have none")
    title: str | None = Field(None, description="e.g. President of the European Commission")
    organisation: str | None = None
    address: Lines = Field(default_factory=list, description="Postal address, one line each")
    salutation: str | None = Field(None, description="This recipient's own greeting")
    lang: Languages = Field(default_factory=list, description=_LANG_HELP)

    @model_validator(mode="after")
    def _named_somehow(self) -> Party:
        if not (self.name or self.title or self.organisation):
            raise ValueError("needs at least a name, a title or an organisation")
        return self

    _at: tuple = PrivateAttr(default=())  # its path in the YAML: ("recipients", 0)


class Signatory(Strict):
    """An organisation (or a person) that signs the letter."""

    organisation: str | None = None
    name: str | None = Field(None, description="The person signing")
    role: str | None = Field(None, description="The signer's role, e.g. President")
    country: str | None = None
    group: str | None = Field(None, description="Printed under this label; groups keep the "
                                                "order in which they first appear")
    logo: str | None = Field(None, description="Image file inside the letter's folder")
    logo_alt: str | None = Field(None, description='The logo\'s alternative text (default "Logo '
                                                    'of" and the name, in the letter\'s language)')
    url: WebUrl | None = None
    affiliation: str | None = Field(None, description="An individual's institution, printed "
                                                      "for identification only")
    lang: Languages = Field(default_factory=list, description=_LANG_HELP)
    lead: Flag = Field(False, description="Printed first (a coordinating organisation)")
    anonymous: Flag = Field(False, description="Counted, never named in any output")
    status: Literal["confirmed", "pending", "withdrawn"] = Field(
        "confirmed", description="Only confirmed signatories are printed and counted")

    _at: tuple = PrivateAttr(default=())  # its path in the YAML: ("signatories", 3)

    @model_validator(mode="after")
    def _named_somehow(self) -> Signatory:
        if not (self.organisation or self.name or self.anonymous):
            raise ValueError("needs an organisation or a name")
        if self.affiliation and self.organisation:
            raise ValueError("affiliation is for individuals (a name without organisation:); "
                             "an organisation's signer has name: and role:")
        return self

    @property
    def is_individual(self) -> bool:
        """A person signing in their own name (no organisation), printed in a second tier."""
        return not self.organisation and bool(self.name)

    @property
    def display_name(self) -> str:
        """The name printed first: the organisation, or the person signing alone."""
        return self.organisation or self.name or ""


def _organisation_named(value: Any) -> Any:
    """A plain string in the signatory list is an organisation's name."""
    return {"organisation": value} if isinstance(value, str) else value


SignatoryEntry = Annotated[
    Signatory, BeforeValidator(_organisation_named, json_schema_input_type=Union[str, Signatory])]


class Concern(Strict):
    """One section of concerns, under an optional heading."""

    title: str | None = None
    text: Markdown


class DemandBlock(Strict):
    """An introduced list of demands."""

    intro: Markdown | None = Field(None, description='e.g. "We urge you to:"')
    items: list[Markdown] = Field(min_length=1)
    numbered: Flag = True


def is_item_list(value: Any) -> bool:
    """Demands written as a plain list of items (no block mapping in it)."""
    return isinstance(value, list) and bool(value) and not any(isinstance(v, dict)
                                                                for v in value)


def _demand_blocks(value: Any) -> Any:
    """Demands may be a list of strings, one block, or a list of blocks: make it blocks."""
    if isinstance(value, dict):
        return [value]
    if is_item_list(value):
        return [{"items": value}]
    return value


DemandList = Annotated[
    list[DemandBlock],
    BeforeValidator(_demand_blocks,
                    json_schema_input_type=Union[list[str], DemandBlock, list[DemandBlock]]),
]


class SignatoryLayout(Strict):
    """How the signatory list is laid out for its size (all optional)."""

    blocks_up_to: int = Field(10, ge=0, description="Up to this many: a signature block each")
    annex_over: int = Field(60, ge=1, description='More than this: "Signed by N organisations '
                                                  '(full list in the annex)" and an annex')
    columns: int | None = Field(None, ge=2, le=3, description="Columns of the compact list "
                                                              "and the annex (default 2 and 3)")
    logo_strip: Literal["none", "top", "end"] = Field(
        "none", description="A row of the signatories' logos at the top or the end")
    affiliation_note: Flag = Field(True, description='"Affiliations for identification '
                                                     'purposes only" under individuals')


class Letter(Strict):
    """A joint letter, as written in its YAML file."""

    template: str | None = Field(None, description="A template name, or a path to a folder")
    language: Language = "en"
    date: IsoDate | None = Field(None, description="YYYY-MM-DD; no date means no date line")
    place: str | None = None
    status: Literal["draft", "final"] = Field(
        "final", description='draft: every page says "DRAFT" and "not for circulation beyond '
                             'the coalition"; `render --final` refuses it')
    version: str | None = Field(None, description='e.g. "Draft 3": printed on a draft\'s '
                                                  "pages; the DOCX's version property")
    embargo: Moment | None = Field(
        None, description='"Embargoed until ..." on every page until then, e.g. 2026-12-05 '
                          "10:00 Europe/Brussels or 2026-12-05T10:00+01:00")
    subject: str | None = Field(None, description='The "Re:" line')
    recipients: list[Party] = Field(min_length=1)
    cc: list[Party] = Field(default_factory=list)
    salutation: str | None = Field(None, description="Overrides the derived greeting")
    opening: Markdown | None = None
    concerns: list[Concern] = Field(default_factory=list)
    demands: DemandList = Field(default_factory=list)
    conclusion: Markdown | None = None
    closing: str | None = Field(None, description="Default from the language")
    signatories: list[SignatoryEntry] = Field(min_length=1)
    signatory_order: Literal["as-written", "alphabetical", "country"] = Field(
        "as-written", description="alphabetical ignores case, accents and a leading article")
    signatories_as_of: IsoDate | None = Field(None, description='Prints "Signatories as of '
                                                                'DATE"')
    signatory_layout: SignatoryLayout = Field(default_factory=SignatoryLayout)
    notes: dict[str, Markdown] = Field(default_factory=dict,
                                       description="Footnote texts by id, cited as [^id]")
    contact: Markdown | None = None
    typography: Literal["typographic", "plain"] = Field(
        "typographic", description="typographic: “quotes” and ’ in prose by the language; "
                                   "plain: quotes and apostrophes print as typed")

    _file: str = PrivateAttr(default="")
    _folder: Any = PrivateAttr(default=None)
    _warnings: list = PrivateAttr(default_factory=list)
    _edition: Any = PrivateAttr(default=None)  # editions.Edition: the translation it came from
    _demands_form: str = PrivateAttr(default="blocks")  # as written: items, block or blocks

    @property
    def warnings(self) -> list:
        """Problems worth a warning (e.g. pending signatories); they never stop a render."""
        return self._warnings

    @property
    def file(self) -> str:
        """The YAML file this letter was read from (empty when built in code)."""
        return self._file

    @property
    def folder(self):
        """The letter's folder: logos and a relative template resolve against it."""
        return self._folder


def json_schema() -> dict:
    """The JSON Schema of the YAML format (what editors check as people type)."""
    schema = Letter.model_json_schema(mode="validation")
    for part in [schema, *schema.get("$defs", {}).values()]:
        required = set(part.get("required", ()))
        for name, prop in part.get("properties", {}).items():
            if name not in required:
                part["properties"][name] = _nullable(prop)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://drafter.invalid/letter.schema.json"
    schema["title"] = "drafter joint letter"
    return schema


def _nullable(prop: dict) -> dict:
    """Let an optional property be empty (`key:` alone is YAML null), as the loader does."""
    if "anyOf" in prop:
        if {"type": "null"} not in prop["anyOf"]:
            prop["anyOf"].append({"type": "null"})
        return prop
    meta = {key: prop.pop(key) for key in ("title", "description", "default") if key in prop}
    return {"anyOf": [prop, {"type": "null"}], **meta}
