"""The seeded synthetic apparel chain (the "demo" source) with its ground truth.

Stores in Chinese regions, each served by one forward distribution centre (FDC), sell styles x colours x
sizes with seasons and life cycles under a Chinese retail calendar and typed promotions: the chain's own
(festivals and member days on fixed dates, spend-and-save, %-off and bundles on dates that move, by category or
style, clearance markdowns) and the campaigns of one region or one store on a category. Store sales are
negative-binomial draws around a known expected demand, censored by stock-outs and thinned by ETL gaps;
online orders are baskets drawn from planted shopping intents ("looks"). The truth tables keep what a
forecaster or an assortment method tries to recover: expected demand, the looks, each order's intent. Two
planted drivers of store demand, a regional temperature anomaly and local events at stores, come as the user's
own covariates (the covariate table) with known effects (`true_covariate_effect`).

Everything comes from `np.random.default_rng(seed)` (the drivers and the regional and store campaigns from
streams of their own of the same seed), so a seed fixes every table.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from skulab.data import SourceData, scope
from skulab.data.calendar import build_calendar
from skulab.data.validate import validate
from skulab.errors import ConfigError

# ---------------------------------------------------------------------------------------------- world


@dataclass(frozen=True)
class _Category:
    """How a product category looks, prices and reacts to price."""

    share: float  # of styles
    price: float  # median list price (yuan)
    elasticity: float  # constant price elasticity of demand
    sizes: tuple[str, ...]  # the size ladder a style takes a contiguous run from
    run: tuple[int, int]  # fewest and most sizes per style
    nouns: tuple[str, ...]


_CLOTHES = ("XS", "S", "M", "L", "XL", "XXL")
_CATEGORIES: dict[str, _Category] = {
    "Tops": _Category(0.28, 199, 1.8, _CLOTHES, (3, 6),
                      ("shirt", "T-shirt", "blouse", "polo", "sweater", "hoodie")),
    "Bottoms": _Category(0.20, 259, 1.5, _CLOTHES, (3, 6),
                         ("jeans", "chinos", "skirt", "shorts", "trousers")),
    "Dresses": _Category(0.12, 329, 2.0, _CLOTHES[:5], (3, 5),
                         ("midi dress", "maxi dress", "shirt dress", "wrap dress")),
    "Outerwear": _Category(0.14, 599, 1.2, _CLOTHES, (3, 5),
                           ("trench coat", "puffer jacket", "blazer", "parka")),
    "Shoes": _Category(0.12, 459, 1.3, tuple(str(s) for s in range(36, 45)), (5, 9),
                       ("sneakers", "loafers", "ankle boots", "sandals")),
    "Accessories": _Category(0.14, 99, 2.2, ("OS",), (1, 1), ("scarf", "belt", "cap", "tote bag", "beanie")),
}
_CAT_NAMES = tuple(_CATEGORIES)
_CAT_ELASTICITY = np.array([_CATEGORIES[c].elasticity for c in _CAT_NAMES])  # by category index
_ACCESSORY = _CAT_NAMES.index("Accessories")
_COLORS = {"navy": "NAV", "black": "BLK", "white": "WHT", "grey": "GRY", "beige": "BGE", "red": "RED",
           "olive": "OLV", "blue": "BLU", "pink": "PNK", "khaki": "KHK", "brown": "BRN"}
_MATERIALS = {"SS": ("Linen", "Cotton", "Seersucker", "Breezy"),
              "AW": ("Wool", "Cashmere", "Corduroy", "Quilted"),
              "ALL": ("Classic", "Organic", "Everyday", "Slim")}
# Yearly seasonality per season: (amplitude, day of year of the peak). AW sells in winter.
_SEASONALITY = {"SS": (0.35, 170), "AW": (0.45, 350), "ALL": (0.10, 300)}
# Product life cycle over the fraction of life elapsed: ramp-up, plateau, decline, clearance.
_LIFE_U = (0.0, 0.12, 0.55, 0.80, 1.0)
_LIFE_LEVEL = (0.25, 1.0, 1.0, 0.45, 0.30)
_CLEARANCE_FROM = 0.80

_REGIONS = (  # (region, weight of stores and customers, cities)
    ("East", 0.30, ("Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo")),
    ("South", 0.25, ("Guangzhou", "Shenzhen", "Xiamen", "Fuzhou", "Dongguan")),
    ("North", 0.20, ("Beijing", "Tianjin", "Shenyang", "Jinan", "Qingdao")),
    ("West", 0.13, ("Chengdu", "Chongqing", "Xi'an", "Kunming")),
    ("Central", 0.12, ("Wuhan", "Changsha", "Zhengzhou", "Hefei")),
)
_SEGMENTS = {"mall": (0.5, 1.1), "street": (0.3, 1.0), "outlet": (0.2, 0.8)}  # (share, traffic factor)
_MEDIAN_AREA = 220.0

# Promotions: type -> demand uplift on top of the price effect (bundles and festivals move more units).
_PROMO_UPLIFT = {"festival": 1.6, "member_day": 1.3, "spend_save": 1.25, "pct_off": 1.1, "bundle": 1.35,
                 "clearance": 1.0}
_PROMO_TYPES = tuple(_PROMO_UPLIFT)
_MAX_DISCOUNT = 0.7

# Planted drivers of store demand, given in the covariate table (both known in advance), whose worth a forecast
# can be checked against: a regional temperature anomaly (degrees C against the seasonal normal, an AR(1) day to
# day) multiplies demand by exp(effect x anomaly), and a local event at a store (a fair, a street festival: a
# few days a month) by the lift. Their values run `_DRIVER_LEAD` days past the sales, as planned values would.
TEMPERATURE_EFFECT = 0.06  # log demand per degree: +1 degree sells 6.2 % more
_TEMPERATURE_AR = (0.85, 1.2)  # day-to-day persistence and innovation sd (sd of the anomaly about 2.3 degrees)
EVENT_LIFT = 1.5
_EVENT_RATE = 1 / 30  # new events per store-day; each lasts 1 to 3 days
_DRIVER_LEAD = 91

# Day effects by weekday (0 = Monday) and by calendar holiday, for stores and for online orders.
_STORE_WEEKDAY = np.array([0.85, 0.80, 0.85, 0.90, 1.05, 1.35, 1.25])
_ONLINE_WEEKDAY = np.array([1.05, 1.00, 0.98, 0.96, 0.94, 0.98, 1.09])
_STORE_HOLIDAY = {"New Year": 1.3, "Spring Festival run-up": 1.35, "Spring Festival": 0.55, "Qingming": 1.05,
                  "Labour Day": 1.45, "618": 1.15, "National Day": 1.6, "Double 11": 1.1, "Double 12": 1.05}
_ONLINE_HOLIDAY = {"New Year": 1.1, "Spring Festival run-up": 1.2, "Spring Festival": 0.45, "Labour Day": 1.1,
                   "618 presale": 1.6, "618": 6.0, "National Day": 0.9, "Double 11 presale": 1.8,
                   "Double 11": 9.0, "Double 12": 2.5}
_ONLINE_GROWTH = 0.15  # per year
_FESTIVALS = ("618", "Double 11")  # midnight rush and bigger hauls

# Shopping intents behind online baskets (probabilities on ordinary and on festival days).
_INTENTS = ("single", "outfit", "add_on", "size_run", "haul")
_INTENT_P = np.array([0.53, 0.22, 0.12, 0.10, 0.03])
_INTENT_P_FESTIVAL = np.array([0.40, 0.26, 0.12, 0.08, 0.14])
_HOUR_P = np.array([1.5, 0.8, 0.4, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3.2, 4.0, 4.2,
                    3.8, 3.6, 3.6, 3.7, 3.8, 3.9, 4.0, 4.8, 5.8, 6.5, 5.8, 3.5])
_HOUR_P = _HOUR_P / _HOUR_P.sum()


@dataclass(frozen=True)
class Knobs:
    """Generator sizes and rates; `Knobs.from_scale` derives them from one `scale` number.

    Styles, stores and online orders grow linearly with scale, while a store's width (styles carried)
    stays fixed, so fact_sales grows linearly too. `orders_scale` multiplies the online side (orders and
    customers) on top of `scale`: order lines can grow faster than sales (scale 1, orders_scale 10 gives
    about 1.6 M order lines next to 1.7 M sales rows). Any field can be changed with `dataclasses.replace`.
    """

    n_regions: int  # one FDC per region
    n_stores: int
    n_styles: int  # about 8 SKUs each
    store_width: int  # styles a median-size store carries (at most 60% of the catalogue)
    orders_per_day: float  # online orders on an ordinary day (about 2 lines each)
    n_customers: int
    sales_rate: float = 5.0  # store units per unit of demand index
    dispersion: float = 1.5  # gamma shape of the Poisson-gamma draw (smaller = more zeros and spikes)
    stockout_hazard: float = 0.012  # out-of-stock episodes per carried SKU-store-day (mean velocity)
    gap_rate: float = 0.003  # ETL gap episodes (1-3 lost store-days) per store-day
    regional_taste: float = 0.4  # lognormal sigma of region x style popularity (stores and FDCs differ)

    @classmethod
    def from_scale(cls, scale: float, orders_scale: float = 1.0) -> Knobs:
        """Sizes for `scale` (1.0 is the default chain: 5 FDCs, 20 stores, 250 styles, 100 orders a day)."""
        n_regions = int(min(5, max(2, round(5 * np.sqrt(scale)))))
        return cls(
            n_regions=n_regions,
            n_stores=max(n_regions, round(20 * scale)),
            n_styles=max(12, round(250 * scale)),
            store_width=50,
            orders_per_day=100.0 * scale * orders_scale,
            n_customers=max(100, round(25_000 * scale * orders_scale)),
        )


def generate(seed: int = 7, scale: float = 1.0, start: str = "2023-01-02", days: int = 728, *,
             orders_scale: float = 1.0, knobs: Knobs | None = None) -> SourceData:
    """Build every demo table (ERP and truth) from one seeded generator and return them validated.

    Sizes come from `Knobs.from_scale(scale, orders_scale)` unless `knobs` gives them all explicitly.
    """
    if not (scale > 0 and orders_scale > 0):
        raise ConfigError(f"demo scale and orders_scale must be positive, got {scale} and {orders_scale}")
    if days < 28:
        raise ConfigError(f"demo days must be at least 28, got {days}")
    knobs = knobs or Knobs.from_scale(scale, orders_scale)
    rng = np.random.default_rng(seed)
    dates = pd.date_range(pd.Timestamp(start).normalize(), periods=days, freq="D")
    calendar = build_calendar(dates[0], dates[-1], "cn")

    fdc, store = _network(rng, knobs)
    cat = _catalogue(rng, knobs, dates)
    campaign_rng = np.random.default_rng([seed, 2])  # its own stream: the chain's tables stay as they were
    campaigns = _place_campaigns(campaign_rng, knobs, store, dates)
    promotion = _promotions(rng, knobs, cat, dates, campaigns)
    keep, uplift, bits = _promo_effects(promotion, cat, dates)
    demand = _demand_index(cat, dates, keep, uplift)
    taste = rng.lognormal(0, knobs.regional_taste, (len(fdc), knobs.n_styles))  # region x style
    covariate, drivers = _drivers(np.random.default_rng([seed, 1]), fdc, store, dates)
    fact_sales, truth_demand = _store_sales(rng, knobs, cat, store, calendar, demand, taste, keep, bits,
                                            drivers, promotion, campaign_rng)
    orders, order_line, truth_order = _online_orders(rng, knobs, cat, fdc, calendar, demand, taste, keep)

    tables = {
        "dim_fdc": fdc, "dim_store": store.drop(columns=["region_index", "traffic"]),
        "dim_calendar": calendar,
        "dim_sku": cat.sku, "promotion": promotion, "covariate": covariate, "fact_sales": fact_sales,
        "orders": orders, "order_line": order_line, "truth_demand": truth_demand,
        "truth_sku": pd.DataFrame({"sku_id": cat.sku["sku_id"],
                                   "look_id": cat.look_ids[cat.style_look[cat.sku_style]]}),
        "truth_order": truth_order,
    }
    return SourceData(tables=validate(tables), sales_freq="D")


def true_covariate_effect(name: str) -> float:
    """The generator's demand ratio for a planted driver: temperature_anomaly one degree up, local_event on
    against off (what skulab.whatif.covariate_effect is checked against)."""
    effects = {"temperature_anomaly": float(np.exp(TEMPERATURE_EFFECT)), "local_event": EVENT_LIFT}
    if name not in effects:
        raise KeyError(f"{name!r} is not a planted driver of the demo (known: {', '.join(effects)})")
    return effects[name]


def true_promo_uplift(kind: str) -> float:
    """The generator's own uplift of promotion `kind` with the price held (its price cut's effect apart): what a
    causal estimate of the type (skulab.whatif.causal) is checked against."""
    return _PROMO_UPLIFT[kind]


def true_elasticity(category: str) -> float:
    """The generator's constant price elasticity of demand in `category` (NaN for a category the demo lacks)."""
    return _CATEGORIES[category].elasticity if category in _CATEGORIES else float("nan")


def true_uplift(kind: str, category: pd.Series, discount: float) -> np.ndarray:
    """The generator's demand ratio of promotion `kind` at `discount` against full price, per row's category:
    the type's uplift x (1 - discount) ^ -elasticity of the category (NaN for a category the demo lacks); what a
    forecast's promotion uplift is checked against (skulab.whatif.validate_uplift)."""
    elasticity = category.map({c: k.elasticity for c, k in _CATEGORIES.items()}).to_numpy(float)
    return _PROMO_UPLIFT[kind] * (1.0 - discount) ** -elasticity


# ------------------------------------------------------------------------------------ stores and FDCs


def _network(rng: np.random.Generator, knobs: Knobs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One FDC per region, and stores spread over the regions' cities (every region gets one).

    The store table keeps two generator columns, region_index and traffic (demand level), dropped on output.
    """
    regions = _REGIONS[: knobs.n_regions]
    fdc = pd.DataFrame({"fdc_id": [f"FDC{i + 1:02d}" for i in range(len(regions))],
                        "name": [f"{r} FDC ({cities[0]})" for r, _, cities in regions],
                        "region": [r for r, _, _ in regions]})
    extra = rng.choice(len(regions), knobs.n_stores - len(regions), p=_region_weights(len(regions)))
    region = np.concatenate([np.arange(len(regions)), extra])
    city = [regions[r][2][rng.integers(len(regions[r][2]))] for r in region]
    segments = list(_SEGMENTS)
    segment = rng.choice(len(segments), len(region), p=[s for s, _ in _SEGMENTS.values()])
    area = np.round(_MEDIAN_AREA * rng.lognormal(0, 0.35, len(region)) * np.where(segment == 2, 1.6, 1.0), -1)
    traffic = (area / _MEDIAN_AREA) ** 0.7 * np.array([f for _, f in _SEGMENTS.values()])[segment]
    store_id = [f"S{i + 1:03d}" for i in range(len(region))]
    store = pd.DataFrame({
        "store_id": store_id,
        "name": [f"{c} {segments[s].title()} {i[1:]}" for c, s, i in zip(city, segment, store_id)],
        "region": [regions[r][0] for r in region], "city": city, "fdc_id": fdc["fdc_id"].to_numpy()[region],
        "segment": [segments[s] for s in segment], "area_sqm": area,
        "region_index": region, "traffic": traffic,
    })
    return fdc, store


# ------------------------------------------------------------------------------------------ catalogue


@dataclass
class _Catalogue:
    """Styles (arrays by style index), their SKUs (contiguous per style, size-ordered per colour), looks."""

    style_ids: np.ndarray
    category: np.ndarray  # index into _CAT_NAMES
    season: np.ndarray  # "SS", "AW" or "ALL"
    launch: np.ndarray  # day index relative to the first history day (may be negative)
    life: np.ndarray  # days from launch to end of life
    popularity: np.ndarray  # base demand level, mean 1
    style_look: np.ndarray  # look index of each style
    look_ids: np.ndarray
    sku: pd.DataFrame  # dim_sku
    sku_style: np.ndarray
    sku_share: np.ndarray  # share of its style's demand (sums to 1 per style)
    group_first: np.ndarray  # (style, colour) groups: first SKU and number of sizes, for size runs
    group_len: np.ndarray

    @property
    def list_price(self) -> np.ndarray:
        return self.sku["list_price"].to_numpy()


def _catalogue(rng: np.random.Generator, knobs: Knobs, dates: pd.DatetimeIndex) -> _Catalogue:
    """Styles in seasonal collections (plus all-season basics), their SKUs and the looks they form."""
    n = knobs.n_styles
    shares = np.array([c.share for c in _CATEGORIES.values()])
    category = rng.choice(len(shares), n, p=shares / shares.sum())
    collection, season, launch, life = _collections(rng, n, dates)
    popularity = rng.lognormal(0, 0.8, n)
    popularity /= popularity.mean()
    width = max(4, len(str(n)))
    style_ids = np.array([f"ST{i + 1:0{width}d}" for i in range(n)], dtype=object)
    style_look, n_looks = _looks(rng, collection, category)
    look_ids = np.array([f"LK{i + 1:0{width}d}" for i in range(n_looks)], dtype=object)
    rows, sku_style, sku_share, group_first, group_len = [], [], [], [], []
    colors = list(_COLORS)
    for s in range(n):
        spec = _CATEGORIES[_CAT_NAMES[category[s]]]
        run = rng.integers(spec.run[0], min(spec.run[1], len(spec.sizes)) + 1)
        first = rng.integers(0, len(spec.sizes) - run + 1)
        sizes = spec.sizes[first: first + run]
        size_w = np.exp(-0.5 * ((np.arange(first, first + run) - (len(spec.sizes) - 1) / 2 - 0.3) / 1.4) ** 2)
        picked = rng.choice(len(colors), rng.integers(1, 4), replace=False)
        color_w = rng.dirichlet(np.full(len(picked), 2.0))
        price = _retail_price(spec.price * rng.lognormal(0, 0.3))
        name = f"{rng.choice(_MATERIALS[season[s]])} {rng.choice(spec.nouns)}"
        launch_date = dates[0] + pd.Timedelta(days=int(launch[s]))
        for c, cw in zip(picked, color_w):
            group_first.append(len(rows))
            group_len.append(run)
            for size, sw in zip(sizes, size_w / size_w.sum()):
                rows.append((f"{style_ids[s]}-{_COLORS[colors[c]]}-{size}", style_ids[s],
                             f"{name} ({colors[c]}, {size})", _CAT_NAMES[category[s]], colors[c], size,
                             season[s], launch_date, price))
                sku_style.append(s)
                sku_share.append(cw * sw)
    sku = pd.DataFrame(rows, columns=["sku_id", "style_id", "name", "category", "color", "size", "season",
                                      "launch_date", "list_price"])
    return _Catalogue(style_ids, category, season, launch, life, popularity, style_look, look_ids, sku,
                      np.array(sku_style), np.array(sku_share), np.array(group_first), np.array(group_len))


def _collections(rng: np.random.Generator, n: int, dates: pd.DatetimeIndex):
    """Collection, season, launch day and life length per style: SS and AW drops each year, 20% basics.

    Drops launch around Feb 20 (SS) and Aug 20 (AW), from the one on sale when the history starts to
    the last one a month before it ends; basics (ALL) launch any day and live longer.
    """
    first, days = dates[0], len(dates)
    drops = [((pd.Timestamp(year, month, 20) - first).days, season)
             for year in range(first.year - 1, dates[-1].year + 1)
             for month, season in ((2, "SS"), (8, "AW"))]
    drop_day, drop_season = map(np.array, zip(*((d, s) for d, s in drops if -200 <= d <= days - 30)))
    basic = rng.random(n) < 0.2
    drop = rng.integers(len(drop_day), size=n)
    jitter = np.round(rng.normal(0, 12, n)).astype(int)
    launch = np.where(basic, rng.integers(-300, days - 30, n), drop_day[drop] + jitter)
    life = np.where(basic, rng.integers(300, 541, n), rng.integers(150, 221, n))
    season = np.where(basic, "ALL", drop_season[drop]).astype(object)
    collection = np.where(basic, len(drop_day) + (launch + 300) // 182, drop)  # basics: by launch half-year
    return collection, season, launch, life


def _looks(rng: np.random.Generator, collection: np.ndarray, category: np.ndarray) -> tuple[np.ndarray, int]:
    """Split each collection into looks of 4-5 styles, dealing categories round-robin so looks mix them."""
    look = np.empty(len(collection), dtype=int)
    n_looks = 0
    for c in np.unique(collection):
        members = rng.permutation(np.flatnonzero(collection == c))
        members = members[np.argsort(category[members], kind="stable")]
        k = max(1, round(len(members) / 4.5))
        look[members] = n_looks + (np.arange(len(members)) + rng.integers(k)) % k
        n_looks += k
    return look, n_looks


def _retail_price(p: float) -> float:
    """Round a price to the retail style ending in .9 (e.g. 199.9)."""
    return float(max(10.0, np.round(p / 10) * 10) - 0.1)


# ----------------------------------------------------------------------------------------- promotions


def _promotions(rng: np.random.Generator, knobs: Knobs, cat: _Catalogue, dates: pd.DatetimeIndex,
                campaigns: list[tuple]) -> pd.DataFrame:
    """The promotion calendar: festivals, member days, spend-and-save, %-off, bundles, clearance markdowns, and
    the regions' and stores' own `campaigns`."""
    first, last = dates[0], dates[-1]
    rows = list(campaigns)
    for year in range(first.year, last.year + 1):
        rows.append(("festival", pd.Timestamp(year, 6, 1), pd.Timestamp(year, 6, 18), 0.20, "all"))
        rows.append(("festival", pd.Timestamp(year, 11, 1), pd.Timestamp(year, 11, 11), 0.25, "all"))
    for month in pd.period_range(first, last, freq="M"):
        m0, n_days = month.start_time, month.days_in_month
        rows.append(("member_day", m0 + pd.Timedelta(days=7), m0 + pd.Timedelta(days=7), 0.10, "all"))
        friday = m0 + pd.Timedelta(days=int((4 - m0.weekday()) % 7 + 7 * rng.integers(0, 3)))
        save = float(rng.choice([0.08, 0.10, 0.12]))  # spend 300 save 30 is a 10% discount
        rows.append(("spend_save", friday, friday + pd.Timedelta(days=2), save,
                     "all" if rng.random() < 0.5 else f"category:{rng.choice(_CAT_NAMES)}"))
        for kind, rate, length, discounts in (
                ("pct_off", 1 + knobs.n_styles / 150, (3, 11), [0.15, 0.2, 0.25, 0.3]),
                ("bundle", 0.5 + knobs.n_styles / 300, (7, 15), [0.15, 0.2, 0.25])):
            for _ in range(rng.poisson(rate)):
                begin = m0 + pd.Timedelta(days=int(rng.integers(n_days)))
                rows.append((kind, begin, begin + pd.Timedelta(days=int(rng.integers(*length)) - 1),
                             float(rng.choice(discounts)), _promo_scope(rng, cat, (begin - first).days)))
    clear_from = cat.launch + np.ceil(_CLEARANCE_FROM * cat.life).astype(int)
    end = cat.launch + cat.life - 1
    for s in np.flatnonzero((clear_from < len(dates)) & (end >= 0)):
        rows.append(("clearance", first + pd.Timedelta(days=int(clear_from[s])),
                     first + pd.Timedelta(days=int(end[s])), float(rng.choice([0.3, 0.4, 0.5])),
                     f"style:{cat.style_ids[s]}"))
    promo = pd.DataFrame(rows, columns=["promo_type", "start_date", "end_date", "discount", "scope"])
    promo = promo[(promo["end_date"] >= first) & (promo["start_date"] <= last)]
    promo = promo.sort_values(["start_date", "promo_type", "scope"], kind="stable").reset_index(drop=True)
    promo.insert(0, "promo_id", [f"P{i + 1:05d}" for i in range(len(promo))])
    return promo


def _place_campaigns(rng: np.random.Generator, knobs: Knobs, store: pd.DataFrame,
                     dates: pd.DatetimeIndex) -> list[tuple]:
    """Campaigns of one region or one store, on dates that move: a region's spend-and-save or %-off on a category,
    and a store's %-off on a category or, one time in four, on the whole store (an anniversary)."""
    rows = []
    regions, stores = store["region"].unique(), store["store_id"].to_numpy()
    for month in pd.period_range(dates[0], dates[-1], freq="M"):
        m0, n_days = month.start_time, month.days_in_month
        for _ in range(rng.poisson(1.5)):
            kind = "spend_save" if rng.random() < 0.5 else "pct_off"
            discounts = [0.08, 0.10, 0.12] if kind == "spend_save" else [0.15, 0.2, 0.25, 0.3]
            begin = m0 + pd.Timedelta(days=int(rng.integers(n_days)))
            rows.append((kind, begin, begin + pd.Timedelta(days=int(rng.integers(3, 11)) - 1),
                         float(rng.choice(discounts)),
                         f"region:{rng.choice(regions)}/category:{rng.choice(_CAT_NAMES)}"))
        for _ in range(rng.poisson(knobs.n_stores / 10)):
            begin = m0 + pd.Timedelta(days=int(rng.integers(n_days)))
            place = f"store:{rng.choice(stores)}"
            rows.append(("pct_off", begin, begin + pd.Timedelta(days=int(rng.integers(2, 8)) - 1),
                         float(rng.choice([0.15, 0.2, 0.25, 0.3])),
                         place if rng.random() < 0.25 else f"{place}/category:{rng.choice(_CAT_NAMES)}"))
    return rows


def _promo_scope(rng: np.random.Generator, cat: _Catalogue, day: int) -> str:
    """A %-off or bundle target: a category (30%) or one style that is on sale that day."""
    live = np.flatnonzero((cat.launch <= day) & (day < cat.launch + cat.life))
    if rng.random() < 0.3 or not len(live):
        return f"category:{rng.choice(_CAT_NAMES)}"
    return f"style:{cat.style_ids[rng.choice(live)]}"


def _promo_effects(promo: pd.DataFrame, cat: _Catalogue, dates: pd.DatetimeIndex):
    """Day x style matrices of the chain's promotions (those of a place are `_place_effects`): price kept
    (1 - stacked discount), promotion uplift and active-type bits."""
    shape = (len(dates), len(cat.style_ids))
    keep, uplift, bits = np.ones(shape), np.ones(shape), np.zeros(shape, dtype=np.int64)
    style_index = {s: i for i, s in enumerate(cat.style_ids)}
    for p in promo[~_has_place(promo)].itertuples():
        lo = max(0, (p.start_date - dates[0]).days)
        hi = min(len(dates), (p.end_date - dates[0]).days + 1)
        kind, _, target = p.scope.partition(":")
        if kind == "all":
            cols = slice(None)
        else:
            cols = cat.category == _CAT_NAMES.index(target) if kind == "category" else style_index[target]
        keep[lo:hi, cols] *= 1 - p.discount
        uplift[lo:hi, cols] *= _PROMO_UPLIFT[p.promo_type]
        bits[lo:hi, cols] |= 1 << _PROMO_TYPES.index(p.promo_type)
    return np.maximum(keep, 1 - _MAX_DISCOUNT), uplift, bits


def _has_place(promo: pd.DataFrame) -> pd.Series:
    """Promotions of one region or store (skulab.data.scope kinds region, store, region_category, ...)."""
    return scope.parse(promo["scope"])["kind"].str.startswith(scope.PLACES)


def _place_effects(promo: pd.DataFrame, cat: _Catalogue, store: pd.DataFrame, dates: pd.DatetimeIndex,
                   day: np.ndarray, st: np.ndarray, style: np.ndarray):
    """Per sales row (day, store, style index): price kept, uplift and type bits of the regions' and stores'
    campaigns (on the whole place or on one category of it)."""
    keep, uplift, bits = np.ones(len(day)), np.ones(len(day)), np.zeros(len(day), dtype=np.int64)
    of_row = {"store": store["store_id"].to_numpy(dtype=object)[st],
              "region": store["region"].to_numpy(dtype=object)[st]}
    placed = promo[_has_place(promo)]
    parsed = scope.parse(placed["scope"])
    for p, kind, place, category in zip(placed.itertuples(), parsed["kind"], parsed["first"], parsed["second"],
                                        strict=True):
        where, *item = scope.parts(kind)
        lo, hi = (p.start_date - dates[0]).days, (p.end_date - dates[0]).days
        on = (day >= lo) & (day <= hi) & (of_row[where] == place)
        if item:
            on &= cat.category[style] == _CAT_NAMES.index(category)
        keep[on] *= 1 - p.discount
        uplift[on] *= _PROMO_UPLIFT[p.promo_type]
        bits[on] |= 1 << _PROMO_TYPES.index(p.promo_type)
    return keep, uplift, bits


def _demand_index(cat: _Catalogue, dates: pd.DatetimeIndex, keep: np.ndarray,
                  uplift: np.ndarray) -> np.ndarray:
    """Day x style demand level: popularity x life cycle x seasonality x promotion uplift x price effect."""
    u = (np.arange(len(dates))[:, None] - cat.launch[None, :]) / cat.life[None, :]
    life_cycle = np.where((u >= 0) & (u < 1), np.interp(u, _LIFE_U, _LIFE_LEVEL), 0.0)
    amp, peak = (np.array([_SEASONALITY[s][i] for s in cat.season]) for i in (0, 1))
    doy = dates.dayofyear.to_numpy()[:, None]
    season = 1 + amp * np.cos(2 * np.pi * (doy - peak) / 365.25)
    return cat.popularity * life_cycle * season * uplift * keep ** -_CAT_ELASTICITY[cat.category]


def _day_effect(calendar: pd.DataFrame, weekday: np.ndarray, holiday: dict[str, float]) -> np.ndarray:
    """Per-day multiplier from the weekday and the holiday or festival of that day."""
    return weekday[calendar["weekday"].to_numpy()] * calendar["holiday"].map(holiday).fillna(1.0).to_numpy()


def _promo_labels() -> np.ndarray:
    """promo_type text for every bit pattern of active types ('pct_off+clearance'), None when none."""
    labels = ["+".join(t for i, t in enumerate(_PROMO_TYPES) if b >> i & 1) or None
              for b in range(1 << len(_PROMO_TYPES))]
    return np.array(labels, dtype=object)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For run lengths `counts`, each element's run index and its position inside the run."""
    owner = np.repeat(np.arange(len(counts)), counts)
    return owner, np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)


# -------------------------------------------------------------------------------------- store sales


def _drivers(rng: np.random.Generator, fdc: pd.DataFrame, store: pd.DataFrame, dates: pd.DatetimeIndex
             ) -> tuple[pd.DataFrame, np.ndarray]:
    """The covariate table of the planted drivers through `_DRIVER_LEAD` days past the sales, and their demand
    multiplier per store x sales day."""
    days = pd.date_range(dates[0], periods=len(dates) + _DRIVER_LEAD, freq="D")
    phi, sd = _TEMPERATURE_AR
    anomaly = np.zeros((len(fdc), len(days)))
    anomaly[:, 0] = rng.normal(0, sd / np.sqrt(1 - phi**2), len(fdc))
    for t in range(1, len(days)):
        anomaly[:, t] = phi * anomaly[:, t - 1] + rng.normal(0, sd, len(fdc))
    anomaly = np.round(anomaly, 1)
    event = np.zeros((len(store), len(days)), dtype=bool)
    starts = np.argwhere(rng.random((len(store), len(days))) < _EVENT_RATE)
    for (st, t), length in zip(starts, rng.integers(1, 4, len(starts)), strict=True):
        event[st, t:t + length] = True
    region = store["region_index"].to_numpy()
    multiplier = np.exp(TEMPERATURE_EFFECT * anomaly[region]) * np.where(event, EVENT_LIFT, 1.0)
    rows = [pd.DataFrame({"name": "temperature_anomaly", "date": np.tile(days, len(fdc)),
                          "scope": np.repeat("region:" + fdc["region"].to_numpy(dtype=object), len(days)),
                          "value": anomaly.ravel()}),
            pd.DataFrame({"name": "local_event", "date": np.tile(days, len(store)),
                          "scope": np.repeat("store:" + store["store_id"].to_numpy(dtype=object), len(days)),
                          "value": event.ravel().astype(float)})]
    covariate = pd.concat(rows, ignore_index=True).assign(known_in_advance=True)
    return covariate, multiplier[:, : len(dates)]


def _store_sales(rng, knobs: Knobs, cat: _Catalogue, store: pd.DataFrame, calendar: pd.DataFrame,
                 demand: np.ndarray, taste: np.ndarray, keep: np.ndarray, bits: np.ndarray, drivers: np.ndarray,
                 promo: pd.DataFrame, campaign_rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """fact_sales (censored by stock-outs, thinned by ETL gaps) and truth_demand (every carried store-day);
    `demand`, `keep` and `bits` hold the chain's promotions, `promo` adds those of a region or store.

    A campaign's extra units are a second Poisson draw from `campaign_rng` on the same gamma multiplier, so a row's
    units stay Poisson-gamma around its expected units while `rng` draws what it drew without the campaigns (stock
    follows the usual, campaign-free demand: a campaign can run a store out)."""
    days = len(calendar)
    pair_store, pair_sku = _assortment(rng, knobs, cat, store)
    lo = np.clip(cat.launch[cat.sku_style[pair_sku]], 0, days)  # a pair is on sale from launch to end of life
    n = np.clip((cat.launch + cat.life)[cat.sku_style[pair_sku]], 0, days) - lo
    pair, offset = _expand(n)
    day, st, sku = lo[pair] + offset, pair_store[pair], pair_sku[pair]
    style = cat.sku_style[sku]
    day_effect = _day_effect(calendar, _STORE_WEEKDAY, _STORE_HOLIDAY)
    region = store["region_index"].to_numpy()[st]
    place_keep, place_uplift, place_bits = _place_effects(promo, cat, store, pd.DatetimeIndex(calendar["date"]),
                                                          day, st, style)
    chain_keep = keep[day, style]
    row_keep = np.maximum(chain_keep * place_keep, 1 - _MAX_DISCOUNT)
    row_bits = bits[day, style] | place_bits
    place_effect = place_uplift * (row_keep / chain_keep) ** -_CAT_ELASTICITY[cat.category[style]]
    usual = (knobs.sales_rate * store["traffic"].to_numpy()[st] * taste[region, style]
             * cat.sku_share[sku] * demand[day, style] * day_effect[day] * drivers[st, day])
    mu = usual * place_effect
    rate = usual * rng.gamma(knobs.dispersion, 1 / knobs.dispersion, len(mu))
    # Poisson(a) + Poisson(b) = Poisson(a + b)
    draw = rng.poisson(rate) + campaign_rng.poisson(rate * (place_effect - 1))
    available = _stock(rng, knobs, n, usual, pair)
    gap = _etl_gaps(rng, knobs, len(store), days)[st, day]
    columns = {
        "date": calendar["date"].to_numpy()[day],
        "store_id": store["store_id"].to_numpy(dtype=object)[st],
        "sku_id": cat.sku["sku_id"].to_numpy(dtype=object)[sku],
        "expected_units": mu,
        "units": np.minimum(draw, available),
        "price": np.round(cat.list_price[sku] * row_keep, 2),
        "base_price": cat.list_price[sku],
        "promo_type": _promo_labels()[row_bits],
        "discount": np.where(row_bits > 0, np.round(1 - row_keep, 4), np.nan),
        "stockout": draw >= available,
    }
    rows = pd.DataFrame(columns).iloc[np.lexsort((sku, st, day))]
    truth = rows[["date", "store_id", "sku_id", "expected_units"]].reset_index(drop=True)
    sales = rows.loc[~gap[rows.index]].drop(columns="expected_units").reset_index(drop=True)
    return sales, truth


def _assortment(rng, knobs: Knobs, cat: _Catalogue, store: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(store, SKU) pairs carried: a store takes every SKU of a random subset of styles, more if larger."""
    width = min(0.6, knobs.store_width / knobs.n_styles)
    p = np.minimum(width * np.sqrt(store["area_sqm"].to_numpy() / _MEDIAN_AREA), 0.95)
    carry_store, carry_style = np.nonzero(rng.random((len(store), knobs.n_styles)) < p[:, None])
    style_first = np.searchsorted(cat.sku_style, np.arange(knobs.n_styles))
    n_skus = np.bincount(cat.sku_style, minlength=knobs.n_styles)[carry_style]
    owner, offset = _expand(n_skus)
    return carry_store[owner], style_first[carry_style][owner] + offset


def _stock(rng, knobs: Knobs, n: np.ndarray, mu: np.ndarray, pair: np.ndarray) -> np.ndarray:
    """Units available per row: unlimited except in out-of-stock episodes (fast sellers, late life: more).

    An episode starts with 0-2 units left on its first day and none after, so sales are censored.
    """
    velocity = np.bincount(pair, mu, len(n)) / np.maximum(n, 1)
    hazard = np.clip(knobs.stockout_hazard * np.sqrt(velocity / max(velocity.mean(), 1e-9)), 1e-3, 0.05)
    ep_pair = np.repeat(np.arange(len(n)), rng.poisson(hazard * n))
    late = rng.random(len(ep_pair)) < 0.4  # broken size runs near the end of life
    at = np.where(late, 0.7 + 0.3 * rng.random(len(ep_pair)), rng.random(len(ep_pair)))  # fraction of window
    start = np.floor(n[ep_pair] * at)
    episode, within = _expand(rng.geometric(0.3, len(ep_pair)))
    rel = start.astype(int)[episode] + within
    inside = rel < n[ep_pair[episode]]
    row = (np.cumsum(n) - n)[ep_pair[episode]] + rel
    left = np.where(within == 0, rng.integers(0, 3, len(within)), 0).astype(float)
    available = np.full(len(pair), np.inf)
    np.minimum.at(available, row[inside], left[inside])
    return available


def _etl_gaps(rng, knobs: Knobs, n_stores: int, days: int) -> np.ndarray:
    """Store x day mask of days lost by the ETL (1-3 consecutive days per episode, at least one episode)."""
    n = max(1, rng.poisson(knobs.gap_rate * n_stores * days))
    episode, within = _expand(rng.integers(1, 4, n))
    gap = np.zeros((n_stores, days), dtype=bool)
    store, first = rng.integers(n_stores, size=n), rng.integers(days, size=n)
    gap[store[episode], np.minimum(first[episode] + within, days - 1)] = True
    return gap


# ------------------------------------------------------------------------------------- online orders


def _online_orders(rng, knobs: Knobs, cat: _Catalogue, fdc: pd.DataFrame, calendar: pd.DataFrame,
                   demand: np.ndarray, taste: np.ndarray, keep: np.ndarray
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """orders, order_line and truth_order: daily volume with festival spikes, baskets from shopping intents.

    Orders of one day and customer region share one style popularity (demand index x regional taste);
    order ids follow time.
    """
    days, n_regions = len(calendar), len(fdc)
    volume = (knobs.orders_per_day * _day_effect(calendar, _ONLINE_WEEKDAY, _ONLINE_HOLIDAY)
              * (1 + _ONLINE_GROWTH * np.arange(days) / 365))
    n_orders = rng.poisson(volume) * (demand.sum(axis=1) > 0)
    festival = calendar["holiday"].isin(_FESTIVALS).to_numpy()
    customer_region = rng.choice(n_regions, knobs.n_customers, p=_region_weights(n_regions))
    activity = rng.lognormal(0, 1.0, knobs.n_customers)
    members = _look_members(cat)
    cum_share = _cumulative_share(cat)
    day = np.repeat(np.arange(days), n_orders)
    cust = _draw(rng, activity, len(day))
    region = customer_region[cust]
    batch = np.lexsort((region, day))  # orders grouped by (day, region): one popularity vector each
    day, cust, region = day[batch], cust[batch], region[batch]
    intent, look = np.zeros(len(day), dtype=int), np.full(len(day), -1)
    l_order, l_sku = [], []
    bounds = np.flatnonzero(np.diff(day * n_regions + region, prepend=-1, append=-1))
    for lo, hi in pairwise(bounds):
        d, r = day[lo], region[lo]
        wanted = rng.choice(len(_INTENTS), hi - lo, p=_INTENT_P_FESTIVAL if festival[d] else _INTENT_P)
        basket = _baskets(rng, cat, members, cum_share, demand[d] * taste[r], wanted)
        intent[lo:hi], look[lo:hi], line_order, sku = basket
        l_order.append(line_order + lo)
        l_sku.append(sku)
    line_order, line_sku = np.concatenate(l_order), np.concatenate(l_sku)
    ts = _timestamps(rng, calendar["date"].to_numpy()[day], festival[day])
    by_ts = np.argsort(ts, kind="stable")
    rank = np.empty(len(ts), dtype=int)
    rank[by_ts] = np.arange(len(ts))
    order_ids = np.array([f"O{i + 1:08d}" for i in range(len(ts))], dtype=object)
    customer_ids = np.array([f"C{c + 1:06d}" for c in range(knobs.n_customers)], dtype=object)
    orders = pd.DataFrame({"order_id": order_ids, "ts": ts[by_ts],
                           "customer_id": customer_ids[cust][by_ts],
                           "fdc_id": fdc["fdc_id"].to_numpy(dtype=object)[customer_region[cust]][by_ts]})
    truth = pd.DataFrame({"order_id": order_ids, "intent": np.array(_INTENTS, dtype=object)[intent][by_ts],
                          "look_id": np.where(look >= 0, cat.look_ids[np.maximum(look, 0)], None)[by_ts]})
    line_rank = rank[line_order]
    by_line = np.lexsort((line_sku, line_rank))
    qty = 1 + (rng.random(len(line_sku)) < 0.06) * rng.geometric(0.6, len(line_sku))
    price = np.round(cat.list_price[line_sku] * keep[day[line_order], cat.sku_style[line_sku]], 2)
    lines = pd.DataFrame({"order_id": order_ids[line_rank[by_line]],
                          "sku_id": cat.sku["sku_id"].to_numpy(dtype=object)[line_sku[by_line]],
                          "qty": qty[by_line].astype(float), "price": price[by_line]})
    return orders, lines, truth


def _region_weights(n_regions: int) -> np.ndarray:
    """Share of stores and of online customers per region (East largest)."""
    w = np.array([w for _, w, _ in _REGIONS[:n_regions]])
    return w / w.sum()


def _timestamps(rng, day: np.ndarray, festival: np.ndarray) -> np.ndarray:
    """Order times: an evening-heavy intraday curve, with a midnight rush when a festival opens."""
    hour = np.where(festival & (rng.random(len(day)) < 0.3), 0, rng.choice(24, len(day), p=_HOUR_P))
    seconds = hour * 3600 + rng.integers(0, 3600, len(day))
    return day + seconds.astype("timedelta64[s]")


def _look_members(cat: _Catalogue) -> np.ndarray:
    """Look x slot matrix of style indices, padded with -1."""
    n_looks = len(cat.look_ids)
    size = np.bincount(cat.style_look, minlength=n_looks)
    members = np.full((n_looks, size.max()), -1)
    by_look = np.argsort(cat.style_look, kind="stable")
    members[cat.style_look[by_look], _expand(size)[1]] = by_look
    return members


def _cumulative_share(cat: _Catalogue) -> np.ndarray:
    """style index + cumulative SKU share within the style, so one searchsorted picks SKUs of many styles."""
    cum = np.cumsum(cat.sku_share)
    start = np.searchsorted(cat.sku_style, np.arange(len(cat.style_ids)))
    within = cum - (cum[start] - cat.sku_share[start])[cat.sku_style]
    return cat.sku_style + within / np.bincount(cat.sku_style, cat.sku_share)[cat.sku_style]


def _pick_skus(rng, cat: _Catalogue, cum_share: np.ndarray, styles: np.ndarray) -> np.ndarray:
    """One SKU (colour and size) of each given style, in proportion to its share of the style's demand."""
    first = np.searchsorted(cat.sku_style, styles, side="left")
    last = np.searchsorted(cat.sku_style, styles, side="right") - 1
    return np.clip(np.searchsorted(cum_share, styles + rng.random(len(styles)), side="right"), first, last)


def _top_k(rng, members: np.ndarray, looks: np.ndarray, k: np.ndarray, weight: np.ndarray):
    """Up to k distinct styles from each look, drawn without replacement by weight (Gumbel top-k).

    Returns (row into `looks`, style) pairs; styles with zero weight (not on sale) are never drawn.
    """
    m = members[looks]
    w = np.where(m >= 0, weight[m], 0.0)
    with np.errstate(divide="ignore"):
        keys = np.log(w) + rng.gumbel(size=w.shape)
    order = np.argsort(-keys, axis=1)
    take = (np.arange(w.shape[1]) < k[:, None]) & (np.take_along_axis(w, order, 1) > 0)
    rows, slots = np.nonzero(take)
    return rows, m[rows, order[rows, slots]]


def _draw(rng, weights: np.ndarray, size: int) -> np.ndarray:
    """`size` indices drawn in proportion to `weights` (nothing to normalise when size is 0)."""
    return rng.choice(len(weights), size, p=weights / weights.sum()) if size else np.zeros(0, dtype=int)


def _baskets(rng, cat: _Catalogue, members: np.ndarray, cum_share: np.ndarray, w: np.ndarray,
             intent: np.ndarray):
    """SKUs of each order from its intent, under style popularity `w` of that day and region.

    single: one SKU; size_run: 2-3 adjacent sizes of one style and colour; outfit: 2-4 styles of one
    look (rarely 5); add_on: a main item plus an accessory of its look; haul: outfits from two looks.
    An intent that cannot be served today (e.g. no look with two styles on sale) falls back to a simpler one.
    Returns (intent, look or -1, line -> order row, line SKU).
    """
    single, outfit, add_on, size_run, haul = range(len(_INTENTS))
    live = w > 0
    n_live = np.bincount(cat.style_look, live, len(members))
    look_ok = np.bincount(cat.style_look, w, len(members)) * (n_live >= 2)  # looks that can make an outfit
    acc = cat.category == _ACCESSORY
    main_w = w * ~acc * (np.bincount(cat.style_look, live & acc, len(members)) > 0)[cat.style_look]
    group_w = w[cat.sku_style[cat.group_first]] * cat.sku_share[cat.group_first] * (cat.group_len >= 2)
    intent = intent.copy()
    intent[(intent == haul) & ((look_ok > 0).sum() < 2)] = outfit
    intent[np.isin(intent, (outfit, haul)) & (look_ok.sum() == 0)] = single
    intent[(intent == add_on) & (main_w.sum() == 0)] = single
    intent[(intent == size_run) & (group_w.sum() == 0)] = single
    look = np.full(len(intent), -1)
    by_style, by_sku = [], []  # (order rows, styles) and (order rows, SKUs) per intent

    idx = np.flatnonzero(intent == single)
    by_style.append((idx, _draw(rng, w, len(idx))))

    idx = np.flatnonzero(intent == outfit)
    look[idx] = _draw(rng, look_ok, len(idx))
    r, s = _top_k(rng, members, look[idx], rng.choice([2, 3, 4, 5], len(idx), p=[0.45, 0.3, 0.17, 0.08]), w)
    by_style.append((idx[r], s))

    idx = np.flatnonzero(intent == haul)
    look[idx] = _draw(rng, look_ok, len(idx))
    second = _draw(rng, look_ok, len(idx))
    for _ in range(5):  # redraw the second look where it repeats the first
        same = np.flatnonzero(second == look[idx])
        second[same] = _draw(rng, look_ok, len(same))
    two = second != look[idx]
    for rows, looks in ((idx, look[idx]), (idx[two], second[two])):
        r, s = _top_k(rng, members, looks, rng.choice([2, 3, 4, 5], len(looks), p=[0.4, 0.3, 0.2, 0.1]), w)
        by_style.append((rows[r], s))

    idx = np.flatnonzero(intent == add_on)
    main = _draw(rng, main_w, len(idx))
    look[idx] = cat.style_look[main]
    r, s = _top_k(rng, members, look[idx], np.ones(len(idx), dtype=int), w * acc)
    by_style += [(idx, main), (idx[r], s)]

    idx = np.flatnonzero(intent == size_run)
    group = _draw(rng, group_w, len(idx))
    run = np.minimum(np.where(rng.random(len(idx)) < 0.7, 2, 3), cat.group_len[group])
    first = np.floor(rng.random(len(idx)) * (cat.group_len[group] - run + 1)).astype(int)
    r, within = _expand(run)
    by_sku.append((idx[r], cat.group_first[group][r] + first[r] + within))

    style_rows, styles = (np.concatenate(a) for a in zip(*by_style))
    sku_rows, skus = (np.concatenate(a) for a in zip(*by_sku))
    line_order = np.concatenate([style_rows, sku_rows])
    line_sku = np.concatenate([_pick_skus(rng, cat, cum_share, styles), skus])
    return intent, look, line_order, line_sku
