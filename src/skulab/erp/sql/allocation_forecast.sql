-- Every row of the newest finished forecast run, for store allocation: SKU, store (or region), day, model, mean
-- and quantiles. No parameters.
SELECT f.run_id, f.sku_id, f.store_id, f.forecast_date, f.model, f.mean, f.q10, f.q50, f.q90
FROM sales_forecast_latest f
ORDER BY f.sku_id, f.store_id, f.model, f.forecast_date
