"""zhengce-watch: crawl, extract and version Chinese government policy notices."""

__version__ = "0.1.0"
