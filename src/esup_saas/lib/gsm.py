"""SMS text encoding and segmentation, per 3GPP TS 23.038 (formerly GSM 03.38) and TS 23.040.

Pure functions, no Django. The browser counter (``offers/sms/static/sms/gsm0338.js``) applies
the very same tables and rules; ``tests/lib/gsm_cases.json`` holds the cases both are tested on.

Sources:

- 3GPP TS 23.038 §6.2.1 "GSM 7 bit Default Alphabet" (the 128-character basic table) and
  §6.2.1.1 "GSM 7 bit default alphabet extension table" (reached by the escape 0x1B; each
  extension character costs two septets). Only the extension characters that the default
  extension table defines are used: form feed, ``^ { } \\ [ ~ ] |`` and ``€``.
- 3GPP TS 23.038 §5 (data coding scheme): a message that holds any character outside both
  tables is sent in UCS-2 (data_coding 0x08), UTF-16 big-endian, where a character outside the
  Basic Multilingual Plane (an emoji) takes two 16-bit code units (a surrogate pair).
- 3GPP TS 23.040 §9.2.3.24.1 (concatenated short messages, 8-bit reference): a User Data
  Header of 6 octets ``05 00 03 ref total seq`` takes 7 septets in GSM-7 or 6 octets in UCS-2,
  so one SMS holds 160 septets / 70 code units, and each part of a longer one 153 / 67.
  A part never ends between an escape and its character, nor inside a surrogate pair.

Lengths are in *units*: septets for GSM-7, UTF-16 code units for UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

#: 3GPP TS 23.038 §6.2.1: the basic table, index = septet value (0x1B is the escape).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(GSM7_BASIC) == 128

#: 3GPP TS 23.038 §6.2.1.1: the default extension table (character → septet after 0x1B).
GSM7_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}

ESCAPE = 0x1B
_BASIC_INDEX = {ch: i for i, ch in enumerate(GSM7_BASIC) if i != ESCAPE}
_EXTENSION_CHAR = {v: k for k, v in GSM7_EXTENSION.items()}

#: Units in one SMS, and in each part of a concatenated one (3GPP TS 23.040 §9.2.3.24.1).
SINGLE = {GSM7: 160, UCS2: 70}
PER_PART = {GSM7: 153, UCS2: 67}
#: Concatenation references are 8-bit: at most 255 parts.
MAX_PARTS_LIMIT = 255

#: Transliteration (optional, per institution) to stay in GSM-7. Only characters that are
#: *not* in the basic or extension table are mapped, so a GSM-7 text is never changed.
TRANSLITERATION = {
    "á": "a",
    "â": "a",
    "ã": "a",
    "À": "A",
    "Á": "A",
    "Â": "A",
    "Ã": "A",
    "ç": "c",
    "ê": "e",
    "ë": "e",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "í": "i",
    "î": "i",
    "ï": "i",
    "Ì": "I",
    "Í": "I",
    "Î": "I",
    "Ï": "I",
    "ó": "o",
    "ô": "o",
    "õ": "o",
    "Ò": "O",
    "Ó": "O",
    "Ô": "O",
    "Õ": "O",
    "ú": "u",
    "û": "u",
    "Ù": "U",
    "Ú": "U",
    "Û": "U",
    "ÿ": "y",
    "Ÿ": "Y",
    "œ": "oe",
    "Œ": "OE",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "–": "-",
    "—": "-",
    "‐": "-",
    "−": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\t": " ",
    "•": "-",
    "°": "o",
    "`": "'",
}
TRANSLITERATION = {
    k: v for k, v in TRANSLITERATION.items() if k not in _BASIC_INDEX and k not in GSM7_EXTENSION
}


class MessageTooLong(ValueError):
    """The text needs more parts than allowed; ``analysis`` says how many it needs."""

    def __init__(self, analysis: SmsAnalysis, max_parts: int) -> None:
        self.analysis = analysis
        self.max_parts = max_parts
        super().__init__(
            f"the message needs {analysis.parts} SMS in {analysis.encoding} "
            f"({analysis.units} units), at most {max_parts} allowed"
        )


@dataclass(frozen=True)
class SmsAnalysis:
    """What a text costs.

    ``encoding``: ``"GSM-7"`` or ``"UCS-2"``; ``units``: septets (GSM-7, an extension
    character counts 2) or UTF-16 code units (UCS-2); ``parts``: SMS needed (0 for an empty
    text); ``capacity``: units allowed with ``max_parts`` parts (160 / 70 for one part, else
    153 / 67 per part); ``remaining``: ``capacity - units`` ("Caractères restants", negative
    when too long).
    """

    encoding: str
    units: int
    parts: int
    capacity: int
    remaining: int

    def as_dict(self) -> dict[str, int | str]:
        """The analysis as the JSON the browser counter returns (same keys)."""
        return {
            "encoding": self.encoding,
            "units": self.units,
            "parts": self.parts,
            "capacity": self.capacity,
            "remaining": self.remaining,
        }


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the basic or the extension table."""
    return all(ch in _BASIC_INDEX or ch in GSM7_EXTENSION for ch in text)


def non_gsm7_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` that force UCS-2, in order of appearance."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in _BASIC_INDEX and ch not in GSM7_EXTENSION:
            seen.setdefault(ch)
    return list(seen)


def transliterate(text: str) -> str:
    """``text`` with the characters of :data:`TRANSLITERATION` replaced (ê→e, ’→', œ→oe,
    «»→", …→...). Characters that have no GSM-7 equivalent (emoji, other scripts) stay."""
    return "".join(TRANSLITERATION.get(ch, ch) for ch in text)


def _units(text: str, encoding: str) -> list[int]:
    """The cost in units of each character (GSM-7: 1 or 2 septets; UCS-2: 1 or 2 code units)."""
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def encoding_of(text: str) -> str:
    """``"GSM-7"`` when :func:`is_gsm7`, else ``"UCS-2"`` (3GPP TS 23.038 §5)."""
    return GSM7 if is_gsm7(text) else UCS2


def split(text: str) -> list[str]:
    """Cut ``text`` into the parts it is sent in (one part when it fits in one SMS).

    GSM-7 parts hold at most 153 septets, UCS-2 parts 67 code units; a character is never
    cut (an extension character's two septets, or a surrogate pair, stay in one part).
    An empty text gives ``[]``.
    """
    if not text:
        return []
    encoding = encoding_of(text)
    costs = _units(text, encoding)
    if sum(costs) <= SINGLE[encoding]:
        return [text]
    limit = PER_PART[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for i, cost in enumerate(costs):
        if used + cost > limit:
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    return parts


def analyse(text: str, *, max_parts: int = 1) -> SmsAnalysis:
    """The encoding, size and remaining room of ``text`` sent with at most ``max_parts`` SMS.

    ``max_parts`` must be 1 to 255 (``ValueError`` otherwise). Never raises for a long text:
    ``remaining`` is negative and ``parts`` greater than ``max_parts``.
    """
    if not 1 <= max_parts <= MAX_PARTS_LIMIT:
        raise ValueError(f"max_parts: expected 1 to {MAX_PARTS_LIMIT}, got {max_parts}")
    encoding = encoding_of(text)
    units = sum(_units(text, encoding))
    parts = len(split(text))
    capacity = SINGLE[encoding] if max_parts == 1 else PER_PART[encoding] * max_parts
    return SmsAnalysis(encoding, units, parts, capacity, capacity - units)


def check_length(text: str, *, max_parts: int = 1) -> SmsAnalysis:
    """:func:`analyse`, raising :class:`MessageTooLong` when more than ``max_parts`` parts are
    needed and ``ValueError`` for an empty text."""
    if not text:
        raise ValueError("the message is empty")
    analysis = analyse(text, max_parts=max_parts)
    if analysis.parts > max_parts:
        raise MessageTooLong(analysis, max_parts)
    return analysis


# --- encoding to octets (what goes in SMPP's short_message) -----------------------------------


def encode_gsm7(text: str) -> bytes:
    """``text`` as unpacked GSM-7 septets, one per octet (SMPP data_coding 0, the SMSC default
    alphabet, as most SMSCs expect it); extension characters as ``0x1B`` + their septet.
    Raises ``ValueError`` naming the first character outside both tables."""
    out = bytearray()
    for ch in text:
        if ch in _BASIC_INDEX:
            out.append(_BASIC_INDEX[ch])
        elif ch in GSM7_EXTENSION:
            out += bytes((ESCAPE, GSM7_EXTENSION[ch]))
        else:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) is not in the GSM 7-bit alphabet")
    return bytes(out)


def decode_gsm7(data: bytes) -> str:
    """The inverse of :func:`encode_gsm7` (an unknown extension septet reads as a space, per
    3GPP TS 23.038 §6.2.1.1 note 3)."""
    out: list[str] = []
    escaped = False
    for octet in data:
        septet = octet & 0x7F
        if escaped:
            out.append(_EXTENSION_CHAR.get(septet, " "))
            escaped = False
        elif septet == ESCAPE:
            escaped = True
        else:
            out.append(GSM7_BASIC[septet])
    return "".join(out)


@dataclass(frozen=True)
class EncodedPart:
    """One SMS of a message as it goes on the wire: ``payload`` (UDH included when
    ``udh`` is true, then SMPP esm_class must carry 0x40), ``data_coding`` 0 or 8."""

    payload: bytes
    data_coding: int
    udh: bool
    seq: int
    total: int


def encode(text: str, *, reference: int = 0) -> list[EncodedPart]:
    """Encode ``text`` into its SMS parts (:func:`split`), each with the concatenation UDH
    ``05 00 03 reference total seq`` when there are several (3GPP TS 23.040
    §9.2.3.24.1; ``reference`` 0-255). GSM-7 as unpacked septets (data_coding 0), UCS-2
    as UTF-16BE (data_coding 8)."""
    if not 0 <= reference <= 255:
        raise ValueError(f"reference: expected 0 to 255, got {reference}")
    chunks = split(text)
    encoding = encoding_of(text)
    data_coding = 0 if encoding == GSM7 else 8
    total = len(chunks)
    out = []
    for seq, chunk in enumerate(chunks, start=1):
        body = encode_gsm7(chunk) if encoding == GSM7 else chunk.encode("utf-16-be")
        udh = total > 1
        header = bytes((0x05, 0x00, 0x03, reference, total, seq)) if udh else b""
        out.append(EncodedPart(header + body, data_coding, udh, seq, total))
    return out


def decode(payload: bytes, *, data_coding: int, udh: bool) -> tuple[str, tuple[int, int, int]]:
    """Decode one part: its text and ``(reference, total, seq)`` (``(0, 1, 1)`` without a
    UDH). The inverse of :func:`encode`, used by the SMSC simulator and the tests."""
    info = (0, 1, 1)
    if udh:
        length = payload[0]
        header = payload[1 : 1 + length]
        if len(header) >= 5 and header[0] == 0x00 and header[1] == 0x03:
            info = (header[2], header[3], header[4])
        payload = payload[1 + length :]
    text = payload.decode("utf-16-be") if data_coding == 8 else decode_gsm7(payload)
    return text, info
