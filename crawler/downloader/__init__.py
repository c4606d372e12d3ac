"""Scrapy's downloader side: middlewares and the download handler that sit between the engine and the
sites (answer guard, blocked-site backoff, retry backoff, host map) and what a fetch came to (outcomes)."""
