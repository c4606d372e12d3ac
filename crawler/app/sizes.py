"""Byte counts as people read them, for the lines commands print."""


def human_size(size: float) -> str:
    """``532 B``, ``14.2 KB``, ``9.6 MB``, ``1.3 GB``."""
    unit = "B"
    for bigger in ("KB", "MB", "GB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"
