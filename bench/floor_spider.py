"""The floor: a bare Scrapy spider that fetches a list of URLs and does nothing with the answers.

``python bench/floor_spider.py URLS.json -s NAME=VALUE ...``: URLS.json holds {"get": [...],
"post": [[url, {form}], ...]}; Scrapy's default settings, then the ``-s`` ones. Prints the number
of answers it got.
"""

from __future__ import annotations

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, urls: dict, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.answers = 0

    async def start(self):
        for url in self.urls["get"]:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)
        for url, form in self.urls["post"]:
            yield scrapy.FormRequest(url, formdata=form, callback=self.parse, dont_filter=True)

    def parse(self, response):
        self.answers += 1
        return None


def main() -> None:
    urls = json.loads(open(sys.argv[1], encoding="utf-8").read())
    settings = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}
    args = sys.argv[2:]
    for flag, pair in zip(args[::2], args[1::2]):
        if flag != "-s":
            raise SystemExit(f"unknown argument {flag}")
        key, _, value = pair.partition("=")
        settings[key] = value
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FloorSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    print(f"answers {crawler.spider.answers}")


if __name__ == "__main__":
    main()
