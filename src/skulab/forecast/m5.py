"""The M5 recipe as an AutoGluon model: one global LightGBM with a Tweedie objective, built with Nixtla mlforecast.

As the M5 winners built theirs: lags 1-7, 14, 21 and 28 and rolling means over 7, 14 and 28 periods of the
target, periods since the series began (days since launch), the series' share of zero-sale periods, calendar
features, and every known covariate of the panel (promotion flags and depth, relative price `price_ratio` and
price momentum `price_change` when the price group is on) plus the static attributes. Forecasts are recursive:
one model, each step's forecast fed back as the next step's lag. The Tweedie mean becomes a distribution by
moment matching a negative binomial with variance phi * mean ** power, phi fitted on AutoGluon's validation
window (out of sample; in sample when there is none), so its quantiles are whole units.

Registering the class (importing this module) makes `M5LightGBM` a model key AutoGluon's predictor accepts, so
it is scored beside the zoo and may enter the weighted ensemble.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from autogluon.timeseries import TimeSeriesDataFrame
from autogluon.timeseries.models.abstract import AbstractTimeSeriesModel

from skulab.counts import from_moments
from skulab.periods import step

LAGS = [1, 2, 3, 4, 5, 6, 7, 14, 21, 28]
ROLLING = [7, 14, 28]
DEFAULTS: dict[str, Any] = {"num_boost_round": 500, "learning_rate": 0.05, "num_leaves": 63, "min_data_in_leaf": 50,
                            "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 0.1,
                            "tweedie_variance_power": 1.1}


class M5LightGBMModel(AbstractTimeSeriesModel):
    """Global Tweedie LightGBM over lags, rolling means and covariates, recursive; NB quantiles around its mean."""

    _supports_known_covariates = True
    _supports_static_features = True

    @property
    def allowed_hyperparameters(self) -> list[str]:
        return [*super().allowed_hyperparameters, "model_hyperparameters", "seed"]

    def _fit(self, train_data: TimeSeriesDataFrame, val_data: TimeSeriesDataFrame | None = None,
             time_limit: float | None = None, num_cpus: int | None = None, **kwargs: Any) -> None:
        from lightgbm import LGBMRegressor
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean

        self._log_unused_hyperparameters()
        hp = self.get_hyperparameters()
        params = {**DEFAULTS, **{k: v for k, v in hp.get("model_hyperparameters", {}).items()
                                 if not k.startswith("ag.")}}
        rounds = params.pop("num_boost_round")
        self._known = list(self.covariate_metadata.known_covariates)
        self._static_cols = list(train_data.static_features.columns) if train_data.static_features is not None else []
        self._categories = {c: pd.Categorical(train_data.static_features[c].astype(str)).categories
                            for c in self._static_cols if not pd.api.types.is_numeric_dtype(train_data.static_features[c])}
        model = LGBMRegressor(objective="tweedie", n_estimators=rounds, random_state=hp.get("seed", 0),
                              n_jobs=num_cpus or 1, deterministic=True, force_row_wise=True, verbose=-1, **params)
        self._mlf = MLForecast(models={"lgb": model}, freq=self.freq, lags=LAGS,
                               lag_transforms={1: [RollingMean(window_size=w) for w in ROLLING]},
                               date_features=self._date_features())
        with warnings.catch_warnings():  # series shorter than the longest lag train nothing, and are still forecast
            warnings.filterwarnings("ignore", message="The following series were dropped", category=UserWarning)
            self._mlf.fit(self._frame(train_data), static_features=self._static_names(), dropna=True)
        self._power = float(params["tweedie_variance_power"])
        self._phi = self._dispersion(train_data, val_data)

    def _predict(self, data: TimeSeriesDataFrame, known_covariates: TimeSeriesDataFrame | None = None,
                 **kwargs: Any) -> TimeSeriesDataFrame:
        mean = self._mean(data, known_covariates)
        out = pd.DataFrame({"mean": mean}, index=self.get_forecast_horizon_index(data))
        for q, values in zip(self.quantile_levels, quantiles(mean, self._phi, self._power, self.quantile_levels)):
            out[str(q)] = values
        return TimeSeriesDataFrame(out)

    def _more_tags(self) -> dict:
        return {"allow_nan": True, "can_refit_full": True}

    def _mean(self, data: TimeSeriesDataFrame, known_covariates: TimeSeriesDataFrame | None) -> np.ndarray:
        history = self._frame(data)
        index = self.get_forecast_horizon_index(data)
        future = pd.DataFrame({"unique_id": index.get_level_values(0).astype(str), "ds": index.get_level_values(1)})
        if self._known:
            cov = known_covariates.reset_index().rename(columns={"item_id": "unique_id", "timestamp": "ds"})
            future = future.merge(cov.assign(unique_id=cov["unique_id"].astype(str)), on=["unique_id", "ds"], how="left")
        start = history.groupby("unique_id")["ds"].min()
        future["age"] = _periods(future["ds"], future["unique_id"].map(start), self.freq)
        with warnings.catch_warnings():  # short series have no value at the longest lags: LightGBM takes NaN
            warnings.filterwarnings("ignore", message="Found null values", category=UserWarning)
            pred = self._mlf.predict(h=self.prediction_length, new_df=history, X_df=future)
        pred = future[["unique_id", "ds"]].merge(pred, on=["unique_id", "ds"], how="left")
        return np.clip(pred["lgb"].to_numpy(dtype=float), 0.0, None)

    def _frame(self, data: TimeSeriesDataFrame) -> pd.DataFrame:
        """mlforecast's long frame: unique_id, ds, y (gaps forward-filled, then 0), covariates, age, zero share."""
        df = pd.DataFrame(data).reset_index().rename(columns={"item_id": "unique_id", "timestamp": "ds",
                                                              self.target: "y"})
        df["unique_id"] = df["unique_id"].astype(str)
        df["y"] = df.groupby("unique_id")["y"].ffill().fillna(0.0)
        df = df[["unique_id", "ds", "y", *self._known]]
        df["age"] = _periods(df["ds"], df.groupby("unique_id")["ds"].transform("min"), self.freq)
        statics = pd.DataFrame({"zero_share": (df["y"] == 0).groupby(df["unique_id"]).mean()})
        if self._static_cols and data.static_features is not None:
            sf = data.static_features.reindex(columns=self._static_cols).copy()
            sf.index = sf.index.astype(str)
            for c, cats in self._categories.items():
                sf[c] = pd.Categorical(sf[c].astype(str), categories=cats)
            statics = statics.join(sf)
        return df.merge(statics, left_on="unique_id", right_index=True, how="left")

    def _date_features(self) -> list[str]:
        """Calendar features the panel's covariates do not already hold (its calendar group has month, weekday)."""
        wanted = {"month": "month", "weekday": "dayofweek" if self.freq == "D" else "dayofyear"}
        return [feature for column, feature in wanted.items() if column not in self._known]

    def _static_names(self) -> list[str]:
        return ["zero_share", *self._static_cols]

    def _dispersion(self, train: TimeSeriesDataFrame, val: TimeSeriesDataFrame | None) -> float:
        """phi in Var = phi * mean ** power, from the recursive forecast of the validation window (out of sample)."""
        if val is not None:
            past = val.slice_by_timestep(None, -self.prediction_length)
            truth = val.slice_by_timestep(-self.prediction_length, None)
            known = truth[self._known] if self._known else None
            mean = self._mean(past, known)
            y = truth[self.target].to_numpy(dtype=float)
        else:  # no validation window: the one-step in-sample fit (optimistic, so intervals come out narrow)
            frame = self._frame(train)
            mean = np.clip(self._mlf.models_["lgb"].predict(self._mlf.preprocess(frame, static_features=self._static_names()
                                                                                 ).drop(columns=["unique_id", "ds", "y"])), 0, None)
            y = self._mlf.preprocess(frame, static_features=self._static_names())["y"].to_numpy(dtype=float)
        ok = np.isfinite(y) & (mean > 0)
        denom = np.sum(mean[ok] ** self._power)
        return float(np.sum((y[ok] - mean[ok]) ** 2) / denom) if denom > 0 else 1.0


def quantiles(mean: np.ndarray, phi: float, power: float, levels: list[float]) -> list[np.ndarray]:
    """Quantiles of a negative binomial with the given mean and variance phi * mean ** power (Poisson when that
    variance is below the mean): whole units, non-decreasing in the level."""
    mean = np.clip(np.asarray(mean, dtype=float), 0.0, None)
    demand = from_moments(mean, phi * mean ** power)
    return [demand.ppf(q).astype(float) for q in levels]


def _periods(ds: pd.Series, start: pd.Series, freq: str) -> np.ndarray:
    return ((pd.to_datetime(ds) - pd.to_datetime(start)) / step(freq)).to_numpy(dtype=float)
