"""Place-name archive of the second national census, and reference gazetteers."""

from django.contrib.gis.db import models


class GeoNamesPlace(models.Model):
    """A populated place from GeoNames cities1000 (CC-BY 4.0), kept as a reference layer."""

    geonames_id = models.PositiveIntegerField("GeoNames ID", unique=True)
    name = models.CharField("名称(罗马字)", max_length=200)
    name_zh = models.CharField("中文名", max_length=100, blank=True)
    alternate_names = models.TextField("别名", blank=True)
    feature_code = models.CharField("要素代码", max_length=10)
    population = models.PositiveIntegerField("人口", default=0)
    geom_4490 = models.PointField("位置", srid=4490)
    source = models.CharField("数据来源", max_length=200)

    class Meta:
        verbose_name = "GeoNames 地点"
        verbose_name_plural = "GeoNames 地点"
        ordering = ["-population", "name"]

    def __str__(self) -> str:
        return self.name_zh or self.name
