"""MkDocs hooks for the documentation site (named in mkdocs.yml under ``hooks``).

mkdocs rewrites the links of Markdown pages (``../guides/streaming.md`` becomes the page's
URL), but the notebook pages are rendered by mkdocs-jupyter and keep their links as
written, which would be dead on the site. This hook gives notebook pages the same
treatment, and reports a link to a page that does not exist as a warning, which
``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import logging
import posixpath
import re
from typing import Any

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.notebook_links")
HREF = re.compile(r'href="([^"#]+\.(?:md|ipynb))(#[^"]*)?"')


def on_page_content(html: str, page: Page, config: Any, files: Files) -> str:
    """Turn a notebook page's links to other pages' sources into their site URLs."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html

    def to_url(match: re.Match[str]) -> str:
        link, anchor = match.group(1), match.group(2) or ""
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):
            return match.group(0)
        source = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), link))
        target = files.get_file_from_path(source)
        if target is None:
            log.warning("%s links to %s, which is not a page of the site", page.file.src_uri, link)
            return match.group(0)
        return f'href="{target.url_relative_to(page.file)}{anchor}"'

    return HREF.sub(to_url, html)
