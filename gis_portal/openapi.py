"""The portal's OpenAPI schema class: declared parameters and the error responses.

A view's ``query_params`` (a :class:`gis_portal.params.ParamSet`, or a dict of them by
lower-case HTTP method) and ``path_params`` are the declarations its code parses with, so
the schema states exactly the ranges, lengths, patterns and choices that are enforced.
Every operation also documents the error answers the portal gives (one JSON shape, made by
``gis_portal.errors``): a client generated from the schema knows a 400 names the parameter.
"""

from __future__ import annotations

from dataclasses import replace

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from gis_portal.params import Param, ParamSet

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string", "description": "中文说明"},
        "code": {"type": "string"},
        "parameter": {"type": "string", "description": "出错的参数或请求体字段"},
    },
}

# Which refusals each kind of operation can give: every request may be malformed (400),
# unauthenticated or not allowed (401/403), name a missing object (404), be rate-limited
# (429) or find the heavy-work slots busy (503); a write may also conflict (409), lack or
# carry a stale If-Match (428/412), be too large (413) or of a type not taken (415).
_READ_ERRORS = {
    "400": "参数无效（错误信息指明参数）",
    "401": "身份认证失败",
    "403": "没有权限",
    "404": "对象或接口不存在",
    "429": "请求过于频繁",
    "503": "服务繁忙，请稍后重试",
}
_WRITE_ERRORS = {
    **_READ_ERRORS,
    "409": "与现有数据冲突",
    "412": "If-Match 版本已过期",
    "413": "请求体过大",
    "415": "不支持的请求体类型",
    "428": "缺少 If-Match",
}


def declared_params(view, method: str, attribute: str) -> ParamSet | None:
    declared = getattr(view, attribute, None)
    if isinstance(declared, dict):
        declared = declared.get(method.lower())
    return declared


def openapi_parameter(param: Param) -> OpenApiParameter:
    return OpenApiParameter(
        param.name,
        type=param.json_schema(),
        location=param.location,
        required=param.required or param.location == "path",
        description=param.description,
    )


class PortalAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        for attribute, location in (("query_params", "query"), ("path_params", "path")):
            declared = declared_params(self.view, self.method, attribute)
            for param in declared.params if declared else ():
                if location == "path" and param.location != "path":
                    param = replace(param, location="path")
                parameters.append(openapi_parameter(param))
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = _READ_ERRORS if self.method in ("GET", "HEAD") else _WRITE_ERRORS
        for code, description in errors.items():
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    "description": description,
                },
            )
        return responses


def geojson_null_geometry(result, generator, request, public):
    """Postprocessing hook: a GeoJSON Feature's geometry may be null (RFC 7946 §3.2) — an
    area without a surveyed boundary, a line not yet converted — so the schema says so."""
    schemas = result.get("components", {}).get("schemas", {})
    for component in schemas.values():
        properties = component.get("properties", {})
        feature_type = properties.get("type", {})
        if "$ref" in feature_type:  # the enum hook moved {"enum": ["Feature"]} to a component
            feature_type = schemas.get(feature_type["$ref"].rsplit("/", 1)[-1], {})
        if feature_type.get("enum") == ["Feature"] and isinstance(properties.get("geometry"), dict):
            properties["geometry"]["nullable"] = True
    return result
