"""The printed standard maps, as data, and the checks of a print order (pure: no Django).

The plan asks for the 行政区划图 of the city and the 城区图 (seed 二.(七)1); the place-name
officers also print a place-name map of one district. Each sheet names the catalogue layers
it draws (their styles and legends come from the catalogue), the areas it covers and the
paper sizes and scales it may be ordered at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

# ISO 216 paper, landscape (width, height) in millimetres.
PAPERS_MM = {"A3": (420.0, 297.0), "A1": (841.0, 594.0), "A0": (1189.0, 841.0)}
# The scales a sheet may be printed at (denominators); None in an order = the largest
# scale at which the sheet's area fits the paper.
SCALES = (
    5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 75_000, 100_000, 150_000,
    200_000, 250_000, 300_000, 400_000, 500_000, 750_000, 1_000_000,
)  # fmt: skip


class PrintOrderError(ValueError):
    """An order the service cannot print; ``parameter`` names the part (message in Chinese)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # "{name}" is the district's name on a district sheet
    description: str
    # What the sheet covers: "city" (the whole city), "streets" (the built-up area: the
    # extent of the streets of the areas below) or "district" (the order's county).
    covers: str
    layers: tuple[str, ...]
    area_codes: tuple[str, ...] = ()
    # Place names are labelled with their pinyin below the Chinese name.
    pinyin: bool = True


SHEETS = {
    "city": Sheet(
        key="city",
        title="鹤岗市行政区划图",
        description="全市县级行政区域、乡镇（街道）和主要地名",
        covers="city",
        layers=("areas", "placenames"),
    ),
    "urban": Sheet(
        key="urban",
        title="鹤岗市城区图",
        description="中心城区的街路巷、地名和民政设施",
        covers="streets",
        area_codes=("230402", "230403", "230404", "230405", "230407"),
        layers=("areas", "streets", "placenames", "facilities"),
    ),
    "district": Sheet(
        key="district",
        title="{name}地名图",
        description="一个县（区）的地名、街路巷",
        covers="district",
        layers=("areas", "streets", "placenames"),
    ),
}
# Layers only staff may print (the public gets 403): the surveyed boundary lines and markers.
STAFF_LAYERS = ("boundary-lines", "boundary-markers")


@dataclass(frozen=True)
class PrintOrder:
    sheet: Sheet
    paper: str
    scale: int | None
    as_of: date | None
    county: str | None
    boundaries: bool  # draw the staff-only boundary lines and markers

    @property
    def layers(self) -> tuple[str, ...]:
        return self.sheet.layers + (STAFF_LAYERS if self.boundaries else ())


def order_check(
    *,
    sheet: str,
    paper: str = "A3",
    scale: int | None = None,
    as_of: date | None = None,
    county: str | None = None,
    boundaries: bool = False,
    today: date,
    first_record: date | None,
) -> PrintOrder:
    """Return the order if it can be printed; PrintOrderError naming the wrong part."""
    chosen = SHEETS.get(sheet)
    if chosen is None:
        raise PrintOrderError(
            "sheet", f"没有名为 {str(sheet)[:30]} 的图幅，可选：{'、'.join(SHEETS)}"
        )
    if paper not in PAPERS_MM:
        raise PrintOrderError("paper", f"纸张应为 {'、'.join(PAPERS_MM)} 之一")
    if scale is not None and scale not in SCALES:
        listed = "、".join(f"1:{s:,}" for s in SCALES)
        raise PrintOrderError("scale", f"比例尺应为 {listed} 之一")
    if as_of is not None:
        if as_of > today:
            raise PrintOrderError("as_of", "日期不能晚于今天")
        if first_record is None:
            raise PrintOrderError("as_of", "档案中没有带日期的记录，不能按日期出图")
        if as_of < first_record:
            raise PrintOrderError(
                "as_of", f"日期早于档案最早的记录（{first_record:%Y-%m-%d}），没有可绘制的数据"
            )
    if chosen.covers == "district":
        if not county or not county.isdigit() or len(county) != 6:
            raise PrintOrderError("county", "地名图须指定 6 位县级区划代码，如 230402")
    elif county:
        raise PrintOrderError("county", f"{chosen.title}不按县（区）出图，请不要指定县级区划")
    return PrintOrder(chosen, paper, scale, as_of, county, boundaries)


def scale_to_fit(extent_m: tuple[float, float, float, float], frame_mm: tuple[float, float]) -> int:
    """The largest listed scale (smallest denominator) at which ``extent_m`` fits the frame;
    the smallest listed scale if nothing fits."""
    width_m = extent_m[2] - extent_m[0]
    height_m = extent_m[3] - extent_m[1]
    needed = max(width_m / (frame_mm[0] / 1000.0), height_m / (frame_mm[1] / 1000.0))
    for denominator in SCALES:
        if denominator >= needed * 1.04:  # a small margin inside the frame
            return denominator
    return SCALES[-1]


def zoom_of_scale(denominator: int) -> float:
    """The web-map zoom whose ground resolution matches a printed scale (0.28 mm pixels,
    OGC's standardised rendering pixel), so the catalogue's tile and label zooms apply."""
    return math.log2(559_082_264.028 / denominator)
