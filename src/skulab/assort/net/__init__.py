"""JD's end-to-end assortment net and the SKU features it reads (PyTorch; imported on use, not by skulab.assort)."""

from skulab.assort.net.features import SkuFeatures, sku_features
from skulab.assort.net.model import AssortmentNet, NetFit, fit, fit_pooled, prepare, project

__all__ = ["AssortmentNet", "NetFit", "SkuFeatures", "fit", "fit_pooled", "prepare", "project", "sku_features"]
