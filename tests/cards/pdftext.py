"""A minimal PDF text extractor for the debate kit tests, independent of the library that
wrote the PDF: it reads objects, inflates Flate streams, maps each font's glyph codes
through its ToUnicode CMap, and decodes the strings shown by Tj / TJ.

Enough for PDFs with 2-byte CID fonts (what an embedded TrueType font gives); not a
general PDF reader.
"""
from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary text, inflated stream or None)."""
    objects = {}
    for match in _OBJECT.finditer(pdf):
        body = match.group(2)
        stream = _STREAM.search(body)
        data = None
        if stream:
            data = stream.group(1)
            if b"/FlateDecode" in body[: stream.start()]:
                data = zlib.decompress(data)
        objects[int(match.group(1))] = (body[: stream.start()] if stream else body, data)
    return objects


def _cmap(text: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, start in _BFRANGE.findall(block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(int(start, 16) + offset)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, target in _BFCHAR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    return mapping


def _literal_strings(segment: bytes):
    """Each (…) literal string in `segment`, unescaped (balanced parentheses allowed)."""
    i = 0
    while i < len(segment):
        if segment[i:i + 1] != b"(":
            i += 1
            continue
        depth, i, out = 1, i + 1, bytearray()
        while depth:
            ch = segment[i:i + 1]
            if ch == b"\\":
                nxt = segment[i + 1:i + 2]
                if nxt in _ESCAPES:
                    out += _ESCAPES[nxt]
                    i += 2
                elif nxt.isdigit():
                    octal = re.match(rb"[0-7]{1,3}", segment[i + 1:i + 4]).group(0)
                    out.append(int(octal, 8) & 0xFF)
                    i += 1 + len(octal)
                else:
                    i += 2  # a line continuation
                continue
            if ch == b"(":
                depth += 1
            elif ch == b")":
                depth -= 1
                if not depth:
                    i += 1
                    break
            out += ch
            i += 1
        yield bytes(out)


def extract_text(pdf: bytes) -> str:
    """The text shown on the PDF's pages, one line per text object."""
    objects = _objects(pdf)
    cmaps: dict[bytes, dict[int, str]] = {}
    for body, _data in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            font_body = objects.get(int(number), (b"", None))[0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_body)
            if to_unicode:
                cmaps[name] = _cmap(objects[int(to_unicode.group(1))][1] or b"")
    lines = []
    for body, data in objects.values():
        if data is None or b"BT" not in data:
            continue
        font = None
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|BT(.*?)ET", data, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            inner = token.group(2)
            fonts = re.findall(rb"/(F\d+) [\d.]+ Tf", inner)
            font = fonts[-1] if fonts else font
            mapping = cmaps.get(font, {})
            text = ""
            for raw in _literal_strings(inner):
                codes = [int.from_bytes(raw[k:k + 2], "big") for k in range(0, len(raw) - 1, 2)]
                text += "".join(mapping.get(code, "") for code in codes)
            if text:
                lines.append(text)
    return "\n".join(lines)
