"""Refuse NUL, control characters and lone surrogates in every request input, in one place.

Query strings and URL path segments are checked by :class:`SafeInputMiddleware` before any
view runs (so no view can forget, and no such value reaches PostgreSQL, whose text cannot
hold NUL). Request bodies are checked as DRF parses them, by the parsers below (the
project's default parser classes): the middleware never reads a body, so the upload limits
of ``gis_portal.limits`` still refuse a large one before anything spools it. The refusal
is a 400 naming the parameter or body field, with the message of ``gis_portal.params``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions, parsers

from gis_portal.error_types import InvalidParameter
from gis_portal.params import reject_unsafe_data, reject_unsafe_params, reject_unsafe_text


def _is_api_view(view_func) -> bool:
    # DRF's APIView.as_view() keeps the class as ``cls``; its errors are JSON wherever it is
    # mounted (the vector tiles live outside /api/).
    return hasattr(view_func, "cls")


def refusal(request: HttpRequest, exc: InvalidParameter, *, api: bool) -> HttpResponse:
    """Return the 400 of a refused input: the API's error JSON, or the portal's page."""
    if api or request.path_info.startswith("/api/"):
        body = {"error": exc.message, "code": exc.code, **exc.details}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return render(
        request, "portal/refused.html", {"message": exc.message, "status": 400}, status=400
    )


class SafeInputMiddleware:
    """Refuse a request whose query parameters or path parameters hold refused characters."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        try:
            reject_unsafe_params(request.GET)
            for name, value in view_kwargs.items():
                if isinstance(value, str):
                    reject_unsafe_text(name, value)
            for value in view_args:
                if isinstance(value, str):
                    reject_unsafe_text("path", value)
        except InvalidParameter as exc:
            return refusal(request, exc, api=_is_api_view(view_func))
        return None


def _parse(parser, base, what: str, stream, media_type, parser_context):
    """Parse with DRF's ``base`` parser; its (English) ParseError gets a Chinese message."""
    try:
        return base.parse(parser, stream, media_type, parser_context)
    except exceptions.ParseError as exc:
        raise exceptions.ParseError(f"请求体不是有效的 {what}：{exc.detail}") from None


class SafeJSONParser(parsers.JSONParser):
    """JSON bodies; a string (or key) holding a refused character is a 400 naming the field."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = _parse(self, parsers.JSONParser, "JSON", stream, media_type, parser_context)
        reject_unsafe_data(data)
        return data


class SafeFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = _parse(self, parsers.FormParser, "表单", stream, media_type, parser_context)
        reject_unsafe_data(data)
        return data


class SafeMultiPartParser(parsers.MultiPartParser):
    """Multipart forms: the fields and the file names are checked, not the files' bytes."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = _parse(
            self, parsers.MultiPartParser, "multipart 表单", stream, media_type, parser_context
        )
        reject_unsafe_data(result.data)
        for field, upload in result.files.items():
            reject_unsafe_text(field, upload.name or "", in_body=False)
        return result
