"""Decoding page bytes whatever their charset claims: UTF-8, GBK, GB2312, GB18030, Big5."""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

# GB2312 and GBK are subsets of GB18030; decoding with the superset never loses a character.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "ascii": "utf-8",
    "latin_1": "gb18030",
    "cp1252": "gb18030",
}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page to text and name the codec used.

    A byte order mark wins; then strict UTF-8 (GBK text is almost never valid UTF-8, so a page
    that decodes as UTF-8 is UTF-8 whatever its header or meta says); then the declared charset;
    then GB18030 and Big5; only then the declared charset with replacement characters.
    """
    bom, _ = read_bom(body)
    if bom:
        return body.decode(bom, errors="replace").lstrip("\ufeff"), bom
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Most pages are UTF-8: their declared charset (header, <meta>) is looked for only when not.
    declared = _codec(http_content_type_encoding(content_type)) or _codec(html_body_declared_encoding(body))
    for name in (declared, "gb18030", "big5hkscs"):
        if name:
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue
    fallback = declared or "gb18030"
    return body.decode(fallback, errors="replace"), fallback
