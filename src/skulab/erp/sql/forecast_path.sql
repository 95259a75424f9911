-- One series' forecast over the horizon, from the newest finished run: SKU :sku_id at store (or region)
-- :store_id by model :model, one row per forecast day.
SELECT f.forecast_date, f.mean, f.q10, f.q50, f.q90
FROM sales_forecast_latest f
WHERE f.sku_id = :sku_id AND f.store_id = :store_id AND f.model = :model
ORDER BY f.forecast_date
