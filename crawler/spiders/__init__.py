"""Spiders: one generic NoticeSpider driven by site definitions."""
