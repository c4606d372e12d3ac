"""Extraction: pure functions from (url, page bytes, site hints) to a Notice. No Scrapy, no SQLite."""

from crawler.extract.attachments import Attachment
from crawler.extract.notice import Notice, SiteHints, extract_notice

__all__ = ["Attachment", "Notice", "SiteHints", "extract_notice"]
