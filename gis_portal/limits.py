"""Request body limits, checked before anything reads the body.

Django spools a multipart file part larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary
file as soon as anything touches ``request.POST`` or ``request.FILES`` — CsrfViewMiddleware
does, before the view's own login or size checks run. So the limit is a middleware placed
above every middleware that may read the body: it looks only at CONTENT_LENGTH and refuses
a body over the limit without reading a byte of it.

Views that take files declare it with :func:`accepts_upload`; their limit is
``UPLOAD_MAX_BYTES`` (plus room for the ordinary form fields). Every other URL gets
``REQUEST_BODY_MAX_BYTES``. Admin views take uploads where their model or an inline model
has a file field — declared by the model itself, so nothing here needs updating.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

V = TypeVar("V")

UPLOAD_ATTRIBUTE = "accepts_upload"


def accepts_upload(view: V) -> V:
    """Mark a view (function or class) as one that takes file uploads up to UPLOAD_MAX_BYTES."""
    setattr(view, UPLOAD_ATTRIBUTE, True)
    return view


def _admin_takes_files(model_admin) -> bool:
    """Return whether an admin's model or inline models have a file field.

    Errs on the generous side: an inline that leaves its file field out still counts.
    """
    admin_models = [model_admin.model, *(inline.model for inline in model_admin.inlines)]
    return any(
        isinstance(field, models.FileField)
        for model in admin_models
        for field in model._meta.get_fields()
    )


def view_accepts_upload(callback: Callable) -> bool:
    """Return whether a resolved view callback takes file uploads."""
    # Django's as_view() keeps the class as view_class; decorators built with
    # functools.wraps carry the function's attributes outwards.
    if getattr(callback, UPLOAD_ATTRIBUTE, False):
        return True
    if getattr(getattr(callback, "view_class", None), UPLOAD_ATTRIBUTE, False):
        return True
    model_admin = getattr(callback, "model_admin", None)
    return model_admin is not None and _admin_takes_files(model_admin)


def path_accepts_upload(path: str) -> bool:
    """Return whether the view at ``path`` takes file uploads (False for no view)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return view_accepts_upload(match.func)


def refusal_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    retry_after_s: int | None = None,
) -> HttpResponse:
    """Return a refusal: JSON ``{"error", "code"}`` under /api/, an HTML page elsewhere."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": message, "code": code},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "portal/refused.html", {"message": message, "status": status}, status=status
        )
    if retry_after_s is not None:
        response["Retry-After"] = str(max(1, retry_after_s))
    return response


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def body_refusal(request: HttpRequest) -> HttpResponse | None:
    """Return a 411/413 response if the request body may not be read, else None."""
    meta = request.META
    raw_length = meta.get("CONTENT_LENGTH") or ""
    if not raw_length and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Django reads nothing of a body without a length; say so instead of ignoring it.
        return refusal_response(
            request,
            status=411,
            code="length_required",
            message="请求体须带 Content-Length（不接受无长度的分块传输）",
        )
    try:
        length = int(raw_length or 0)
    except ValueError:
        length = 0  # what Django itself assumes: the body is then never read
    small = settings.REQUEST_BODY_MAX_BYTES
    if length <= small:
        return None
    if path_accepts_upload(request.path_info):
        limit = settings.UPLOAD_MAX_BYTES + small  # the file plus the ordinary fields
        if length <= limit:
            return None
        message = f"上传内容过大：文件不能超过 {_megabytes(settings.UPLOAD_MAX_BYTES)}"
    else:
        message = (
            f"请求体过大：不能超过 {_megabytes(small)}"
            "（此地址不接受文件上传；几何数据过大时请简化后再提交）"
        )
    return refusal_response(request, status=413, code="request_too_large", message=message)


class RequestBodyLimitMiddleware:
    """Refuse an over-long or length-less request body before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return body_refusal(request) or self.get_response(request)
