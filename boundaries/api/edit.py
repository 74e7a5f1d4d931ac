"""Write API of boundary lines and markers (/api/v1/boundaries/lines/{id}, …/markers/{id}).

GET returns one GeoJSON feature with its ETag; PATCH and DELETE need If-Match and the
界线管理员 or 系统管理员 role (see gis_portal.editing).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.views import APIView

from boundaries.api.lines import LineFeatureSerializer, MarkerFeatureSerializer
from boundaries.selectors import lines as line_selectors
from gis_portal.editing.api import FeatureEditView
from gis_portal.editing.layers import LAYERS


class EditableLineSerializer(LineFeatureSerializer):
    class Meta(LineFeatureSerializer.Meta):
        fields = (*LineFeatureSerializer.Meta.fields, "agreement_date")


class EditableMarkerSerializer(MarkerFeatureSerializer):
    line_id = serializers.IntegerField(read_only=True)

    class Meta(MarkerFeatureSerializer.Meta):
        fields = (*MarkerFeatureSerializer.Meta.fields, "line_id", "description")


class LineEditView(FeatureEditView, APIView):
    layer = LAYERS["boundary-lines"]
    feature_serializer = EditableLineSerializer

    def get_queryset(self):
        return line_selectors.line_list()


class MarkerEditView(FeatureEditView, APIView):
    layer = LAYERS["boundary-markers"]
    feature_serializer = EditableMarkerSerializer

    def get_queryset(self):
        return line_selectors.marker_list()
