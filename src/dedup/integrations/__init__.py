"""dedup inside the tools scrapers use.

- :mod:`dedup.integrations.scrapy`: ``DedupPipeline``, a Scrapy item pipeline that repairs the
  text fields of each item and drops near-duplicate items (``pip install 'dedup-text[scrapy]'``;
  importing :mod:`dedup` or this package never imports Scrapy).
- :mod:`dedup.integrations.batch`: batch functions for Hugging Face ``datasets``
  (:data:`hf_clean_batch`, :func:`clean_column`) and columns of pandas or polars
  (:func:`clean_values`).

>>> from dedup.integrations import clean_column
>>> clean_column("body")({"body": ["Caf\\u00c3\\u00a9 &amp; bar"]})
{'body': ['Café & bar']}

``docs/recipes.md`` shows each one at work, with trafilatura and streaming JSON Lines too.
"""

from __future__ import annotations

from dedup.integrations.batch import ColumnCleaner, clean_column, clean_values, hf_clean_batch

__all__ = ["ColumnCleaner", "clean_column", "clean_values", "hf_clean_batch"]
